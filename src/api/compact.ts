// JSON objects built from values that may be missing: a key whose value is undefined is left out, which is
// what JSON does with it anyway and what `exactOptionalPropertyTypes` asks of optional properties.

/** `o` without its undefined properties, typed as the object with optional keys it now is. */
export function compact<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
