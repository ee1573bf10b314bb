// Nesting depth of a request body, measured on its text before any parser runs. A parser (JSON.parse, the
// yaml package) and everything after it (cloning, validation, patch engines) recurse per level: a 400,000-level
// YAML body stalled the process for seconds and a 100,000-level JSON body overflowed the stack. One linear
// pass over the text is cheap even for the 3 MiB body limit, so a body deeper than the limit gets a 400 at
// once, naming where the limit was passed.

/** Deepest nesting a request body may have. kube-apiserver's decoders stop at 10,000; Kubernetes objects
 * (CRD schemas included) stay under 50, so 100 refuses nothing real and keeps every recursion shallow. */
export const MAX_BODY_DEPTH = 100;

/** JSON: arrays and objects open a level. Returns the offset where `limit` was passed, else undefined. */
export function jsonTooDeepAt(text: string, limit = MAX_BODY_DEPTH): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string, escapes included.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return undefined;
}

/**
 * YAML: block nesting (each deeper indentation, and each `- ` / `? ` entry indicator, opens a level) plus flow
 * nesting (`[`/`{` outside quotes). It may count a level more than the parser would (a block scalar's indented
 * lines), never fewer. Returns the 1-based line where `limit` was passed, else undefined.
 */
export function yamlTooDeepAt(text: string, limit = MAX_BODY_DEPTH): number | undefined {
  const indents: number[] = []; // columns of the open block levels
  let flow = 0;
  let line = 0;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    line++;
    let col = 0;
    while (pos + col < end && (text[pos + col] === ' ' || text[pos + col] === '\t')) col++;
    const first = text[pos + col];
    if (pos + col < end && first !== '#' && first !== '\r') {
      if (flow === 0) {
        while (indents.length > 0 && indents[indents.length - 1]! > col) indents.pop();
        if (indents.length === 0 || indents[indents.length - 1]! < col) indents.push(col);
        // `- - - x` and `? ? x`: each indicator opens a level at the next column.
        let i = pos + col;
        while (
          i + 1 < end &&
          (text[i] === '-' || text[i] === '?') &&
          (text[i + 1] === ' ' || text[i + 1] === '\t')
        ) {
          i += 2;
          while (i < end && text[i] === ' ') i++;
          indents.push(i - pos);
          if (indents.length > limit) return line;
        }
      }
      if (indents.length + flow > limit) return line;
      flow = flowDepthAfter(text, pos + col, end, flow, () => indents.length, limit);
      if (flow < 0) return line;
    }
    pos = end + 1;
  }
  return undefined;
}

/**
 * Walks one line's flow brackets (outside quotes and comments); -1 when the limit is passed on it. Outside a
 * flow collection, a bracket opens one only where a value starts (the line's first character after the entry
 * indicators, or after `: `): `regex: ^[a-z` is a plain scalar, not nesting.
 */
function flowDepthAfter(
  text: string,
  from: number,
  end: number,
  flow: number,
  block: () => number,
  limit: number,
): number {
  let valueStart = from;
  for (let i = from; i < end; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const close = c;
      for (i++; i < end; i++) {
        if (close === '"' && text[i] === '\\') i++;
        else if (text[i] === close) break;
      }
    } else if (c === '#' && (i === from || text[i - 1] === ' ')) break;
    else if (flow === 0) {
      if ((c === '[' || c === '{') && i === valueStart) {
        if (++flow + block() > limit) return -1;
      } else if (c === ':' && text[i + 1] === ' ') {
        valueStart = i + 2;
        while (valueStart < end && text[valueStart] === ' ') valueStart++;
      }
    } else if (c === '[' || c === '{') {
      if (++flow + block() > limit) return -1;
    } else if (c === ']' || c === '}') flow--;
  }
  return flow;
}
