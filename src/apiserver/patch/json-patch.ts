// RFC 6902 JSON Patch (client-node's default patch type, kubectl `patch --type=json`) and RFC 7386 merge patch.
import { isDeepStrictEqual } from 'node:util';

export class PatchError extends Error {}

type Json = unknown;
type Container = Record<string, Json> | Json[];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, `null` deletes a key, everything else (arrays included) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new PatchError(`invalid JSON pointer "${pointer}": must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parent(doc: Json, tokens: string[], path: string): { container: Container; key: string } {
  const key = tokens.at(-1);
  if (key === undefined) throw new PatchError(`"${path}" names the whole document, which has no parent`);
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, path, false)];
    else if (isPlainObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new PatchError(`doc is missing path: "${path}"`);
  }
  if (!Array.isArray(cur) && !isPlainObject(cur)) throw new PatchError(`doc is missing path: "${path}"`);
  return { container: cur, key };
}

function arrayIndex(arr: Json[], token: string, path: string, forInsert: boolean): number {
  if (forInsert && token === '-') return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    throw new PatchError(`invalid array index "${token}" in path "${path}"`);
  const i = Number(token);
  if (i > arr.length || (!forInsert && i === arr.length))
    throw new PatchError(`array index ${i} out of bounds in path "${path}"`);
  return i;
}

function getAt(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, path, false)];
    else if (isPlainObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new PatchError(`doc is missing path: "${path}"`);
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  const { container, key } = parent(doc, tokens, path);
  if (Array.isArray(container)) {
    const i = arrayIndex(container, key, path, false);
    return container.splice(i, 1)[0];
  }
  if (!Object.hasOwn(container, key))
    throw new PatchError(`unable to remove nonexistent key: ${key}: missing value`);
  const v = container[key];
  delete container[key];
  return v;
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { container, key } = parent(doc, tokens, path);
  if (Array.isArray(container)) container.splice(arrayIndex(container, key, path, true), 0, value);
  else container[key] = value;
  return doc;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** Applies RFC 6902 operations to a copy of `doc`. Throws PatchError naming the failing operation. */
export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let out = structuredClone(doc);
  ops.forEach((raw, i) => {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new PatchError(`operation ${i}: each operation needs string "op" and "path"`);
    const op = raw as unknown as Operation;
    switch (op.op) {
      case 'add':
        out = addAt(out, op.path, structuredClone(op.value));
        break;
      case 'remove':
        removeAt(out, op.path);
        break;
      case 'replace':
        if (op.path === '') out = structuredClone(op.value);
        else {
          removeAt(out, op.path);
          out = addAt(out, op.path, structuredClone(op.value));
        }
        break;
      case 'move': {
        if (typeof op.from !== 'string') throw new PatchError(`operation ${i}: "move" needs "from"`);
        const v = removeAt(out, op.from);
        out = addAt(out, op.path, v);
        break;
      }
      case 'copy':
        if (typeof op.from !== 'string') throw new PatchError(`operation ${i}: "copy" needs "from"`);
        out = addAt(out, op.path, structuredClone(getAt(out, op.from)));
        break;
      case 'test':
        if (!isDeepStrictEqual(getAt(out, op.path), op.value))
          throw new PatchError(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw new PatchError(`operation ${i}: unsupported op "${op.op}"`);
    }
  });
  return out;
}
