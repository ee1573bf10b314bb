// Runs the basic callout with the real SDK server and drives it with extgate's ext_proc client over TLS and h2c.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CalloutClient } from '../../../src/extensions/callout/client.js';
import { basic } from './callout.js';
import {
  calloutIR,
  requestHeaders,
  requestInfo,
  responseHeaders,
  startCallout,
  text,
  type RunningCallout,
} from '../../../test/callout/support.js';

describe('examples/callouts/basic', () => {
  let callout: RunningCallout;
  const client = new CalloutClient();
  before(async () => {
    callout = await startCallout(basic);
  });
  after(async () => {
    client.close();
    await callout.stop();
  });

  for (const tls of [true, false]) {
    it(`does what Google's basic sample does (${tls ? 'TLS' : 'h2c'})`, async () => {
      const ext = client.extension(
        calloutIR({
          port: tls ? callout.secure : callout.plaintext,
          tls,
          events: ['RequestHeaders', 'RequestBody', 'ResponseHeaders', 'ResponseBody'],
        }),
      );
      const stream = ext.open(requestInfo());
      try {
        const req = requestHeaders('/serviceextensions?x=1', [['foo', 'bar']]);
        const r1 = await stream.requestHeaders(req, false);
        assert.equal(req.get(':authority'), 'service-extensions.com');
        assert.equal(req.get(':path'), '/');
        assert.equal(req.get('header-request'), 'request');
        assert.equal(req.has('foo'), false);
        assert.equal(r1.clearRouteCache, true);
        assert.equal(r1.effect, 'CONTENT_MODIFIED');

        const b1 = await stream.requestBody(Buffer.from('original'), true);
        assert.equal(text(b1.chunks), 'replaced-body');

        const res = responseHeaders();
        await stream.responseHeaders(res, false);
        assert.equal(res.get('hello'), 'service-extensions');

        const b2 = await stream.responseBody(Buffer.from('upstream body'), true);
        assert.equal(text(b2.chunks), '');
      } finally {
        stream.close();
      }
    });
  }
});
