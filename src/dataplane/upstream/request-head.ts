// The head of an HTTP/1.1 request to a backend, framed by the proxy from the body it actually sends.
//
// Whatever filters, callouts and plugins left in the headers, the framing fields are the proxy's: a request
// without a body carries no length (or `content-length: 0` if it had one); a body is sent with the
// `content-length` the client framed it with when that is still there (the extensions did not touch the
// body), chunked otherwise; connection fields never pass. The caller counts the body against the declared
// length (h1.ts). Names and values reach the socket verbatim, so anything that could split the head — a
// method that is not a token, a target with spaces or controls, CR/LF/NUL or a character above 0xFF in a
// field (written as latin1, U+010A would become LF) — refuses the request instead.

import { isProxyOwned, isToken, isValidFieldValue } from '../../extensions/mutation-rules.js';
import { BoundedMemo } from '../../support/bounded-memo.js';

const CRLF = '\r\n';
/** Request target: no controls, no space, nothing above 0xFF. */
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
const DIGITS = /^\d{1,15}$/;

/** A header name's part in the head: written as is, or a framing/connection field the proxy writes itself. */
const enum NameKind {
  Field,
  ProxyOwned,
}
/**
 * Names already checked (a token, the proxy's or not), so the few dozen names requests carry are checked once
 * instead of on every request (a regex and a set lookup per header were a third of this function's cost).
 * Names that are not tokens are never kept; the map is emptied when full, so made-up names cannot grow it.
 */
const checkedNames = new BoundedMemo<string, NameKind | undefined>(1024);

function nameKind(name: string): NameKind | undefined {
  return checkedNames.get(name, deriveNameKind);
}

/** Undefined (not a token, and so not kept) or the name's part in the head. */
function deriveNameKind(name: string): NameKind | undefined {
  if (!isToken(name)) return undefined;
  return isProxyOwned(name) ? NameKind.ProxyOwned : NameKind.Field;
}

export interface RequestHead {
  /** The head, CRLF CRLF included (latin1). */
  readonly text: string;
  /** Bytes the body must have; -1 when it is sent chunked (or there is none). */
  readonly contentLength: number;
  readonly chunked: boolean;
}

/**
 * Builds the head, or returns why the request cannot be written. `extra` lines (already valid) are added
 * last: the Upgrade tunnel's own `connection`/`upgrade`.
 */
export function requestHead(
  method: string,
  path: string,
  headers: Readonly<Record<string, string | string[]>>,
  hasBody: boolean,
  extra = '',
): RequestHead | string {
  if (!isToken(method)) return `invalid method ${JSON.stringify(method)}`;
  if (!TARGET.test(path)) return `invalid request target ${JSON.stringify(path)}`;
  let text = `${method} ${path} HTTP/1.1${CRLF}`;
  let declared: string | string[] | undefined;
  for (const name in headers) {
    const v = headers[name]!;
    const kind = nameKind(name);
    if (kind === undefined) return `invalid header name ${JSON.stringify(name)}`;
    if (kind === NameKind.ProxyOwned) {
      if (name === 'content-length') declared = v;
      continue;
    }
    if (typeof v === 'string') {
      if (!isValidFieldValue(v)) return `invalid value for header ${JSON.stringify(name)}`;
      text += `${name}: ${v}${CRLF}`;
    } else {
      for (const one of v) {
        if (!isValidFieldValue(one)) return `invalid value for header ${JSON.stringify(name)}`;
        text += `${name}: ${one}${CRLF}`;
      }
    }
  }
  let contentLength = -1;
  let chunked = false;
  if (!hasBody) {
    if (declared !== undefined) text += `content-length: 0${CRLF}`;
  } else if (typeof declared === 'string' && DIGITS.test(declared)) {
    contentLength = Number(declared);
    text += `content-length: ${contentLength}${CRLF}`;
  } else {
    chunked = true;
    text += `transfer-encoding: chunked${CRLF}`;
  }
  return { text: `${text}${extra}${CRLF}`, contentLength, chunked };
}
