// Server-side apply's merge of an applied configuration into the live object (structured-merge-diff): maps
// merge field by field; a `map` list merges its items by key (an applied item into the live item with the same
// key, new items appended), a `set` list is the union of values, an `atomic` list is replaced. What the
// manager stopped applying is removed before (managed-fields.ts removePaths), not here.
import type { ListTypes } from '../list-types.js';
import { itemKeyOf } from '../list-types.js';
import { isPlainObject } from './json-patch.js';

type Obj = Record<string, unknown>;

export function applyMerge(live: unknown, applied: unknown, lists: ListTypes, path: string[] = []): unknown {
  if (isPlainObject(applied)) {
    const out: Obj = isPlainObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) delete out[k];
      else out[k] = applyMerge(out[k], v, lists, [...path, k]);
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const lt = lists(path);
    if (lt.type === 'map') {
      const keyText = (item: unknown) => {
        const key = itemKeyOf(item, lt);
        return key ? JSON.stringify(key) : undefined;
      };
      if (applied.every((item) => keyText(item) !== undefined)) {
        const out = [...live];
        for (const item of applied) {
          const i = out.findIndex((x) => keyText(x) === keyText(item));
          if (i >= 0) out[i] = applyMerge(out[i], item, lists, path);
          else out.push(structuredClone(item));
        }
        return out;
      }
    }
    if (lt.type === 'set') {
      const seen = new Set(live.map((v) => JSON.stringify(v)));
      return [...live, ...applied.filter((v) => !seen.has(JSON.stringify(v)))];
    }
  }
  return structuredClone(applied);
}
