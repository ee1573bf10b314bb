// HPACK decoding (RFC 7541) as the callout client needs it: the RFC's own examples, and header blocks that
// nghttp2 (inside node:http2) encodes, read off a real socket.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  HpackDecoder,
  HpackError,
  encodeConstantBlock,
  huffmanCode,
  huffmanDecode,
} from '../../src/extensions/callout/hpack.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('HPACK', () => {
  it('Huffman codes are the RFC 7541 Appendix B codes', () => {
    assert.deepEqual(huffmanCode(0), [0x1ff8, 13]);
    assert.deepEqual(huffmanCode(10), [0x3ffffffc, 30]);
    assert.deepEqual(huffmanCode('a'.charCodeAt(0)), [0x3, 5]);
    assert.deepEqual(huffmanCode('&'.charCodeAt(0)), [0xf8, 8]);
    assert.deepEqual(huffmanCode(255), [0x3ffffee, 26]);
    assert.deepEqual(huffmanCode(256), [0x3fffffff, 30]);
  });

  it('decodes every byte 0-255 from its Huffman code', () => {
    const syms = [...Array(256).keys(), ...[...Array(256).keys()].reverse()];
    let bits = '';
    for (const sym of syms) {
      const [code, len] = huffmanCode(sym);
      bits += code.toString(2).padStart(len, '0');
    }
    bits += '1'.repeat((8 - (bits.length % 8)) % 8);
    const bytes = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
    assert.equal(huffmanDecode(bytes), Buffer.from(syms).toString('latin1'));
  });

  it('decodes the requests of RFC 7541 C.4 (Huffman, dynamic table across blocks)', () => {
    const d = new HpackDecoder(4096, 65536);
    assert.deepEqual(d.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    assert.deepEqual(d.decode(hex('8286 84be 5886 a8eb 1064 9cbf')), [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ]);
    assert.deepEqual(d.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf')), [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
  });

  it('evicts as RFC 7541 C.5 does with a 256-byte table', () => {
    const d = new HpackDecoder(256, 65536);
    d.decode(
      hex(`4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32
           3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`),
    );
    // 4803 3330 37: :status 307 with indexing evicts :status 302; c1 is now "location" (index 63).
    assert.deepEqual(d.decode(hex('4803 3330 37c1 c0bf')), [
      [':status', '307'],
      ['cache-control', 'private'],
      ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      ['location', 'https://www.example.com'],
    ]);
  });

  it('refuses hostile blocks: bad index, EOS or bad padding in Huffman, oversized lists, late size updates', () => {
    const d = (): HpackDecoder => new HpackDecoder(4096, 200);
    assert.throws(() => d().decode(hex('80')), HpackError);
    assert.throws(() => d().decode(hex('be')), HpackError); // dynamic index 62 in an empty table
    assert.throws(() => d().decode(hex('ffffffffffff0f')), HpackError); // integer overflow
    assert.throws(() => d().decode(hex('0085 f1e3c2e5f2')), HpackError); // truncated string
    assert.throws(() => huffmanDecode(hex('ffffffff')), HpackError); // EOS inside
    assert.equal(huffmanDecode(hex('1f')), 'a'); // 'a', then padding of ones
    assert.throws(() => huffmanDecode(hex('18')), HpackError); // 'a', then padding of zeros
    assert.throws(() => huffmanDecode(hex('ffff')), HpackError); // padding longer than 7 bits
    const longName = Buffer.concat([hex('007f 8201'), Buffer.alloc(257, 0x61), hex('00')]);
    assert.throws(() => d().decode(longName), /header list larger than 200 bytes/);
    assert.equal(new HpackDecoder(4096, 400).decode(longName)[0]![0].length, 257);
    assert.throws(() => d().decode(hex('82 20')), HpackError); // size update after a field
    assert.throws(() => d().decode(hex('3fe21f')), HpackError); // size update above what we announced
  });

  it('encodes the constant request block so that a decoder reads it back, without touching the table', () => {
    const fields = [
      [':method', 'POST'],
      [':scheme', 'https'],
      [':path', '/envoy.service.ext_proc.v3.ExternalProcessor/Process'],
      [':authority', 'callout.test'],
      ['te', 'trailers'],
      ['x-long', 'v'.repeat(300)],
    ] as const;
    const block = encodeConstantBlock(fields);
    const d = new HpackDecoder(4096, 65536);
    assert.deepEqual(d.decode(block), fields);
    assert.deepEqual(d.decode(block), fields);
  });

  it("decodes nghttp2's Huffman encoding of every byte a header value may hold", async () => {
    // Every value byte node:http2 lets through (tab, printable ASCII, 0x80-0xff), in several header values.
    const bytes: number[] = [9];
    for (let b = 0x20; b <= 0xff; b++) if (b !== 0x7f) bytes.push(b);
    const all = Buffer.from(bytes).toString('latin1');
    const values: Record<string, string> = {
      'x-all': all,
      'x-reversed': [...all].reverse().join(''),
      'x-text': 'application/grpc+proto; charset=utf-8',
    };
    const server = http2.createServer();
    server.on('stream', (stream) => stream.respond({ ':status': 200, ...values }, { endStream: true }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const block = await firstResponseBlock(port);
      const fields = new HpackDecoder(4096, 65536).decode(block);
      const got = Object.fromEntries(fields);
      for (const [k, v] of Object.entries(values)) assert.equal(got[k], v, k);
      // nghttp2 chose Huffman for the text (shorter); the block being shorter than the raw text shows it.
      assert.ok(block.length < all.length * 2 + 100);
    } finally {
      server.close();
    }
  });
});

/**
 * Speaks just enough HTTP/2 over a raw socket to get a response header block: the preface, empty SETTINGS,
 * one HEADERS frame (a literal block: GET /). Returns the first HEADERS payload the server sends.
 */
function firstResponseBlock(port: number): Promise<Buffer> {
  const request = encodeConstantBlock([
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'localhost'],
  ]);
  const frame = (type: number, flags: number, id: number, payload: Buffer): Buffer => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(id, 5);
    return Buffer.concat([h, payload]);
  };
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let input = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      input = Buffer.concat([input, chunk]);
      while (input.length >= 9) {
        const len = input.readUIntBE(0, 3);
        if (input.length < 9 + len) return;
        const type = input[3]!;
        const payload = input.subarray(9, 9 + len);
        input = input.subarray(9 + len);
        if (type === 0x1) {
          socket.destroy();
          resolve(Buffer.from(payload));
          return;
        }
      }
    });
    socket.write(
      Buffer.concat([
        Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
        frame(0x4, 0, 0, Buffer.alloc(0)),
        frame(0x1, 0x4 | 0x1, 1, request),
      ]),
    );
  });
}
