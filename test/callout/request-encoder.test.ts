// The direct ProcessingRequest encoder (request-encoder.ts) against protobufjs, the encoder it replaced: for
// every message shape extgate sends, and hostile header values, both encodings must decode (with protobufjs)
// to the same object.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeProcessingRequest,
  encodeProcessingRequestFrame,
} from '../../src/extensions/callout/request-encoder.js';
import {
  BodySendModeValue,
  extProcCodec,
  type HeaderValue,
  type ProcessingRequest,
} from '../../src/extensions/callout/protos.js';
import { toStruct } from '../../src/extensions/callout/struct.js';
import { ForwardedHeaders } from '../../src/extensions/callout/forwarded-headers.js';

const codec = extProcCodec();
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const allHighBytes = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));

const hostileHeaders: HeaderValue[] = [
  { key: ':method', raw_value: latin1('POST') },
  { key: ':path', raw_value: latin1('/a?b=c&d=%FF') },
  { key: 'empty', raw_value: new Uint8Array(0) },
  { key: 'latin1', raw_value: allHighBytes },
  { key: 'large', raw_value: Buffer.alloc(70_000, 0x61) },
  { key: 'ünïcode-key', raw_value: latin1('x') },
  { key: '', raw_value: latin1('empty key') },
  { key: 'value-field', value: 'plain ✓ utf-8' },
  { key: 'both', value: 'v', raw_value: latin1('r') },
];
const manyHeaders: HeaderValue[] = Array.from({ length: 500 }, (_, i) => ({
  key: `x-header-${i}`,
  raw_value: latin1(`value ${i} `.repeat(i % 7)),
}));
const metadata = {
  filter_metadata: {
    'com.example.ns': toStruct({
      s: 'string ✓',
      n: 3.25,
      neg: -1e300,
      z: 0,
      t: true,
      f: false,
      nil: null,
      list: [1, 'two', [3, { four: 4 }], null, false],
      nested: { deeper: { deepest: 'x'.repeat(300) } },
      empty: {},
      emptyList: [],
      '': 'empty key',
      'lone \ud800 surrogate': 'short \udc00',
      long: `a lone surrogate in a string of 40 characters or more \ud800 ${'x'.repeat(40)}`,
    }),
    'other.ns': toStruct({}),
  },
};
const protocolConfig = {
  request_body_mode: BodySendModeValue.STREAMED,
  response_body_mode: BodySendModeValue.FULL_DUPLEX_STREAMED,
  send_body_without_waiting_for_header_response: false,
};

const cases: Array<[string, ProcessingRequest]> = [
  ['empty message', {}],
  [
    'request headers, first message',
    {
      request_headers: { headers: { headers: hostileHeaders }, end_of_stream: false },
      metadata_context: metadata,
      protocol_config: protocolConfig,
    },
  ],
  [
    'response headers with end_of_stream',
    { response_headers: { headers: { headers: manyHeaders }, end_of_stream: true }, metadata_context: {} },
  ],
  ['headers with no header list', { request_headers: { headers: { headers: [] } } }],
  ['headers without a map', { response_headers: { end_of_stream: false } }],
  ['request body', { request_body: { body: latin1('hello'), end_of_stream: false }, metadata_context: {} }],
  ['empty body at end', { response_body: { body: new Uint8Array(0), end_of_stream: true } }],
  ['large body', { request_body: { body: Buffer.alloc(300_000, 0xfe), end_of_stream: true } }],
  ['body as a subarray', { request_body: { body: Buffer.from('xxhelloxx').subarray(2, 7) } }],
  ['request trailers', { request_trailers: { trailers: { headers: hostileHeaders.slice(0, 4) } } }],
  ['response trailers, empty', { response_trailers: { trailers: {} } }],
  ['response trailers, none', { response_trailers: {} }],
  [
    'observability mode',
    { request_headers: { headers: { headers: manyHeaders.slice(0, 3) } }, observability_mode: true },
  ],
  ['observability false', { request_body: { body: latin1('b') }, observability_mode: false }],
  ['attributes', { request_headers: {}, attributes: { 'envoy.filters.http.ext_proc': toStruct({ a: 1 }) } }],
  [
    'protocol config with every mode',
    {
      request_headers: {},
      protocol_config: {
        request_body_mode: BodySendModeValue.NONE,
        response_body_mode: BodySendModeValue.BUFFERED_PARTIAL,
        send_body_without_waiting_for_header_response: true,
      },
    },
  ],
  ['protocol config empty', { request_body: {}, protocol_config: {} }],
  // The data plane's own header lists (wire.ts → forwarded-headers.ts): values written from their strings.
  [
    'forwarded headers: latin1 bytes, characters over 0xff, empty, long, non-ASCII and empty keys',
    {
      request_headers: {
        headers: new ForwardedHeaders([
          ':method',
          'GET',
          'latin1',
          allHighBytes.toString('latin1'),
          'over-0xff',
          '\u0100\u20ac\ud800x',
          'empty',
          '',
          'long-64',
          'y'.repeat(64),
          'long-65',
          'z\u00e9'.repeat(40),
          'large',
          'a'.repeat(70_000),
          'ünïcode-key',
          'x',
          '',
          'empty key',
        ]),
        end_of_stream: true,
      },
      metadata_context: metadata,
    },
  ],
  [
    'forwarded trailers, many and none',
    {
      request_trailers: {
        trailers: new ForwardedHeaders(
          manyHeaders.flatMap((h) => [h.key, Buffer.from(h.raw_value!).toString('latin1')]),
        ),
      },
      response_trailers: { trailers: new ForwardedHeaders([]) },
    },
  ],
];

describe('ProcessingRequest encoder', () => {
  for (const [name, message] of cases) {
    it(`decodes as protobufjs' encoding does: ${name}`, () => {
      const ours = encodeProcessingRequest(message);
      const theirs = codec.encodeRequest(message);
      assert.deepEqual(codec.decodeRequest(ours), codec.decodeRequest(theirs));
      // Same fields in the same order: the same bytes (a stronger check, true for these shapes).
      assert.deepEqual(Buffer.from(ours), Buffer.from(theirs));
    });
  }

  it('decodes values as sent (header bytes 0x80-0xff, metadata, config)', () => {
    const message = cases[1]![1];
    const back = codec.decodeRequest(encodeProcessingRequest(message));
    const headers = back.request_headers!.headers!.headers!;
    assert.deepEqual(Buffer.from(headers.find((h) => h.key === 'latin1')!.raw_value!), allHighBytes);
    assert.equal(headers.find((h) => h.key === 'empty')!.raw_value!.length, 0);
    assert.equal(headers.find((h) => h.key === 'large')!.raw_value!.length, 70_000);
    assert.equal(back.request_headers!.end_of_stream, false);
    assert.deepEqual(back.protocol_config, protocolConfig);
    assert.ok(back.metadata_context!.filter_metadata!['com.example.ns']!.fields!.list);
  });

  it('frames the message with the gRPC prefix', () => {
    const message = cases[5]![1];
    const framed = encodeProcessingRequestFrame(message);
    const bare = encodeProcessingRequest(message);
    assert.equal(framed[0], 0);
    assert.equal(framed.readUInt32BE(1), bare.length);
    assert.deepEqual(framed.subarray(5), bare);
  });
});
