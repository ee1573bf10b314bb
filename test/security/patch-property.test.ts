// Property test of the API server's patch engines (issue 9 scope 9): random documents and random JSON,
// merge and strategic-merge patches, with the keys that reach Object.prototype (`__proto__`, `constructor`,
// `prototype`) mixed in at random depths. Bodies are made as the server makes them (JSON.parse, so
// `__proto__` is an own data property). Properties: an engine either applies the patch or throws PatchError
// (never another error); nothing ever reaches Object.prototype; the guard refuses exactly the patches that
// name an unsafe key; a merge patch is idempotent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jsonPatch, mergePatch, PatchError } from '../../src/apiserver/patch/json-patch.js';
import { strategicMergePatch } from '../../src/apiserver/patch/strategic.js';
import { refuseUnsafeJsonPatch, refuseUnsafeKeys } from '../../src/apiserver/patch/unsafe-keys.js';

const UNSAFE = ['__proto__', 'constructor', 'prototype'];
const key = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'metadata', 'spec', 'data', 'ports', 'name', 'port') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom(...UNSAFE) },
);
const scalar = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
/** As the server sees a body: parsed from JSON text. */
const parsed = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null');
const object = fc.dictionary(key, value, { maxKeys: 5 }).map((o) => parsed(o) as Record<string, unknown>);

const pointer = fc
  .array(fc.oneof(key, fc.constantFrom('0', '1', '-')), { maxLength: 4 })
  .map((tokens) => tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join(''));
const operation = fc.record({
  op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'),
  path: pointer,
  from: pointer,
  value,
});

function namesUnsafeKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(namesUnsafeKey);
  if (v === null || typeof v !== 'object') return false;
  return Object.keys(v).some(
    (k) =>
      UNSAFE.includes(k.replace(/^\$(setElementOrder|deleteFromPrimitiveList)\//, '')) ||
      namesUnsafeKey((v as Record<string, unknown>)[k]),
  );
}

function clean(): void {
  assert.deepEqual(Object.keys(Object.prototype), []);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
}

/** Runs an engine: success or PatchError only. */
function attempt(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
  }
  clean();
}

test('merge and strategic-merge patches: the guard refuses exactly the unsafe ones; engines never pollute', () => {
  fc.assert(
    fc.property(object, object, (doc, patch) => {
      let refused = false;
      try {
        refuseUnsafeKeys(patch, '');
      } catch (err) {
        assert.ok(err instanceof PatchError);
        refused = true;
      }
      assert.equal(refused, namesUnsafeKey(patch));
      // The engines themselves, even unguarded, must not reach Object.prototype.
      attempt(() => mergePatch(doc, patch));
      attempt(() => strategicMergePatch('Service', structuredClone(doc), patch));
      if (!refused) {
        const once = mergePatch(doc, patch);
        assert.deepEqual(mergePatch(once, patch), once, 'merge patch is idempotent');
      }
    }),
    { numRuns: 400 },
  );
});

test('JSON patches: success or PatchError, never pollution; the guard refuses every unsafe token', () => {
  fc.assert(
    fc.property(object, fc.array(operation, { minLength: 1, maxLength: 4 }).map(parsed), (doc, ops) => {
      const list = ops as Array<{ path: string; from: string; value: unknown }>;
      const unsafe = list.some(
        (op) =>
          [op.path, op.from].some((p) =>
            p
              .split('/')
              .slice(1)
              .some((t) => UNSAFE.includes(t.replace(/~1/g, '/').replace(/~0/g, '~'))),
          ) || namesUnsafeKey(op.value),
      );
      let refused = false;
      try {
        refuseUnsafeJsonPatch(list);
      } catch (err) {
        assert.ok(err instanceof PatchError);
        refused = true;
      }
      assert.equal(refused, unsafe);
      attempt(() => jsonPatch(doc, list));
    }),
    { numRuns: 600 },
  );
});

test('the attacks from the issue, as fixed cases', () => {
  attempt(() => jsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: 'x' }]));
  attempt(() => jsonPatch({}, [{ op: 'add', path: '/constructor/prototype/polluted', value: 'x' }]));
  attempt(() => mergePatch({}, JSON.parse('{"__proto__":{"polluted":"x"}}')));
  attempt(() => strategicMergePatch('Service', {}, JSON.parse('{"__proto__":{"polluted":"x"}}')));
  assert.throws(
    () => refuseUnsafeJsonPatch([{ op: 'add', path: '/__proto__/polluted', value: 1 }]),
    PatchError,
  );
});
