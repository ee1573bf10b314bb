// The JSONPath subset used by CRD printer columns: `.a.b`, `[0]`, `[*]`, `['key']` and `[?(@.f=="v")]`.

type Step =
  | { field: string }
  | { index: number }
  | { all: true }
  | { filter: string[]; op: '==' | '!='; value: string };

function parse(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const p = path.replace(/^\{|\}$/g, '');
  while (i < p.length) {
    if (p[i] === '.') {
      i++;
      const m = /^[A-Za-z0-9_\-$@]+/.exec(p.slice(i));
      if (!m) continue;
      steps.push({ field: m[0] });
      i += m[0].length;
    } else if (p[i] === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) throw new Error(`unterminated [ in ${path}`);
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else {
        const f = /^\?\(@\.([A-Za-z0-9_.]+)\s*(==|!=)\s*["']?([^"']*)["']?\)$/.exec(inner);
        if (!f) throw new Error(`unsupported JSONPath filter [${inner}] in ${path}`);
        const [, fieldPath = '', op, value = ''] = f; // every group takes part in a match
        steps.push({ filter: fieldPath.split('.'), op: op === '!=' ? '!=' : '==', value });
      }
    } else {
      const m = /^[A-Za-z0-9_\-$@]+/.exec(p.slice(i));
      if (!m) throw new Error(`unexpected "${p[i]}" in ${path}`);
      steps.push({ field: m[0] });
      i += m[0].length;
    }
  }
  return steps;
}

function get(v: unknown, fields: string[]): unknown {
  let cur = v;
  for (const f of fields) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[f];
  }
  return cur;
}

const cache = new Map<string, Step[]>();

/** Every value `path` selects in `obj` (empty when nothing matches). */
export function evaluate(obj: unknown, path: string): unknown[] {
  let steps = cache.get(path);
  if (!steps) {
    steps = parse(path);
    cache.set(path, steps);
  }
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('field' in s) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v) && s.field in v)
          next.push((v as Record<string, unknown>)[s.field]);
      } else if ('index' in s) {
        if (Array.isArray(v)) {
          const i = s.index < 0 ? v.length + s.index : s.index;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if ('all' in s) {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === 'object' && v !== null) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          const got = get(item, s.filter);
          const eq = got !== undefined && String(got) === s.value;
          if (s.op === '==' ? eq : got !== undefined && !eq) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
