// CalloutServer: serves a Callout (handlers per ext_proc event) over gRPC, like Google's Python CalloutServer:
// a plaintext port, a TLS port and an HTTP health port (any GET → 200). gRPC is spoken directly on node:http2
// (framing in grpc-frames.ts, messages by protobufjs from Envoy's protos): grpc-js' server costs more per
// stream than a headers callout's whole work. One ProcessingResponse per
// ProcessingRequest, in order; in FullDuplexStreamed a body handler may answer with any number of streamed
// chunks; in observability mode handlers run but nothing is sent back.

import { createServer } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Server, Socket } from 'node:net';
import {
  FrameDecoder,
  GrpcStatus,
  encodeGrpcMessage,
  frame,
  type CallStatus,
} from '../extensions/callout/grpc-frames.js';
import {
  BodySendModeValue,
  PROCESS_PATH,
  extProcCodec,
  type HeaderMapMessage,
  type ProcessingRequest,
  type ProcessingResponse,
  type RequestKind,
} from '../extensions/callout/protos.js';
import { fromStruct, toStruct, type Json } from '../extensions/callout/struct.js';
import { selfSignedCertificate } from './certs.js';
import type { Reply } from './replies.js';

export type Awaitable<T> = T | Promise<T>;

export interface HeadersEvent {
  /** First value of a header (lowercase name), pseudo-headers included (`:path`, `:authority`, `:status`). */
  get(name: string): string | undefined;
  readonly entries: ReadonlyArray<readonly [string, string]>;
  readonly endOfStream: boolean;
}

export interface BodyEvent {
  readonly body: Buffer;
  readonly endOfStream: boolean;
}

export type BodyMode = 'None' | 'Streamed' | 'FullDuplexStreamed';

export interface CalloutContext {
  /** `metadata_context.filter_metadata`, namespace → JSON (the extension's `metadata` is under its namespace). */
  readonly metadata: Readonly<Record<string, Record<string, Json>>>;
  readonly requestBodyMode: BodyMode;
  readonly responseBodyMode: BodyMode;
  readonly observabilityMode: boolean;
  /** Per HTTP request (one gRPC stream): keep what later events need. */
  readonly state: Map<string, unknown>;
}

type Handler<E> = (event: E, ctx: CalloutContext) => Awaitable<Reply | readonly Reply[] | void>;

/** A callout: implement the events you need, as a class or an object literal. Unset events pass through. */
export interface Callout {
  onRequestHeaders?: Handler<HeadersEvent>;
  onResponseHeaders?: Handler<HeadersEvent>;
  onRequestBody?: Handler<BodyEvent>;
  onResponseBody?: Handler<BodyEvent>;
  onRequestTrailers?: Handler<HeadersEvent>;
  onResponseTrailers?: Handler<HeadersEvent>;
}

/** Largest ProcessingRequest accepted (a body chunk plus headers); bigger ones end the stream RESOURCE_EXHAUSTED. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const codec = extProcCodec();

/** Throw from a handler to end the stream with this gRPC status (anything else thrown → INTERNAL). */
export class CalloutError extends Error {
  constructor(
    /** A gRPC status code, e.g. `GrpcStatus.PERMISSION_DENIED`. */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CalloutServerOptions {
  /** Default `0.0.0.0`. */
  readonly address?: string;
  /** Plaintext gRPC (h2c). Default 8080; `null` = off; 0 = any free port. */
  readonly plaintextPort?: number | null;
  /** gRPC over TLS. Default 443; `null` = off. */
  readonly securePort?: number | null;
  /** HTTP health checks. Default 80; `null` = off. */
  readonly healthPort?: number | null;
  /** PEM; when absent a self-signed certificate for `localhost` is generated. */
  readonly certChain?: string | Buffer;
  readonly privateKey?: string | Buffer;
}

export interface CalloutPorts {
  readonly plaintext?: number;
  readonly secure?: number;
  readonly health?: number;
}

export class CalloutServer {
  private readonly servers: Server[] = [];
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  ports: CalloutPorts = {};

  constructor(
    private readonly callout: Callout,
    private readonly options: CalloutServerOptions = {},
  ) {}

  async start(): Promise<CalloutPorts> {
    const o = this.options;
    const address = o.address ?? '0.0.0.0';
    const listen = async (server: Server, port: number): Promise<number> => {
      this.servers.push(server);
      // Small frames each way per exchange: no Nagle delay (see channels.ts).
      server.on('connection', (socket: Socket) => socket.setNoDelay(true));
      server.on('session', (session: http2.ServerHttp2Session) => {
        this.sessions.add(session);
        session.once('close', () => this.sessions.delete(session));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, address, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    };
    const ports: { plaintext?: number; secure?: number; health?: number } = {};
    const onStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) =>
      this.process(stream, headers);
    const plain = o.plaintextPort === undefined ? 8080 : o.plaintextPort;
    if (plain !== null) ports.plaintext = await listen(http2.createServer().on('stream', onStream), plain);
    const secure = o.securePort === undefined ? 443 : o.securePort;
    if (secure !== null) {
      const pair = o.certChain && o.privateKey ? undefined : selfSignedCertificate(['localhost']);
      const tls = {
        cert: o.certChain ?? pair!.certPem,
        key: o.privateKey ?? pair!.keyPem,
        ALPNProtocols: ['h2'],
      };
      ports.secure = await listen(http2.createSecureServer(tls).on('stream', onStream), secure);
    }
    const health = o.healthPort === undefined ? 80 : o.healthPort;
    if (health !== null) {
      const server = createServer((req, res) => {
        res.statusCode = req.method === 'GET' || req.method === 'HEAD' ? 200 : 405;
        res.end();
      });
      ports.health = await listen(server, health);
    }
    this.ports = ports;
    return ports;
  }

  /** Stops accepting, resets open streams, closes the ports and connections. */
  async stop(): Promise<void> {
    for (const s of this.sessions) s.destroy();
    this.sessions.clear();
    const servers = this.servers.splice(0);
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            (s as { closeAllConnections?: () => void }).closeAllConnections?.();
            s.close(() => resolve());
          }),
      ),
    );
  }

  /** One `Process` call: messages are handled one at a time so answers leave in the order of the requests. */
  private process(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    if (headers[':path'] !== PROCESS_PATH) return unimplemented(stream, headers[':path']);
    const call = openCall(stream);
    const ctx: Mutable<CalloutContext> = {
      metadata: {},
      requestBodyMode: 'None',
      responseBodyMode: 'None',
      observabilityMode: false,
      state: new Map(),
    };
    const decoder = new FrameDecoder(MAX_REQUEST_BYTES);
    let chain: Promise<void> = Promise.resolve();
    stream.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = decoder.push(chunk);
      } catch (err) {
        call.fail(err as CallStatus);
        return;
      }
      for (const m of messages) {
        chain = chain.then(async () => {
          if (call.failed || stream.closed) return;
          try {
            const req = codec.decodeRequest(m);
            for (const resp of await this.answer(req, ctx)) stream.write(frame(codec.encodeResponse(resp)));
          } catch (err) {
            const code = err instanceof CalloutError ? err.code : GrpcStatus.INTERNAL;
            call.fail({ code, details: err instanceof Error ? err.message : String(err) });
          }
        });
      }
    });
    stream.on('end', () => {
      void chain.then(() => {
        if (!call.failed && !stream.closed) stream.end();
      });
    });
  }

  private async answer(req: ProcessingRequest, ctx: Mutable<CalloutContext>): Promise<ProcessingResponse[]> {
    if (req.protocol_config) {
      ctx.requestBodyMode = bodyMode(req.protocol_config.request_body_mode);
      ctx.responseBodyMode = bodyMode(req.protocol_config.response_body_mode);
    }
    ctx.observabilityMode = req.observability_mode === true;
    const md: Record<string, Record<string, Json>> = {};
    for (const [ns, s] of Object.entries(req.metadata_context?.filter_metadata ?? {})) md[ns] = fromStruct(s);
    ctx.metadata = md;

    const kind = req.request;
    if (!kind) throw new CalloutError(GrpcStatus.INVALID_ARGUMENT, 'ProcessingRequest without a request');
    const duplex =
      (kind === 'request_body' && ctx.requestBodyMode === 'FullDuplexStreamed') ||
      (kind === 'response_body' && ctx.responseBodyMode === 'FullDuplexStreamed');
    const { handler, event } = this.dispatch(req, kind);
    const out = handler ? await handler.call(this.callout, event as never, ctx) : undefined;
    if (ctx.observabilityMode) return [];
    // No return value: pass through. An empty array: answer nothing now (FullDuplexStreamed buffering).
    if (out === undefined) {
      if (duplex) {
        const b = event as BodyEvent;
        return [toResponse(kind, { streamed: { body: b.body, endOfStream: b.endOfStream } })];
      }
      return [toResponse(kind, kind.endsWith('trailers') ? { trailers: {} } : { continue: {} })];
    }
    const replies: readonly Reply[] = Array.isArray(out) ? out : [out as Reply];
    return replies.map((r) => toResponse(kind, r));
  }

  private dispatch(
    req: ProcessingRequest,
    kind: RequestKind,
  ): { handler: Handler<never> | undefined; event: HeadersEvent | BodyEvent } {
    const c = this.callout;
    switch (kind) {
      case 'request_headers':
        return {
          handler: c.onRequestHeaders,
          event: headersEvent(req.request_headers?.headers, req.request_headers?.end_of_stream),
        };
      case 'response_headers':
        return {
          handler: c.onResponseHeaders,
          event: headersEvent(req.response_headers?.headers, req.response_headers?.end_of_stream),
        };
      case 'request_body':
        return { handler: c.onRequestBody, event: bodyEvent(req.request_body) };
      case 'response_body':
        return { handler: c.onResponseBody, event: bodyEvent(req.response_body) };
      case 'request_trailers':
        return { handler: c.onRequestTrailers, event: headersEvent(req.request_trailers?.trailers, true) };
      case 'response_trailers':
        return { handler: c.onResponseTrailers, event: headersEvent(req.response_trailers?.trailers, true) };
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function bodyMode(v: BodySendModeValue | undefined): BodyMode {
  if (v === BodySendModeValue.FULL_DUPLEX_STREAMED) return 'FullDuplexStreamed';
  if (v === undefined || v === BodySendModeValue.NONE) return 'None';
  return 'Streamed';
}

function headersEvent(map: HeaderMapMessage | undefined, eos: boolean | undefined): HeadersEvent {
  const entries: Array<[string, string]> = (map?.headers ?? []).map((h) => [
    h.key,
    h.raw_value && h.raw_value.length > 0 ? Buffer.from(h.raw_value).toString('latin1') : (h.value ?? ''),
  ]);
  return {
    entries,
    endOfStream: eos === true,
    get: (name) => entries.find(([k]) => k === name.toLowerCase())?.[1],
  };
}

function bodyEvent(b: { body?: Uint8Array; end_of_stream?: boolean } | undefined): BodyEvent {
  return { body: b?.body ? Buffer.from(b.body) : Buffer.alloc(0), endOfStream: b?.end_of_stream === true };
}

/** Wraps a Reply in the ProcessingResponse oneof that answers `kind`. */
function toResponse(kind: RequestKind, r: Reply): ProcessingResponse {
  const md =
    'dynamicMetadata' in r && r.dynamicMetadata ? { dynamic_metadata: toStruct(r.dynamicMetadata) } : {};
  if ('immediate' in r) return { immediate_response: r.immediate, ...md };
  if ('streamed' in r) {
    // Streamed body is a body message of its direction, whichever event it answers (a FullDuplexStreamed
    // callout may send the last of the body together with its trailers answer).
    const bodyKind = kind.startsWith('request') ? 'request_body' : 'response_body';
    return {
      [bodyKind]: {
        response: {
          body_mutation: {
            streamed_response: { body: r.streamed.body, end_of_stream: r.streamed.endOfStream },
          },
        },
      },
    };
  }
  if (kind.endsWith('trailers')) {
    return { [kind]: { header_mutation: 'trailers' in r ? r.trailers : {} }, ...md };
  }
  return { [kind]: { response: 'continue' in r ? r.continue : {} }, ...md };
}

/** A gRPC call to a method other than Process: UNIMPLEMENTED in trailers-only form. */
function unimplemented(stream: http2.ServerHttp2Stream, path: string | string[] | undefined): void {
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(GrpcStatus.UNIMPLEMENTED),
      'grpc-message': encodeGrpcMessage(`unknown method ${String(path)}`),
    },
    { endStream: true },
  );
}

/** Starts the response of a call; its trailers carry OK, or the status of the first fail(). */
function openCall(stream: http2.ServerHttp2Stream): {
  fail(status: CallStatus): void;
  readonly failed: boolean;
} {
  let trailer: CallStatus = { code: GrpcStatus.OK, details: '' };
  let failed = false;
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': 'identity' },
    { waitForTrailers: true },
  );
  stream.on('wantTrailers', () => {
    const t: http2.OutgoingHttpHeaders = { 'grpc-status': String(trailer.code) };
    if (trailer.details) t['grpc-message'] = encodeGrpcMessage(trailer.details);
    stream.sendTrailers(t);
  });
  stream.on('error', () => undefined); // a reset by the client is an ordinary end for a callout
  return {
    fail(status) {
      if (failed) return;
      failed = true;
      trailer = status;
      if (!stream.closed) stream.end();
    },
    get failed() {
      return failed;
    },
  };
}
