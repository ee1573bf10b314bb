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

describe('HeaderList fast paths for lowercase names', () => {
  it('keeps lowercasing whatever a callout or plugin passes, and finds it by its lowercase name', () => {
    const h = new HeaderList([['X-Mixed', '1']]);
    h.append('X-Added', 'a');
    h.set('CONTENT-Type', 'text/plain');
    assert.equal(h.getLowercase('x-mixed'), '1');
    assert.equal(h.getLowercase('x-added'), 'a');
    assert.equal(h.getLowercase('content-type'), 'text/plain');
    // The fast paths take the name as it is: a name that is not lowercase is not another spelling of one.
    assert.equal(h.getLowercase('X-Mixed'), undefined);
    h.appendLowercase('x-mixed', '2');
    assert.deepEqual(h.getAll('X-MIXED'), ['1', '2']);
  });

  it('setLowercase replaces every value at the first position, like set', () => {
    const h = new HeaderList([
      ['a', '1'],
      ['b', '2'],
      ['a', '3'],
      ['c', '4'],
      ['a', '5'],
    ]);
    h.setLowercase('a', 'x');
    assert.deepEqual(h.entries(), [
      ['a', 'x'],
      ['b', '2'],
      ['c', '4'],
    ]);
    h.setLowercase(':status', '200');
    assert.deepEqual(h.entries().at(-1), [':status', '200']);
    h.remove('B');
    assert.deepEqual(
      Array.from({ length: h.size }, (_, i) => [h.nameAt(i), h.valueAt(i)]),
      [
        ['a', 'x'],
        ['c', '4'],
        [':status', '200'],
      ],
    );
  });

  it('remove drops every value; version counts every edit, not a remove that removed nothing', () => {
    const h = new HeaderList([
      ['x', '1'],
      ['y', '2'],
      ['x', '3'],
      ['x', '4'],
    ]);
    const v = h.version;
    h.remove('X');
    assert.deepEqual(h.entries(), [['y', '2']]);
    assert.equal(h.version, v + 1);
    h.remove('absent');
    h.remove('X');
    assert.equal(h.version, v + 1);
    h.appendLowercase('z', '5');
    h.setLowercase('z', '6');
    assert.equal(h.version, v + 3);
    assert.equal(h.has('Z'), true);
    assert.equal(h.has('x'), false);
  });

  it('fromLowercaseObject builds the list fromObject does for a lowercase object, and toObject inverts it', () => {
    const obj = { 'content-type': 'a', 'set-cookie': ['s=1', 's=2'], 'x-dup': ['1', '2'], absent: undefined };
    const fast = HeaderList.fromLowercaseObject(obj);
    assert.deepEqual(fast.entries(), HeaderList.fromObject(obj).entries());
    assert.deepEqual(fast.entries(), [
      ['content-type', 'a'],
      ['set-cookie', 's=1'],
      ['set-cookie', 's=2'],
      ['x-dup', '1'],
      ['x-dup', '2'],
    ]);
    fast.appendLowercase(':status', '200');
    fast.appendLowercase('set-cookie', 's=3');
    assert.deepEqual(fast.toObject(), {
      'content-type': 'a',
      'set-cookie': ['s=1', 's=2', 's=3'],
      'x-dup': ['1', '2'],
    });
    assert.equal(fast.toObject(false)[':status'], '200');
    // fromObject still lowercases (trailers and other objects whose names it cannot vouch for).
    assert.deepEqual(HeaderList.fromObject({ 'X-A': '1' }).entries(), [['x-a', '1']]);
  });
});

describe('HeaderList.toObject', () => {
  for (const size of [5, 100])
    it(`joins repeats into arrays in first-seen order (${size} headers)`, () => {
      const entries = Array.from({ length: size }, (_, i): [string, string] => [`x-${i % 4}`, String(i)]);
      entries.push(['set-cookie', 'c'], [':status', '200']);
      const h = new HeaderList(entries);
      const expected: Record<string, string | string[]> = {};
      for (let k = 0; k < Math.min(4, size); k++) {
        const values = entries.filter(([n]) => n === `x-${k}`).map(([, v]) => v);
        expected[`x-${k}`] = values.length === 1 ? values[0]! : values;
      }
      expected['set-cookie'] = ['c'];
      assert.deepEqual(h.toObject(), expected);
      assert.deepEqual(Object.keys(h.toObject()), Object.keys(expected));
    });
});
