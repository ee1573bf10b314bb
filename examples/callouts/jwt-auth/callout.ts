// Google's `jwt_auth` sample on extgate's SDK: a request must carry `Authorization: Bearer <JWT>` signed with
// RS256 by the key whose public half this callout holds; otherwise it is denied with 401 before it reaches a
// backend. Valid tokens pass, with their string claims added as `decoded-<claim>` request headers.
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { headersReply, immediateReply, runCallout, type Callout, type Reply } from 'extgate/callout';

export interface JwtAuthOptions {
  /** PEM of the RS256 public key. */
  readonly publicKeyPem: string;
  /** Seconds since the epoch; for tests. */
  readonly now?: () => number;
}

export function jwtAuth(o: JwtAuthOptions): Callout {
  const key = createPublicKey(o.publicKeyPem);
  const now = o.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    onRequestHeaders(headers) {
      const auth = headers.get('authorization') ?? '';
      const m = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(auth);
      if (!m) return deny('missing or malformed bearer token');
      const claims = verify(key, m[1]!, m[2]!, m[3]!, now());
      if (typeof claims === 'string') return deny(claims);
      const decoded: Record<string, string> = {};
      for (const [k, v] of Object.entries(claims)) {
        if (typeof v === 'string' && /^[a-z0-9_-]+$/i.test(k)) decoded[`decoded-${k.toLowerCase()}`] = v;
      }
      return headersReply({ set: decoded, clearRouteCache: true });
    },
  };
}

function deny(reason: string): Reply {
  return immediateReply(401, {
    headers: { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' },
    body: 'Authorization token is invalid',
    details: `jwt_auth: ${reason}`,
  });
}

/** The claims of a valid token, or why it is not valid. */
function verify(
  key: KeyObject,
  header: string,
  payload: string,
  signature: string,
  now: number,
): Record<string, unknown> | string {
  let h: { alg?: string };
  let claims: Record<string, unknown>;
  try {
    h = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  } catch {
    return 'token is not JSON';
  }
  if (h.alg !== 'RS256') return `algorithm ${String(h.alg)} is not RS256`;
  const ok = createVerify('RSA-SHA256')
    .update(`${header}.${payload}`)
    .verify(key, Buffer.from(signature, 'base64url'));
  if (!ok) return 'bad signature';
  if (typeof claims.exp === 'number' && now >= claims.exp) return 'token expired';
  if (typeof claims.nbf === 'number' && now < claims.nbf) return 'token not yet valid';
  return claims;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.env.JWT_PUBLIC_KEY_FILE;
  if (!file) throw new Error('set JWT_PUBLIC_KEY_FILE to the PEM file of the RS256 public key');
  await runCallout(jwtAuth({ publicKeyPem: readFileSync(file, 'utf8') }), 'jwt-auth');
}
