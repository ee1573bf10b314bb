// The HTTP/1.1 request head: header names are checked once and remembered (request-head.ts), which must not
// let a name through that is not a token, nor let a framing field the proxy owns be written as a plain one —
// on the first request with a name, on later ones, and after the remembered names were dropped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestHead, type RequestHead } from '../../src/dataplane/upstream/request-head.js';

function head(headers: Record<string, string | string[]>, hasBody = false): RequestHead {
  const h = requestHead('GET', '/p?q=1', headers, hasBody);
  assert.equal(typeof h, 'object', String(h));
  return h as RequestHead;
}

describe('requestHead', () => {
  it('writes fields in order, drops connection fields and frames the body itself, every time', () => {
    const headers = {
      host: 'a.example.com',
      connection: 'keep-alive',
      'x-dup': ['1', '2'],
      'content-length': '5',
      'transfer-encoding': 'chunked',
      te: 'trailers',
      'set-cookie': ['s=1'],
    };
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(head(headers, true), {
        text:
          'GET /p?q=1 HTTP/1.1\r\nhost: a.example.com\r\nx-dup: 1\r\nx-dup: 2\r\nset-cookie: s=1\r\n' +
          'content-length: 5\r\n\r\n',
        contentLength: 5,
        chunked: false,
      });
      assert.equal(head(headers).text.includes('content-length: 0\r\n'), true);
    }
  });

  it('refuses a name that is not a token, on every request, also after valid names were remembered', () => {
    for (const bad of ['bad name', 'x\r\ninjected', 'caf\u00e9', 'a:b', '']) {
      for (let i = 0; i < 2; i++) {
        assert.equal(
          requestHead('GET', '/', { host: 'a', [bad]: 'v' }, false),
          `invalid header name ${JSON.stringify(bad)}`,
        );
      }
    }
  });

  it('refuses a bad value under a name it already knows', () => {
    head({ 'x-known': 'fine' });
    for (const v of ['a\r\nb', 'a\nb', 'a\0b', 'a\u010ab'])
      assert.equal(requestHead('GET', '/', { 'x-known': v }, false), 'invalid value for header "x-known"');
  });

  it('keeps checking names right once more names were seen than it remembers', () => {
    for (let i = 0; i < 3000; i++) head({ [`x-made-up-${i}`]: 'v' });
    const h = head({ 'content-length': '3', 'x-after': 'v', connection: 'close' }, true);
    assert.equal(h.text, 'GET /p?q=1 HTTP/1.1\r\nx-after: v\r\ncontent-length: 3\r\n\r\n');
    assert.equal(requestHead('GET', '/', { 'bad name': 'v' }, false), 'invalid header name "bad name"');
  });
});
