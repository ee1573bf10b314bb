// The direct ProcessingResponse decoder (response-decoder.ts) against protobufjs' decode + toObject, the path it
// replaced: the same object (or the same error) for every answer shape, for hostile bytes, and for thousands
// of randomly corrupted answers; the common answers never need the protobufjs fallback.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProcessingResponse } from '../../src/extensions/callout/response-decoder.js';
import {
  extProcCodec,
  type HeaderValue,
  type ProcessingResponse,
} from '../../src/extensions/callout/protos.js';

const codec = extProcCodec();
const enc = (m: ProcessingResponse): Buffer => Buffer.from(codec.encodeResponse(m));
const noFallback = (): never => {
  throw new Error('the fast path fell back');
};

const mutation = {
  set_headers: [
    { header: { key: 'x-a', raw_value: Buffer.from('1') } },
    { header: { key: 'x-b', value: 'two ✓' }, append: { value: true }, append_action: 2 },
    { header: { key: 'x-c', raw_value: Buffer.from([0x80, 0xff, 0]) }, keep_empty_value: true },
    { header: { key: '', raw_value: Buffer.alloc(0) }, append: {} },
    { header: {} as HeaderValue },
    {},
  ],
  remove_headers: ['x-gone', '', 'ünï'],
};

const fast: Array<[string, ProcessingResponse]> = [
  ['empty request_headers answer', { request_headers: {} }],
  ['empty common response', { request_headers: { response: {} } }],
  ['header mutation', { response_headers: { response: { header_mutation: mutation } } }],
  [
    'continue and replace with a body',
    {
      request_headers: {
        response: { status: 1, body_mutation: { body: Buffer.from('new body') }, clear_route_cache: true },
      },
    },
  ],
  ['clear body', { request_body: { response: { body_mutation: { clear_body: true } } } }],
  ['clear body false', { request_body: { response: { body_mutation: { clear_body: false } } } }],
  ['empty body', { response_body: { response: { body_mutation: { body: Buffer.alloc(0) } } } }],
  ['large body', { response_body: { response: { body_mutation: { body: Buffer.alloc(200_000, 7) } } } }],
  [
    'streamed response',
    {
      request_body: {
        response: {
          body_mutation: { streamed_response: { body: Buffer.from('chunk'), end_of_stream: true } },
        },
      },
    },
  ],
  ['empty streamed response', { response_body: { response: { body_mutation: { streamed_response: {} } } } }],
  ['trailers', { request_trailers: { header_mutation: mutation } }],
  ['empty trailers answer', { response_trailers: {} }],
  ['status only', { response_headers: { response: { status: 0 } } }],
  [
    'many headers',
    {
      request_headers: {
        response: {
          header_mutation: {
            set_headers: Array.from({ length: 300 }, (_, i) => ({
              header: { key: `x-${i}`, raw_value: Buffer.from('v'.repeat(i)) },
            })),
          },
        },
      },
    },
  ],
];

const slow: Array<[string, ProcessingResponse]> = [
  [
    'immediate response',
    { immediate_response: { status: { code: 403 }, body: Buffer.from('no'), details: 'd' } },
  ],
  ['dynamic metadata', { request_headers: {}, dynamic_metadata: { fields: { a: { stringValue: 'b' } } } }],
  ['override timeout', { override_message_timeout: { seconds: 3, nanos: 5 } }],
  ['mode override', { request_headers: {}, mode_override: { request_body_mode: 1 } }],
  [
    'common trailers',
    {
      request_body: {
        response: { trailers: { headers: [{ key: 'a', raw_value: Buffer.from('b') }] } },
      } as never,
    },
  ],
  ['nothing', {}],
];

/** The outcome of a decode: the object, or the error's message. */
function outcome(decode: () => ProcessingResponse): unknown {
  try {
    return { value: decode() };
  } catch (err) {
    return { error: String(err) };
  }
}

function same(b: Buffer, what: string): void {
  assert.deepEqual(
    outcome(() => codec.decodeResponse(b)),
    outcome(() => codec.decodeResponseWithProtobufjs(b)),
    `${what}: ${b.toString('hex').slice(0, 200)}`,
  );
}

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('ProcessingResponse decoder', () => {
  for (const [name, m] of fast) {
    it(`decodes without protobufjs as protobufjs did: ${name}`, () => {
      const b = enc(m);
      assert.deepEqual(decodeProcessingResponse(b, noFallback), codec.decodeResponseWithProtobufjs(b));
    });
  }

  for (const [name, m] of slow) {
    it(`leaves to protobufjs, same result: ${name}`, () => same(enc(m), name));
  }

  it('hostile bytes: the same object or the same error', () => {
    const cases: Array<[string, Buffer]> = [
      ['empty', hex('')],
      ['wrong wire type for request_headers', hex('08 01')],
      ['two oneof members', hex('0a00 1200')],
      ['same member twice', hex('0a02 0a00 0a00')],
      [
        'unknown fields of every wire type',
        hex('f801 05 f901 0102030405060708 fa01 02 aabb fd01 01020304 0a00'),
      ],
      ['group', hex('fb01 fc01 0a00')],
      ['truncated length', hex('0a05 0a00')],
      ['truncated varint', hex('0a')],
      ['varint over 5 bytes', hex('0a02 0a80808080808001')],
      ['negative enum', hex('0a0d 0a0b 08ffffffffffffffffff01')],
      ['field 0', hex('0000 0a00')],
      ['invalid utf-8 header key', hex('0a0c 0a0a 1208 0a06 0a04 6180ff62')],
      ['sub-message field crossing its end', hex('0a04 0a02 1205 0000000000')],
      ['bool as a long varint', hex('0a06 0a04 2880 8080 10')],
      ['status twice (last wins)', hex('0a06 0a04 0801 0800')],
      ['body then clear_body', hex('1a08 0a06 1a04 0a00 1001')],
    ];
    for (const [name, b] of cases) same(b, name);
  });

  it('thousands of corrupted answers: the same object or the same error', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const bases = [...fast, ...slow].map(([, m]) => enc(m)).filter((b) => b.length < 5000);
    for (let i = 0; i < 4000; i++) {
      const b = Buffer.from(bases[rand(bases.length)]!);
      const edits = 1 + rand(3);
      for (let e = 0; e < edits && b.length > 0; e++) b[rand(b.length)] = rand(256);
      const cut = rand(4) === 0 ? b.subarray(0, rand(b.length + 1)) : b;
      same(Buffer.from(cut), `case ${i}`);
    }
  });
});
