// A protobuf text-format parser, enough for plugin tester files: messages (`name { ... }`, `name: { ... }`,
// `name < ... >`), scalars (quoted strings with C escapes and adjacent-literal concatenation, numbers,
// identifiers for enums and booleans), `[a, b]` lists, `#` comments, optional `,`/`;` separators.
// Every field becomes a list (repeated or not); the schema layer (suite.ts) picks what it needs.

export type TextValue = string | number | boolean | Ident | TextMessage;
/** Scalars keep their source form: strings as bytes-in-a-string (latin1), identifiers as `{ ident }`. */
export interface TextMessage {
  readonly fields: Map<string, TextValue[]>;
  /** Line of each field's first occurrence, for error messages. */
  readonly lines: Map<string, number>;
}

export class TextFormatError extends Error {
  override name = 'TextFormatError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Identifiers (enum values, true/false) are returned wrapped so they are not confused with strings. */
export class Ident {
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

interface Token {
  kind: 'ident' | 'string' | 'number' | 'punct';
  text: string;
  line: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      const start = line;
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length || src[i] === '\n') throw new TextFormatError('unterminated string', start);
        const ch = src[i]!;
        if (ch === c) {
          i++;
          break;
        }
        if (ch !== '\\') {
          // Non-ASCII source text is UTF-8; keep it as bytes like the escapes below.
          s += Buffer.from(ch, 'utf8').toString('latin1');
          i++;
          continue;
        }
        const e = src[i + 1];
        i += 2;
        const simple: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          '\\': '\\',
          "'": "'",
          '"': '"',
          a: '\x07',
          b: '\b',
          f: '\f',
          v: '\v',
          '?': '?',
        };
        if (e !== undefined && e in simple) s += simple[e];
        else if (e === 'x') {
          const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(i));
          if (!m) throw new TextFormatError('bad \\x escape', line);
          s += String.fromCharCode(parseInt(m[0], 16));
          i += m[0].length;
        } else if (e !== undefined && /[0-7]/.test(e)) {
          const m = /^[0-7]{0,2}/.exec(src.slice(i))!;
          s += String.fromCharCode(parseInt(e + m[0], 8));
          i += m[0].length;
        } else throw new TextFormatError(`unknown escape \\${e ?? ''}`, line);
      }
      out.push({ kind: 'string', text: s, line: start });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i))!;
      out.push({ kind: 'ident', text: m[0], line });
      i += m[0].length;
    } else if (/[-+0-9.]/.test(c)) {
      const m = /^[-+]?(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)[fF]?/.exec(src.slice(i));
      if (!m || m[0] === '-' || m[0] === '+') throw new TextFormatError(`unexpected '${c}'`, line);
      out.push({ kind: 'number', text: m[0].replace(/[fF]$/, ''), line });
      i += m[0].length;
    } else if ('{}<>[]:,;'.includes(c)) {
      out.push({ kind: 'punct', text: c, line });
      i++;
    } else throw new TextFormatError(`unexpected character '${c}'`, line);
  }
  return out;
}

export function parseTextProto(src: string): TextMessage {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token | undefined => toks[p];
  const lastLine = (): number => toks[Math.max(0, p - 1)]?.line ?? 1;

  function message(close: string | undefined): TextMessage {
    const msg: TextMessage = { fields: new Map(), lines: new Map() };
    for (;;) {
      const t = peek();
      if (!t) {
        if (close) throw new TextFormatError(`missing '${close}'`, lastLine());
        return msg;
      }
      if (t.kind === 'punct' && t.text === close) {
        p++;
        return msg;
      }
      if (t.kind === 'punct' && (t.text === ',' || t.text === ';')) {
        p++;
        continue;
      }
      if (t.kind !== 'ident') throw new TextFormatError(`expected a field name, found '${t.text}'`, t.line);
      p++;
      const name = t.text;
      let colon = false;
      if (peek()?.text === ':' && peek()?.kind === 'punct') {
        p++;
        colon = true;
      }
      const values: TextValue[] = [];
      const v = peek();
      if (!v) throw new TextFormatError(`field '${name}' has no value`, t.line);
      if (v.kind === 'punct' && (v.text === '{' || v.text === '<')) {
        p++;
        values.push(message(v.text === '{' ? '}' : '>'));
      } else if (v.kind === 'punct' && v.text === '[' && colon) {
        p++;
        while (peek() && peek()!.text !== ']') {
          if (peek()!.text === ',') {
            p++;
            continue;
          }
          values.push(scalarOrMessage(name));
        }
        if (!peek()) throw new TextFormatError(`missing ']' for '${name}'`, t.line);
        p++;
      } else {
        if (!colon) throw new TextFormatError(`expected ':' after '${name}'`, t.line);
        values.push(scalarOrMessage(name));
      }
      const list = msg.fields.get(name) ?? [];
      list.push(...values);
      msg.fields.set(name, list);
      if (!msg.lines.has(name)) msg.lines.set(name, t.line);
    }
  }

  function scalarOrMessage(name: string): TextValue {
    const v = toks[p];
    if (!v) throw new TextFormatError(`field '${name}' has no value`, lastLine());
    if (v.kind === 'punct' && (v.text === '{' || v.text === '<')) {
      p++;
      return message(v.text === '{' ? '}' : '>');
    }
    p++;
    if (v.kind === 'string') {
      let s = v.text;
      while (peek()?.kind === 'string') s += toks[p++]!.text;
      return s;
    }
    if (v.kind === 'number') return Number(v.text);
    if (v.kind === 'ident') {
      if (v.text === 'true' || v.text === 'True' || v.text === 't') return true;
      if (v.text === 'false' || v.text === 'False' || v.text === 'f') return false;
      return new Ident(v.text);
    }
    throw new TextFormatError(`unexpected '${v.text}' as value of '${name}'`, v.line);
  }

  return message(undefined);
}
