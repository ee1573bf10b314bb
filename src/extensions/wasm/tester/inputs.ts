// Phase inputs as Google's tester builds them (plugins/test/dynamic_test.cc): headers from an HTTP/1 head
// (pseudo-headers from the request line, a full URL sets :scheme/:authority/:path and drops Host) or from the
// `header` list, in one key-sorted, case-insensitive map whose repeated keys are joined with ", "; bodies from
// `content` or `file`, split by the test's chunking plan.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { HeaderList } from '../../header-map.js';
import type { Input, TestCase } from './suite.js';

/** A path from the test file, relative to the test file's directory (Google: `env.test_path`'s parent). */
export function resolveFromSuite(base: string, p: string): string {
  return isAbsolute(p) ? p : join(base, p);
}

/** The key-sorted, case-insensitive header map of Google's tester, as a HeaderList in that order. */
export class SortedHeaders {
  private readonly map = new Map<string, { key: string; value: string }>();

  insertOrAppend(key: string, value: string): void {
    const lower = key.toLowerCase();
    const have = this.map.get(lower);
    if (have === undefined || have.value === '') this.map.set(lower, { key: have?.key ?? key, value });
    else have.value = `${have.value}, ${value}`; // RFC 9110 field order, as Google's InsertOrAppend
  }

  toHeaderList(): HeaderList {
    const sorted = [...this.map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return new HeaderList(sorted.map(([, kv]) => [kv.key, kv.value] as [string, string]));
  }
}

/** Headers of a header phase; throws with Google's wording for an HTTP/1 head it cannot parse. */
export function headerInput(input: Input, response: boolean, base: string): HeaderList {
  const out = new SortedHeaders();
  const content = input.file ? readFileSync(resolveFromSuite(base, input.file), 'utf8') : input.content;
  if (input.file || (content !== undefined && content !== '')) parseHttp1Head(content ?? '', response, out);
  else for (const h of input.header) out.insertOrAppend(h.key, h.value ?? '');
  return out.toHeaderList();
}

function parseHttp1Head(content: string, response: boolean, out: SortedHeaders): void {
  const lines = content.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const first = lines.shift() ?? '';
  const fields: Array<[string, string]> = [];
  for (const line of lines) {
    if (line === '') break; // end of the head
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`Header parse error: no colon in header line ${JSON.stringify(line)}`);
    fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const parts = first.trim().split(/\s+/);
  if (response) {
    if (!/^HTTP\/\d/.test(parts[0] ?? '') || !/^\d{3}$/.test(parts[1] ?? ''))
      throw new Error(`Header parse error: not a status line: ${JSON.stringify(first)}`);
    out.insertOrAppend(':status', parts[1]!);
  } else {
    const [method, uri] = parts;
    if (!method || !uri || !/^HTTP\/\d/.test(parts[2] ?? ''))
      throw new Error(`Header parse error: not a request line: ${JSON.stringify(first)}`);
    out.insertOrAppend(':method', method);
    let dropHost = false;
    const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(uri) ? tryUrl(uri) : undefined;
    if (absolute) {
      // Absolute form: everything comes from the URL (a default port is not shown, as GURL canonicalizes it).
      out.insertOrAppend(':scheme', absolute.protocol.slice(0, -1));
      out.insertOrAppend(':path', `${absolute.pathname}${absolute.search}`);
      out.insertOrAppend(
        ':authority',
        absolute.port ? `${absolute.hostname}:${absolute.port}` : absolute.hostname,
      );
      dropHost = true;
    } else {
      const joined = tryUrl(uri, 'http://example.com');
      if (!uri.startsWith('/') || !joined || `${joined.pathname}${joined.search}` !== uri)
        throw new Error(`Invalid URI: ${uri}`);
      out.insertOrAppend(':path', uri);
      const host = fields.find(([k]) => k.toLowerCase() === 'host')?.[1];
      if (host) {
        out.insertOrAppend(':authority', host);
        dropHost = true;
      }
    }
    if (dropHost) fields.splice(0, fields.length, ...fields.filter(([k]) => k.toLowerCase() !== 'host'));
  }
  for (const [k, v] of fields) out.insertOrAppend(k.toLowerCase(), v);
}

function tryUrl(s: string, base?: string): URL | undefined {
  try {
    return new URL(s, base);
  } catch {
    return undefined;
  }
}

export function bodyInput(input: Input, base: string): Buffer {
  if (input.file) return readFileSync(resolveFromSuite(base, input.file));
  return Buffer.from(input.content ?? '', 'utf8');
}

/**
 * The body split by the test's plan, as Google does: `num_chunks` N gives N-1 chunks of floor(size / N) bytes
 * and the remainder in the last one (10 bytes in 4 → 2, 2, 2, 4); `chunk_size` gives chunks of that size, the
 * last one shorter; no plan, one chunk.
 */
export function chunkBody(body: Buffer, t: TestCase): Buffer[] {
  if (t.numChunks !== undefined && t.numChunks > 0) {
    const size = Math.floor(body.length / t.numChunks);
    if (size === 0) return [body];
    const out: Buffer[] = [];
    for (let i = 0; i < t.numChunks - 1; i++) out.push(body.subarray(i * size, (i + 1) * size));
    out.push(body.subarray((t.numChunks - 1) * size));
    return out;
  }
  if (t.chunkSize !== undefined && t.chunkSize > 0) {
    const out: Buffer[] = [];
    for (let i = 0; i < body.length; i += t.chunkSize) out.push(body.subarray(i, i + t.chunkSize));
    return out.length > 0 ? out : [body];
  }
  return [body];
}
