// Gateway API / GKE duration strings (`1h2m3s4ms`, pattern `^([0-9]{1,5}(h|m|s|ms)){1,4}$`) → milliseconds.

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** undefined for absent or malformed input (admission rejects malformed values before they get here). */
export function parseDurationMs(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const re = /([0-9]{1,5})(ms|h|m|s)/y;
  let total = 0;
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const m = re.exec(value);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    pos = re.lastIndex;
  }
  return total;
}
