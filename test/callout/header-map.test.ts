import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderList } from '../../src/extensions/header-map.js';

describe('HeaderList', () => {
  it('is an ordered, case-insensitive multimap', () => {
    const h = HeaderList.fromRaw(['Host', 'a', 'X-A', '1', 'x-a', '2', 'Accept', '*/*']);
    assert.equal(h.get('HOST'), 'a');
    assert.deepEqual(h.getAll('x-a'), ['1', '2']);
    h.set('X-A', '3');
    assert.deepEqual(h.entries(), [
      ['host', 'a'],
      ['x-a', '3'],
      ['accept', '*/*'],
    ]);
    h.append('x-a', '4');
    h.remove('host');
    assert.deepEqual(h.entries(), [
      ['x-a', '3'],
      ['accept', '*/*'],
      ['x-a', '4'],
    ]);
    assert.equal(h.has('Accept'), true);
    assert.equal(h.size, 3);
    h.set('new', 'v');
    assert.equal(h.entries().at(-1)![0], 'new');
  });
});
