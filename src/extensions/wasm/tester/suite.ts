// The plugin tester's schema (Google's service_extensions_samples.pb.TestSuite, docs/spec/gke-service-extensions.md
// §4.7), read from text format or YAML into one typed shape. Unknown fields are errors naming the field and
// where it is, so a typo does not silently skip an expectation.
import { parse as parseYaml } from 'yaml';
import { Ident, parseTextProto, type TextMessage, type TextValue } from './textproto.js';

export interface StringMatcher {
  readonly invert: boolean;
  readonly exact?: string | undefined;
  readonly regex?: string | undefined;
  readonly file?: string | undefined;
}
export interface HeaderKV {
  readonly key: string;
  readonly value?: string | undefined;
}
export interface Input {
  readonly header: readonly HeaderKV[];
  readonly content?: string | undefined;
  readonly file?: string | undefined;
}
export interface Immediate {
  readonly httpStatus?: number | undefined;
  readonly grpcStatus?: number | undefined;
  readonly details?: string | undefined;
}
export interface Expectation {
  readonly hasHeader: readonly HeaderKV[];
  readonly noHeader: readonly HeaderKV[];
  readonly headers: readonly StringMatcher[];
  readonly body: readonly StringMatcher[];
  readonly log: readonly StringMatcher[];
  readonly immediate?: Immediate | undefined;
}
export interface Invocation {
  readonly input: Input;
  readonly result?: Expectation | undefined;
}
export interface TestCase {
  readonly name: string;
  readonly benchmark: boolean;
  readonly numChunks?: number | undefined;
  readonly chunkSize?: number | undefined;
  readonly properties: ReadonlyArray<{ readonly path: string; readonly value: string }>;
  readonly requestHeaders?: Invocation | undefined;
  readonly requestBody: readonly Invocation[];
  readonly responseHeaders?: Invocation | undefined;
  readonly responseBody: readonly Invocation[];
  readonly pluginInit?: Expectation | undefined;
  readonly streamInit?: Expectation | undefined;
  readonly streamDestroy?: Expectation | undefined;
}
export interface TestEnv {
  readonly wasmPath?: string | undefined;
  readonly configPath?: string | undefined;
  /** TRACE..CRITICAL. */
  readonly logLevel?: string | undefined;
  readonly timeSecs?: number | undefined;
  /** File that receives the functional tests' plugin logs (appended; /dev/stdout works). */
  readonly logPath?: string | undefined;
  /** Background streams kept open on the VM during benchmarks. */
  readonly numAdditionalStreams?: number | undefined;
  /** Background streams advanced per benchmark iteration (default 3). */
  readonly additionalStreamAdvanceRate?: number | undefined;
}
export interface TestSuite {
  readonly env: TestEnv;
  readonly tests: readonly TestCase[];
}

export class SuiteError extends Error {
  override name = 'SuiteError';
}

/** Uniform access to a message, whether it came from text format or YAML. */
class Node {
  constructor(
    private readonly get: (name: string) => unknown[],
    private readonly names: string[],
    private readonly where: (name?: string) => string,
  ) {}

  static of(value: unknown, path: string): Node {
    if (isTextMessage(value)) {
      const node = new Node(
        (n) => value.fields.get(n) ?? [],
        [...value.fields.keys()],
        (n) => `${path}${n ? `.${n}` : ''}${n && value.lines.has(n) ? ` (line ${value.lines.get(n)})` : ''}`,
      );
      node.fromText = true;
      return node;
    }
    if (value === null || value === undefined)
      return new Node(
        () => [],
        [],
        (n) => `${path}${n ? `.${n}` : ''}`,
      );
    if (typeof value !== 'object' || Array.isArray(value))
      throw new SuiteError(`${path}: expected a message, got ${JSON.stringify(value)}`);
    const obj = value as Record<string, unknown>;
    return new Node(
      (n) =>
        obj[n] === undefined || obj[n] === null
          ? []
          : Array.isArray(obj[n])
            ? (obj[n] as unknown[])
            : [obj[n]],
      Object.keys(obj),
      (n) => `${path}${n ? `.${n}` : ''}`,
    );
  }

  allow(...known: string[]): this {
    for (const n of this.names) {
      if (!known.includes(n))
        throw new SuiteError(`${this.where(n)}: unknown field '${n}' (known: ${known.join(', ')})`);
    }
    return this;
  }

  private single(name: string): unknown {
    const v = this.get(name);
    if (v.length > 1) throw new SuiteError(`${this.where(name)}: '${name}' may appear only once`);
    return v[0];
  }

  str(name: string): string | undefined {
    const v = this.single(name);
    if (v === undefined) return undefined;
    if (typeof v === 'string')
      return isTextMessageSource(this) ? Buffer.from(v, 'latin1').toString('utf8') : v;
    if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Ident) return String(v);
    throw new SuiteError(`${this.where(name)}: expected a string`);
  }

  num(name: string): number | undefined {
    const v = this.single(name);
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n))
      throw new SuiteError(`${this.where(name)}: expected a number, got ${JSON.stringify(String(v))}`);
    return n;
  }

  bool(name: string): boolean {
    const v = this.single(name);
    if (v === undefined) return false;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 1 || String(v) === 'true') return true;
    if (v === 'false' || v === 0 || String(v) === 'false') return false;
    throw new SuiteError(`${this.where(name)}: expected true or false, got ${JSON.stringify(String(v))}`);
  }

  msg(name: string): Node | undefined {
    const v = this.single(name);
    return v === undefined ? undefined : Node.of(v, this.where(name).replace(/ \(line \d+\)$/, ''));
  }

  msgs(name: string): Node[] {
    const base = this.where(name).replace(/ \(line \d+\)$/, '');
    return this.get(name).map((v, i) => Node.of(v, `${base}[${i}]`));
  }

  fromText = false;
}

function isTextMessage(v: unknown): v is TextMessage {
  return typeof v === 'object' && v !== null && (v as TextMessage).fields instanceof Map;
}
function isTextMessageSource(n: Node): boolean {
  return n.fromText;
}

function markText(n: Node, text: boolean): Node {
  n.fromText = text;
  return n;
}

function matcher(n: Node): StringMatcher {
  n.allow('invert', 'exact', 'regex', 'file');
  const m = { invert: n.bool('invert'), exact: n.str('exact'), regex: n.str('regex'), file: n.str('file') };
  const set = [m.exact, m.regex, m.file].filter((x) => x !== undefined).length;
  if (set !== 1) throw new SuiteError(`a string matcher needs exactly one of exact, regex or file`);
  return m;
}

function header(n: Node): HeaderKV {
  n.allow('key', 'value');
  const key = n.str('key');
  if (!key) throw new SuiteError('a header needs a key');
  return { key, value: n.str('value') };
}

function expectation(n: Node, text: boolean): Expectation {
  n.allow('has_header', 'no_header', 'headers', 'body', 'log', 'immediate');
  const sub = (x: Node) => markText(x, text);
  const imm = n.msg('immediate');
  if (imm) sub(imm).allow('http_status', 'grpc_status', 'details');
  return {
    hasHeader: n.msgs('has_header').map((x) => header(sub(x))),
    noHeader: n.msgs('no_header').map((x) => header(sub(x))),
    headers: n.msgs('headers').map((x) => matcher(sub(x))),
    body: n.msgs('body').map((x) => matcher(sub(x))),
    log: n.msgs('log').map((x) => matcher(sub(x))),
    ...(imm
      ? {
          immediate: {
            httpStatus: imm.num('http_status'),
            grpcStatus: imm.num('grpc_status'),
            details: imm.str('details'),
          },
        }
      : {}),
  };
}

function invocation(n: Node, text: boolean): Invocation {
  n.allow('input', 'result');
  const input = n.msg('input');
  const result = n.msg('result');
  let inp: Input = { header: [] };
  if (input) {
    markText(input, text).allow('header', 'content', 'file');
    inp = {
      header: input.msgs('header').map((x) => header(markText(x, text))),
      content: input.str('content'),
      file: input.str('file'),
    };
  }
  return { input: inp, ...(result ? { result: expectation(markText(result, text), text) } : {}) };
}

function buildSuite(root: Node, text: boolean): TestSuite {
  root.allow('env', 'runtime', 'test');
  const envNode = root.msg('env') ?? root.msg('runtime');
  let env: TestEnv = {};
  if (envNode) {
    markText(envNode, text).allow(
      'test_path', // Google's tester overwrites it with the test file's own path; so does extgate
      'wasm_path',
      'config_path',
      'log_level',
      'min_log_level',
      'log_path',
      'time_secs',
      'num_additional_streams',
      'additional_stream_advance_rate',
    );
    env = {
      wasmPath: envNode.str('wasm_path'),
      configPath: envNode.str('config_path'),
      logLevel: envNode.str('log_level') ?? envNode.str('min_log_level'),
      timeSecs: envNode.num('time_secs'),
      logPath: envNode.str('log_path'),
      numAdditionalStreams: envNode.num('num_additional_streams'),
      additionalStreamAdvanceRate: envNode.num('additional_stream_advance_rate'),
    };
  }
  const tests = root.msgs('test').map((t, i) => {
    markText(t, text).allow(
      'name',
      'benchmark',
      'num_chunks',
      'chunk_size',
      'properties',
      'request_headers',
      'request_body',
      'response_headers',
      'response_body',
      'plugin_init',
      'stream_init',
      'stream_destroy',
    );
    const inv = (name: string) => {
      const x = t.msg(name);
      return x ? invocation(markText(x, text), text) : undefined;
    };
    const exp = (name: string) => {
      const x = t.msg(name);
      return x ? expectation(markText(x, text), text) : undefined;
    };
    return {
      name: t.str('name') ?? `test ${i + 1}`,
      benchmark: t.bool('benchmark'),
      numChunks: t.num('num_chunks'),
      chunkSize: t.num('chunk_size'),
      properties: t.msgs('properties').map((p) => {
        markText(p, text).allow('path', 'value');
        return { path: p.str('path') ?? '', value: p.str('value') ?? '' };
      }),
      requestHeaders: inv('request_headers'),
      requestBody: t.msgs('request_body').map((x) => invocation(markText(x, text), text)),
      responseHeaders: inv('response_headers'),
      responseBody: t.msgs('response_body').map((x) => invocation(markText(x, text), text)),
      pluginInit: exp('plugin_init'),
      streamInit: exp('stream_init'),
      streamDestroy: exp('stream_destroy'),
    } satisfies TestCase;
  });
  if (tests.length === 0) throw new SuiteError('the test file has no `test` entries');
  return { env, tests };
}

export function parseSuite(source: string, format: 'textproto' | 'yaml'): TestSuite {
  if (format === 'yaml') {
    let doc: unknown;
    try {
      doc = parseYaml(source);
    } catch (err) {
      throw new SuiteError(`invalid YAML: ${(err as Error).message}`);
    }
    return buildSuite(Node.of(doc, 'suite'), false);
  }
  const msg = parseTextProto(source);
  return buildSuite(markText(Node.of(msg, 'suite'), true), true);
}

export type { TextValue };
