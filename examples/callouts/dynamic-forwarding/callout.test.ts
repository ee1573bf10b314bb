import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CalloutClient } from '../../../src/extensions/callout/client.js';
import { DEFAULT_ENDPOINT, dynamicForwarding } from './callout.js';
import {
  calloutIR,
  requestHeaders,
  requestInfo,
  startCallout,
  type RunningCallout,
} from '../../../test/callout/support.js';

describe('examples/callouts/dynamic-forwarding', () => {
  let callout: RunningCallout;
  const client = new CalloutClient();
  before(async () => {
    callout = await startCallout(dynamicForwarding);
  });
  after(async () => {
    client.close();
    await callout.stop();
  });

  for (const [asked, expected] of [
    ['10.0.0.5:8080', '10.0.0.5:8080'],
    [undefined, DEFAULT_ENDPOINT],
    ['not-an-endpoint', DEFAULT_ENDPOINT],
  ] as const) {
    it(`ip-to-return ${asked ?? '(absent)'} selects ${expected}`, async () => {
      const s = client
        .extension(calloutIR({ port: callout.secure, tls: true, events: ['RequestHeaders'] }))
        .open(requestInfo());
      try {
        const r = await s.requestHeaders(requestHeaders('/', asked ? [['ip-to-return', asked]] : []), true);
        assert.equal(r.selectedEndpoint, expected);
      } finally {
        s.close();
      }
    });
  }
});
