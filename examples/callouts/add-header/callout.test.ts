import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CalloutClient } from '../../../src/extensions/callout/client.js';
import { addHeader } from './callout.js';
import {
  calloutIR,
  requestHeaders,
  requestInfo,
  responseHeaders,
  startCallout,
  type RunningCallout,
} from '../../../test/callout/support.js';

describe('examples/callouts/add-header', () => {
  let callout: RunningCallout;
  const client = new CalloutClient();
  before(async () => {
    callout = await startCallout(addHeader);
  });
  after(async () => {
    client.close();
    await callout.stop();
  });

  it('adds a request header and a response header, keeping existing values', async () => {
    const s = client.extension(calloutIR({ port: callout.secure, tls: true })).open(requestInfo());
    try {
      const req = requestHeaders('/', [['header-request', 'from-client']]);
      await s.requestHeaders(req, true);
      assert.deepEqual(req.getAll('header-request'), ['from-client', 'request']);
      const res = responseHeaders();
      await s.responseHeaders(res, true);
      assert.equal(res.get('header-response'), 'response');
    } finally {
      s.close();
    }
  });
});
