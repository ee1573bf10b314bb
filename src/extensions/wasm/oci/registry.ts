// OCI distribution API client: scheme selection (HTTPS; plain HTTP for loopback registries that do not speak
// TLS and for registries listed as insecure), the WWW-Authenticate Bearer token flow and Basic auth,
// manifests, blobs and monolithic uploads. Every blob read is checked against its digest. A registry is not
// trusted with the gateway's memory: every body is streamed under a byte cap (refused as soon as it passes
// the cap, or before reading when its Content-Length already does) and redirects are followed only
// REGISTRY_LIMITS.redirects times.
import { createHash } from 'node:crypto';
import { Agent, fetch, type Response } from 'undici';
import { isLoopbackRegistry, type ImageReference } from './reference.js';

export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
}

/** registry host[:port] → credentials (the `auths` of a Docker config, decoded). */
export type RegistryCredentials = Readonly<Record<string, RegistryAuth>>;

export interface RegistryClientOptions {
  readonly insecureRegistries?: readonly string[];
  readonly credentials?: RegistryCredentials;
  /** Force plain HTTP (`extgate wasm push --plain-http`). */
  readonly plainHttp?: boolean;
  readonly timeoutMs?: number;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
}

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
} as const;

export const REGISTRY_LIMITS = {
  /** Manifests and image indexes. distribution (the reference registry) refuses to store larger ones. */
  manifestBytes: 4 * 1024 * 1024,
  /** Token endpoint answers. */
  tokenBytes: 1024 * 1024,
  /** Redirects followed per request (blob storage usually takes one). */
  redirects: 5,
} as const;

const insecureAgent = new Agent({ connect: { rejectUnauthorized: false } });

/**
 * The body of `res`, refused (and the download abandoned) once it passes `maxBytes`: when Content-Length
 * already says so, nothing is read. `what` names the body in the message.
 */
export async function readCapped(res: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new RegistryError(
      `${what} is ${declared} bytes, over the ${maxBytes}-byte limit; it was not downloaded`,
    );
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new RegistryError(
        `${what} is larger than the ${maxBytes}-byte limit; the download was stopped at ${total} bytes`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Parses `Bearer realm="...",service="...",scope="..."`. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^(\w+)\s*(.*)$/.exec(header.trim());
  const params: Record<string, string> = {};
  if (!m) return { scheme: '', params };
  for (const p of m[2]!.matchAll(/(\w+)="([^"]*)"/g)) params[p[1]!.toLowerCase()] = p[2]!;
  return { scheme: m[1]!.toLowerCase(), params };
}

export class RegistryClient {
  private base?: string;
  private authHeader?: string;

  constructor(
    private readonly registry: string,
    private readonly opts: RegistryClientOptions = {},
  ) {}

  private insecure(): boolean {
    return (this.opts.insecureRegistries ?? []).includes(this.registry) || isLoopbackRegistry(this.registry);
  }

  /** Picks the scheme once: HTTPS unless told otherwise; HTTP for loopback/insecure registries without TLS. */
  private async resolveBase(): Promise<string> {
    if (this.base) return this.base;
    if (this.opts.plainHttp) return (this.base = `http://${this.registry}`);
    const https = `https://${this.registry}`;
    try {
      await this.raw(`${https}/v2/`, { method: 'GET' });
      return (this.base = https);
    } catch (err) {
      if (!this.insecure()) {
        throw new RegistryError(
          `cannot reach registry ${this.registry} over HTTPS: ${describe(err)} (plain HTTP is used only for ` +
            `localhost/127.0.0.0/8 and registries given with --insecure-registry)`,
        );
      }
      return (this.base = `http://${this.registry}`);
    }
  }

  /**
   * One request, following at most REGISTRY_LIMITS.redirects redirects (http/https only). Credentials go
   * only to the registry's own origin, never to the storage a blob redirect points at.
   */
  private async raw(
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: Uint8Array },
  ): Promise<Response> {
    const signal = AbortSignal.timeout(this.opts.timeoutMs ?? 30_000);
    const origin = new URL(url).origin;
    let target = url;
    for (let hop = 0; ; hop++) {
      const sameOrigin = new URL(target).origin === origin;
      const headers = { ...(init.headers ?? {}) };
      if (!sameOrigin) delete headers.authorization;
      const res = await fetch(target, {
        method: init.method,
        headers,
        ...(hop === 0 && init.body !== undefined ? { body: init.body } : {}),
        redirect: 'manual',
        signal,
        ...(this.insecure() ? { dispatcher: insecureAgent } : {}),
      });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) return res;
      await res.body?.cancel().catch(() => {});
      if (hop >= REGISTRY_LIMITS.redirects)
        throw new RegistryError(
          `${init.method} ${url}: more than ${REGISTRY_LIMITS.redirects} redirects; giving up`,
        );
      const next = new URL(location, target);
      if (next.protocol !== 'https:' && next.protocol !== 'http:')
        throw new RegistryError(`${init.method} ${url}: redirect to unsupported scheme ${next.protocol}`);
      target = next.toString();
    }
  }

  /** A request to `/v2/...` with auth: on 401, answers the challenge and retries once. */
  async request(
    path: string,
    init: { method: string; headers?: Record<string, string>; body?: Uint8Array; scope: string },
  ): Promise<Response> {
    const base = await this.resolveBase();
    const url = path.startsWith('http') ? path : `${base}${path}`;
    const send = () =>
      this.raw(url, {
        method: init.method,
        headers: { ...(init.headers ?? {}), ...(this.authHeader ? { authorization: this.authHeader } : {}) },
        ...(init.body ? { body: init.body } : {}),
      });
    let res: Response;
    try {
      res = await send();
    } catch (err) {
      throw new RegistryError(`${init.method} ${url}: ${describe(err)}`);
    }
    if (res.status !== 401) return res;
    await res.body?.cancel();
    const challenge = res.headers.get('www-authenticate');
    if (!challenge)
      throw new RegistryError(`${this.registry} answered 401 without a WWW-Authenticate challenge`);
    await this.authenticate(challenge, init.scope);
    try {
      return await send();
    } catch (err) {
      throw new RegistryError(`${init.method} ${url}: ${describe(err)}`);
    }
  }

  private async authenticate(challenge: string, scope: string): Promise<void> {
    const { scheme, params } = parseChallenge(challenge);
    const cred = this.opts.credentials?.[this.registry];
    const basic = cred
      ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`
      : undefined;
    if (scheme === 'basic') {
      if (!basic)
        throw new RegistryError(
          `${this.registry} requires credentials (a --registry-secret or ~/.docker/config.json entry)`,
        );
      this.authHeader = basic;
      return;
    }
    if (scheme !== 'bearer' || !params.realm)
      throw new RegistryError(`${this.registry}: unsupported auth challenge '${challenge}'`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: basic ? { authorization: basic } : {},
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        ...(this.insecure() ? { dispatcher: insecureAgent } : {}),
      });
    } catch (err) {
      throw new RegistryError(`token request to ${url.origin}${url.pathname} failed: ${describe(err)}`);
    }
    if (!res.ok)
      throw new RegistryError(
        `token request to ${url.origin}${url.pathname} answered ${res.status}${cred ? '' : ' (no credentials configured for this registry)'}`,
      );
    const text = await readCapped(res, REGISTRY_LIMITS.tokenBytes, `the token answer of ${url.origin}`);
    let body: { token?: string; access_token?: string };
    try {
      body = JSON.parse(text.toString('utf8')) as typeof body;
    } catch {
      throw new RegistryError(
        `token endpoint ${url.origin}${url.pathname} answered something other than JSON`,
      );
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token endpoint ${url.origin}${url.pathname} returned no token`);
    this.authHeader = `Bearer ${token}`;
  }

  async getManifest(
    ref: ImageReference,
    reference = ref.ref,
  ): Promise<{ mediaType: string; digest: string; body: Buffer }> {
    const res = await this.request(`/v2/${ref.repository}/manifests/${reference}`, {
      method: 'GET',
      headers: {
        accept: [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList].join(', '),
      },
      scope: `repository:${ref.repository}:pull`,
    });
    if (res.status === 404)
      throw new RegistryError(
        `image ${ref.registry}/${ref.repository}:${reference} not found (no such repository or tag)`,
      );
    if (!res.ok)
      throw new RegistryError(
        `fetching manifest ${ref.registry}/${ref.repository}:${reference}: HTTP ${res.status}`,
      );
    const body = await readCapped(
      res,
      REGISTRY_LIMITS.manifestBytes,
      `manifest ${ref.registry}/${ref.repository}:${reference}`,
    );
    const digest = sha256(body);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new RegistryError(
        `manifest digest mismatch for ${ref.repository}: got ${digest}, asked for ${reference}`,
      );
    }
    let parsed: { mediaType?: string };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      throw new RegistryError(`manifest ${ref.registry}/${ref.repository}:${reference} is not JSON`);
    }
    const mediaType = parsed.mediaType ?? res.headers.get('content-type') ?? '';
    return { mediaType, digest, body };
  }

  /** A blob, refused without being held whole when it is larger than `maxBytes`. */
  async getBlob(ref: ImageReference, digest: string, maxBytes: number): Promise<Buffer> {
    const res = await this.request(`/v2/${ref.repository}/blobs/${digest}`, {
      method: 'GET',
      scope: `repository:${ref.repository}:pull`,
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new RegistryError(`fetching blob ${digest} of ${ref.repository}: HTTP ${res.status}`);
    }
    const body = await readCapped(res, maxBytes, `layer ${digest}`);
    const actual = sha256(body);
    if (actual !== digest)
      throw new RegistryError(`blob digest mismatch in ${ref.repository}: expected ${digest}, got ${actual}`);
    return body;
  }

  async putBlob(ref: ImageReference, data: Uint8Array): Promise<string> {
    const digest = sha256(data);
    const scope = `repository:${ref.repository}:pull,push`;
    const head = await this.request(`/v2/${ref.repository}/blobs/${digest}`, { method: 'HEAD', scope });
    await head.body?.cancel();
    if (head.ok) return digest;
    const start = await this.request(`/v2/${ref.repository}/blobs/uploads/`, { method: 'POST', scope });
    await start.body?.cancel();
    if (start.status !== 202)
      throw new RegistryError(`starting upload to ${ref.repository}: HTTP ${start.status}`);
    const location = start.headers.get('location');
    if (!location) throw new RegistryError(`registry gave no upload location for ${ref.repository}`);
    const base = await this.resolveBase();
    const url = new URL(location, base);
    url.searchParams.set('digest', digest);
    const put = await this.request(url.toString(), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
      body: data,
      scope,
    });
    await put.body?.cancel();
    if (put.status !== 201)
      throw new RegistryError(`uploading blob ${digest} to ${ref.repository}: HTTP ${put.status}`);
    return digest;
  }

  async putManifest(ref: ImageReference, mediaType: string, body: Uint8Array): Promise<string> {
    const res = await this.request(`/v2/${ref.repository}/manifests/${ref.ref}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body,
      scope: `repository:${ref.repository}:pull,push`,
    });
    const text = (await readCapped(res, REGISTRY_LIMITS.tokenBytes, 'the registry answer')).toString('utf8');
    if (res.status !== 201)
      throw new RegistryError(
        `pushing manifest ${ref.repository}:${ref.ref}: HTTP ${res.status} ${text.slice(0, 300)}`,
      );
    return sha256(body);
  }
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
