// Golden tests of the translator: testdata/<case>.in.yaml → testdata/<case>.out.yaml (snapshot + statuses).
// Regenerate after an intended change with: UPDATE_GOLDEN=1 node scripts/run-tests.mjs controller/translator
// and review the diff.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { translate } from '../../src/controller/translator/translate.js';
import { loadFixture } from './fixtures.js';

const dir = new URL('../../../test/controller/testdata/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.in.yaml'))
  .sort()) {
  const name = file.slice(0, -'.in.yaml'.length);
  test(`translator golden: ${name}`, () => {
    const fixture = loadFixture(readFileSync(new URL(file, dir), 'utf8'));
    const result = translate(fixture.resources, fixture.options, fixture.wasm, 1);
    // Pure: a second run over the same input gives the same output.
    assert.deepEqual(translate(fixture.resources, fixture.options, fixture.wasm, 1), result);
    const actual = stringify(JSON.parse(JSON.stringify(result)), {
      lineWidth: 0,
      aliasDuplicateObjects: false,
    });
    const outUrl = new URL(`${name}.out.yaml`, dir);
    if (update || !existsSync(outUrl)) {
      writeFileSync(outUrl, actual);
      if (!update) assert.fail(`${name}.out.yaml did not exist; written now, review it and run again`);
      return;
    }
    assert.equal(
      actual,
      readFileSync(outUrl, 'utf8'),
      `${name}: output differs from ${name}.out.yaml (UPDATE_GOLDEN=1 to regenerate)`,
    );
  });
}
