// A small JSON REST client for the Kubernetes API, authenticated from a KubeConfig.
//
// Why not client-node's typed APIs: they deserialize into model classes (Dates instead of RFC 3339
// strings), while informer watch events are plain JSON; the controller wants one plain shape everywhere
// (the translator's input goes straight into golden files). Connections are kept alive: status writes
// are on the apply → Programmed path.

import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export type PatchType = 'merge' | 'json';

const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

export class KubeRest {
  private readonly server: URL;
  private agent: http.Agent | undefined;

  constructor(private readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster)
      throw new Error(
        'kubeconfig has no current cluster: set current-context to a context whose cluster has a server',
      );
    this.server = new URL(cluster.server);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  create<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  replace<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.request<T>('PATCH', path, body, PATCH_CONTENT_TYPE[type]);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** Close kept-alive connections (the controller's close()). */
  close(): void {
    this.agent?.destroy();
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const opts: https.RequestOptions = { headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const secure = this.server.protocol === 'https:';
    this.agent ??= agentFor(secure, opts);
    const url = new URL(this.server.pathname.replace(/\/$/, '') + path, this.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = requestHeaders(opts, payload, contentType);
    const transport = secure ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve(answer<T>(res.statusCode ?? 0, text, `${method} ${path}`));
          } catch (err) {
            reject(err as Error);
          }
        });
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      if (payload) req.write(payload);
      req.end();
    });
  }
}

/** One kept-alive agent per client, with the kubeconfig's TLS material. */
function agentFor(secure: boolean, opts: https.RequestOptions): http.Agent {
  if (!secure) return new http.Agent({ keepAlive: true });
  return new https.Agent({
    keepAlive: true,
    ca: opts.ca,
    cert: opts.cert,
    key: opts.key,
    ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
    ...(opts.servername ? { servername: opts.servername } : {}),
  });
}

/** The kubeconfig's headers (bearer token, basic auth) plus JSON accept and the body's type and length. */
function requestHeaders(
  opts: https.RequestOptions,
  payload: Buffer | undefined,
  contentType: string,
): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  if (payload) {
    headers['content-type'] = contentType;
    headers['content-length'] = String(payload.length);
  }
  return headers;
}

/** A 2xx answer's JSON body; anything else throws a KubeApiError with the Status reason and message. */
function answer<T>(status: number, text: string, what: string): T {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (status >= 200 && status < 300) return parsed as T;
  const s = (parsed ?? {}) as { reason?: string; message?: string };
  throw new KubeApiError(status, s.reason ?? '', `${what}: ${status} ${s.message ?? text.slice(0, 200)}`);
}
