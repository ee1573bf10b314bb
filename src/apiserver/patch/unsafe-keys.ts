// Keys a patch may not name. The patch engines walk and assign keys of plain JavaScript objects, where
// `__proto__` reaches Object.prototype (a JSON patch `/__proto__/x` polluted every object of the process:
// every upstream request then carried the key as a header) and `constructor`/`prototype` lead there too. No
// Kubernetes field is spelled this way, so a patch (JSON, merge, strategic merge) or an apply configuration
// that names one is refused (422) before any engine runs.
import { isPlainObject, PatchError } from './json-patch.js';

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/** Strategic-merge directives that carry a field name after the slash. */
const DIRECTIVE_PREFIXES = ['$setElementOrder/', '$deleteFromPrimitiveList/'];

function refuse(where: string, key: string): never {
  throw new PatchError(
    `${where}: the key "${key}" is not allowed in a patch (__proto__, constructor and prototype name no ` +
      `Kubernetes field)`,
  );
}

/** Throws PatchError when any object key under `value` (directive suffixes included) is unsafe. */
export function refuseUnsafeKeys(value: unknown, where: string): void {
  // Iterative: the body decoder bounds depth, but this guard must not be the thing that overflows the stack.
  const stack: Array<[unknown, string]> = [[value, where]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${at}[${i}]`]));
    } else if (isPlainObject(v)) {
      for (const key of Object.keys(v)) {
        const prefix = DIRECTIVE_PREFIXES.find((p) => key.startsWith(p));
        const field = prefix ? key.slice(prefix.length) : key;
        if (UNSAFE.has(field)) refuse(at, key);
        stack.push([v[key], at ? `${at}.${key}` : key]);
      }
    }
  }
}

/** The same for a JSON patch: every token of `path`/`from`, and the keys of each `value`. */
export function refuseUnsafeJsonPatch(ops: unknown): void {
  if (!Array.isArray(ops)) return; // the engine reports the shape
  ops.forEach((op, i) => {
    if (!isPlainObject(op)) return;
    for (const field of ['path', 'from'] as const) {
      const pointer = op[field];
      if (typeof pointer !== 'string') continue;
      for (const token of pointer.split('/').slice(1)) {
        const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
        if (UNSAFE.has(key)) refuse(`operation ${i} ${field} "${pointer}"`, key);
      }
    }
    refuseUnsafeKeys(op.value, `operation ${i} value`);
  });
}
