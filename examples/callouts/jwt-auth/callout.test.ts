import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { CalloutClient } from '../../../src/extensions/callout/client.js';
import { jwtAuth } from './callout.js';
import {
  calloutIR,
  requestHeaders,
  requestInfo,
  startCallout,
  type RunningCallout,
} from '../../../test/callout/support.js';

const NOW = 1_800_000_000;
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

function token(claims: Record<string, unknown>, key = keys.privateKey, alg = 'RS256'): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signed = `${enc({ alg, typ: 'JWT' })}.${enc(claims)}`;
  return `${signed}.${createSign('RSA-SHA256').update(signed).sign(key).toString('base64url')}`;
}

describe('examples/callouts/jwt-auth', () => {
  let callout: RunningCallout;
  const client = new CalloutClient();
  before(async () => {
    callout = await startCallout(
      jwtAuth({
        publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        now: () => NOW,
      }),
    );
  });
  after(async () => {
    client.close();
    await callout.stop();
  });

  async function check(authorization: string | undefined) {
    const s = client.extension(calloutIR({ port: callout.secure, tls: true })).open(requestInfo());
    try {
      const h = requestHeaders('/', authorization ? [['authorization', authorization]] : []);
      return { result: await s.requestHeaders(h, true), headers: h };
    } finally {
      s.close();
    }
  }

  it('passes a valid token and adds its claims as decoded-* headers', async () => {
    const { result, headers } = await check(
      `Bearer ${token({ sub: 'alice', name: 'Alice', exp: NOW + 60 })}`,
    );
    assert.equal(result.immediate, undefined);
    assert.equal(headers.get('decoded-sub'), 'alice');
    assert.equal(headers.get('decoded-name'), 'Alice');
  });

  const denied: Array<[string, string | undefined]> = [
    ['no token', undefined],
    ['not a bearer token', 'Basic dXNlcjpwYXNz'],
    ['signed by another key', `Bearer ${token({ sub: 'mallory' }, other.privateKey)}`],
    ['expired', `Bearer ${token({ sub: 'alice', exp: NOW - 1 })}`],
    ['not yet valid', `Bearer ${token({ sub: 'alice', nbf: NOW + 60 })}`],
    ['alg none', `Bearer ${token({ sub: 'alice' }, keys.privateKey, 'none')}`],
  ];
  for (const [why, auth] of denied) {
    it(`denies with 401: ${why}`, async () => {
      const { result } = await check(auth);
      assert.equal(result.immediate?.status, 401);
      assert.equal(Buffer.from(result.immediate!.body).toString(), 'Authorization token is invalid');
    });
  }
});
