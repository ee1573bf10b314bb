// `extgate up -f FILE_OR_DIR`: applies manifests through the API the way `kubectl apply` does (client-side
// apply with the last-applied annotation), so a later `kubectl apply` of the same files sees them as its own.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kindOf } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { isPlainObject } from './patch/json-patch.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApiEndpoint {
  url: string;
  token: string;
  caPem: string;
}

export interface AppliedManifest {
  source: string;
  ref: string;
  action: 'created' | 'configured' | 'unchanged';
}

/** Every `.yaml`/`.yml`/`.json` file under `path` (sorted), or the file itself. */
function manifestFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const p = join(path, name);
      if (statSync(p).isDirectory()) return manifestFiles(p);
      return ['.yaml', '.yml', '.json'].includes(extname(name)) ? [p] : [];
    });
}

/** Parses the documents of one file; errors name the file and line. */
export function readManifests(file: string): KubeObject[] {
  const text = readFileSync(file, 'utf8');
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const e = doc.errors[0];
    if (e) {
      throw new Error(`${file}: line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const items =
      isPlainObject(value) &&
      typeof value.kind === 'string' &&
      value.kind.endsWith('List') &&
      Array.isArray(value.items)
        ? value.items
        : [value];
    for (const item of items) {
      if (!isPlainObject(item) || typeof item.apiVersion !== 'string' || typeof item.kind !== 'string')
        throw new Error(`${file}: every document needs "apiVersion" and "kind"`);
      if (!isPlainObject(item.metadata) || typeof item.metadata.name !== 'string')
        throw new Error(`${file}: ${item.kind} without metadata.name`);
      out.push(item as KubeObject);
    }
  }
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .filter((k) => v[k] !== null)
      .map((k) => [k, sortKeys(v[k])]),
  );
}

/** RFC 7386 patch turning `from` into `to` (nulls for removed keys). */
function mergeDiff(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) return to;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (JSON.stringify(from[key]) === JSON.stringify(value)) continue;
    patch[key] = isPlainObject(value) && isPlainObject(from[key]) ? mergeDiff(from[key], value) : value;
  }
  return patch;
}

async function call(
  api: ApiEndpoint,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const u = new URL(path, api.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method,
        ca: api.caPem,
        headers: {
          Authorization: `Bearer ${api.token}`,
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': contentType } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
            });
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function itemPath(obj: KubeObject, namespace: string): string {
  const k = kindOf(obj.apiVersion, obj.kind);
  if (!k)
    throw new Error(
      `${obj.apiVersion} ${obj.kind} "${obj.metadata.name}": this kind is not served by extgate's API`,
    );
  // The manifest's own version (any served one), as kubectl would address it.
  const base = k.group === '' ? `/api/${obj.apiVersion}` : `/apis/${obj.apiVersion}`;
  const ns = k.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata.namespace ?? namespace)}` : '';
  return `${base}${ns}/${k.plural}/${encodeURIComponent(obj.metadata.name ?? '')}`;
}

/** Applies every manifest under `paths` (files or folders) in order; throws with the server's message on failure. */
export async function applyManifests(
  api: ApiEndpoint,
  paths: string[],
  namespace = 'default',
): Promise<AppliedManifest[]> {
  const results: AppliedManifest[] = [];
  for (const file of paths.flatMap(manifestFiles)) {
    for (const obj of readManifests(file)) {
      const path = itemPath(obj, namespace);
      const manifest = structuredClone(obj);
      manifest.metadata.annotations = { ...manifest.metadata.annotations };
      delete manifest.metadata.annotations[LAST_APPLIED];
      const k = kindOf(obj.apiVersion, obj.kind)!;
      if (k.namespaced) manifest.metadata.namespace = obj.metadata.namespace ?? namespace;
      // Byte-identical to kubectl's annotation (Go marshals map keys sorted), so kubectl sees no change.
      const lastApplied = JSON.stringify(sortKeys(manifest)) + '\n';
      const ref = `${k.kind.toLowerCase()}${k.group ? '.' + k.group : ''}/${obj.metadata.name}`;
      const live = await call(api, 'GET', path);
      let res;
      let action: AppliedManifest['action'];
      if (live.status === 404) {
        const body = structuredClone(manifest);
        body.metadata.annotations = { ...body.metadata.annotations, [LAST_APPLIED]: lastApplied };
        res = await call(api, 'POST', path.slice(0, path.lastIndexOf('/')), body);
        action = 'created';
      } else {
        const liveMeta = (live.body.metadata ?? {}) as { annotations?: Record<string, string> };
        const previous = liveMeta.annotations?.[LAST_APPLIED];
        const patch = mergeDiff(previous ? JSON.parse(previous) : {}, manifest) as Record<string, unknown>;
        const meta = isPlainObject(patch.metadata) ? patch.metadata : (patch.metadata = {});
        meta.annotations = {
          ...(isPlainObject(meta.annotations) ? meta.annotations : {}),
          [LAST_APPLIED]: lastApplied,
        };
        res = await call(api, 'PATCH', path, patch, 'application/merge-patch+json');
        const before = (live.body.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
        const after = (res.body.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
        action = before === after ? 'unchanged' : 'configured';
      }
      if (res.status >= 300)
        throw new Error(`error when applying "${file}": ${String(res.body.message ?? `HTTP ${res.status}`)}`);
      results.push({ source: file, ref, action });
    }
  }
  return results;
}
