// One header codec everywhere (latin1): a header byte outside ASCII reaches a plugin or a callout as that
// byte and comes back unchanged. Node hands header values over as latin1 strings, so any other decoding
// (UTF-8 turns byte 0xE9 into 0xC3 0xA9) would change the bytes a backend receives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserializePairs, serializePairs } from '../../src/extensions/wasm/abi.js';
import { toHeaderMapMessage } from '../../src/extensions/callout/wire.js';
import { headerValueText } from '../../src/extensions/callout/mutations.js';
import { HeaderList } from '../../src/extensions/header-map.js';

const VALUE = 'caf\u00e9 \u00ff'; // as Node's parser gives bytes 63 61 66 e9 20 ff

test('Proxy-Wasm header pairs carry the header bytes', () => {
  const bytes = serializePairs([['x-name', VALUE]]);
  const at = bytes.indexOf(Buffer.from('caf'));
  assert.deepEqual([...bytes.subarray(at, at + 6)], [0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]);
  assert.deepEqual(deserializePairs(bytes), [['x-name', VALUE]]);
});

test('ext_proc raw_value carries the header bytes, and an answer’s bytes come back as sent', () => {
  const message = toHeaderMapMessage(new HeaderList([['x-name', VALUE]]), undefined);
  assert.deepEqual([...message.headers![0]!.raw_value!], [0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]);
  assert.equal(
    headerValueText({ key: 'x-name', raw_value: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff]) }, 'f'),
    VALUE,
  );
});
