// What a trace keeps of a request or response at one point: a redacted, flat copy of its headers and the
// start of a body chunk. Redaction happens here, at capture time, so credentials never reach memory that
// outlives the request.

import type { HeaderMap } from '../extensions/extension.js';
import { forEachRawHeader } from '../extensions/header-codec.js';
import type { CapturedBody, CapturedMessage, HeaderSource } from '../dataplane/trace.js';

const NO_PAIR: readonly [string, string] = ['', ''];

export const REDACTED = '[redacted]';

export class MessageCapture {
  private readonly redact: ReadonlySet<string>;

  constructor(
    redactHeaders: readonly string[],
    private readonly maxBodyBytes: number,
  ) {
    this.redact = new Set(redactHeaders.map((h) => h.toLowerCase()));
  }

  /**
   * A redacted copy of `headers`; `previous` is returned as is when nothing changed since it was
   * taken (consecutive steps usually see the same headers), so unchanged snapshots share one array.
   */
  message(
    headers: HeaderSource,
    body: Uint8Array | readonly Uint8Array[] | undefined,
    previous: CapturedMessage | undefined,
  ): CapturedMessage {
    if (Array.isArray(headers) && typeof headers[0] === 'string') {
      return this.captureFlat(headers as readonly string[], body);
    }
    const fromMap = !Array.isArray(headers);
    const list: ReadonlyArray<readonly [string, string]> = fromMap
      ? (headers as HeaderMap).entries()
      : (headers as ReadonlyArray<readonly [string, string]>);
    if (
      body === undefined &&
      previous !== undefined &&
      previous.body === undefined &&
      this.sameAs(previous.headers, list, fromMap)
    ) {
      return previous;
    }
    const kept: string[] = new Array<string>(list.length * 2);
    for (let i = 0; i < list.length; i++) {
      const [name, value] = list[i] ?? NO_PAIR; // an index loop: this runs for every traced step
      kept[2 * i] = name;
      // HeaderMap names are lowercase by contract; plain arrays may not be.
      kept[2 * i + 1] = this.redact.has(fromMap ? name : name.toLowerCase()) ? REDACTED : value;
    }
    return body === undefined
      ? { headers: kept }
      : { headers: kept, body: captureBody(body, this.maxBodyBytes) };
  }

  private captureFlat(
    flat: readonly string[],
    body: Uint8Array | readonly Uint8Array[] | undefined,
  ): CapturedMessage {
    const kept: string[] = [];
    forEachRawHeader(flat, (rawName, value) => {
      const name = rawName.toLowerCase();
      kept.push(name, this.redact.has(name) ? REDACTED : value);
    });
    return body === undefined
      ? { headers: kept }
      : { headers: kept, body: captureBody(body, this.maxBodyBytes) };
  }

  private sameAs(
    flat: readonly string[],
    list: ReadonlyArray<readonly [string, string]>,
    fromMap: boolean,
  ): boolean {
    if (flat.length !== list.length * 2) return false;
    for (let i = 0; i < list.length; i++) {
      const [name, value] = list[i] ?? NO_PAIR;
      if (flat[2 * i] !== name) return false;
      const kept = flat[2 * i + 1];
      if (kept !== value && !(kept === REDACTED && this.redact.has(fromMap ? name : name.toLowerCase())))
        return false;
    }
    return true;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function captureBody(input: Uint8Array | readonly Uint8Array[], max: number): CapturedBody {
  // A body step may answer several chunks (BodyStepResult.chunks): keep their start, up to `max` bytes.
  const body = input instanceof Uint8Array ? input : joinPrefix(input, max);
  const size = input instanceof Uint8Array ? input.byteLength : input.reduce((n, c) => n + c.byteLength, 0);
  const truncated = size > max;
  let kept = truncated ? body.subarray(0, max) : body;
  // A cut can split a multi-byte character: drop up to 3 trailing bytes before giving up on text.
  for (let drop = 0; drop <= (truncated ? 3 : 0) && drop <= kept.byteLength; drop++) {
    try {
      const text = utf8.decode(kept.subarray(0, kept.byteLength - drop));
      if (!hasControlBytes(text)) return { text, size, truncated };
      break;
    } catch {
      // not UTF-8 (yet): retry shorter, then fall back to base64
    }
  }
  kept = truncated ? body.subarray(0, max) : body;
  return {
    base64: Buffer.from(kept.buffer, kept.byteOffset, kept.byteLength).toString('base64'),
    size,
    truncated,
  };
}

function joinPrefix(chunks: readonly Uint8Array[], max: number): Uint8Array {
  const [only] = chunks;
  if (only && chunks.length === 1) return only;
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(Math.min(total, max + 3));
  let at = 0;
  for (const c of chunks) {
    if (at >= out.byteLength) break;
    const part = c.subarray(0, out.byteLength - at);
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function hasControlBytes(text: string): boolean {
  // Binary that happens to be valid UTF-8 (e.g. protobuf) is shown as base64, not as garbage text.
  return /[\u0000-\u0008\u000e-\u001f]/.test(text);
}
