import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CalloutClient } from '../../../src/extensions/callout/client.js';
import { redirect } from './callout.js';
import {
  calloutIR,
  requestHeaders,
  requestInfo,
  startCallout,
  type RunningCallout,
} from '../../../test/callout/support.js';

describe('examples/callouts/redirect', () => {
  let callout: RunningCallout;
  const client = new CalloutClient();
  before(async () => {
    callout = await startCallout(redirect);
  });
  after(async () => {
    client.close();
    await callout.stop();
  });

  it('answers every request with a 301 to the fixed location', async () => {
    const s = client.extension(calloutIR({ port: callout.secure, tls: true })).open(requestInfo());
    try {
      const r = await s.requestHeaders(requestHeaders('/anything'), true);
      assert.equal(r.effect, 'IMMEDIATE_RESPONSE');
      assert.equal(r.immediate?.status, 301);
      assert.deepEqual(r.immediate?.headers, [['location', 'http://service-extensions.com/redirect']]);
    } finally {
      s.close();
    }
  });
});
