// CalloutServer: serves a Callout (handlers per ext_proc event) over gRPC, like Google's Python CalloutServer:
// a plaintext port, a TLS port and an HTTP health port (any GET → 200). One ProcessingResponse per
// ProcessingRequest, in order; in FullDuplexStreamed a body handler may answer with any number of streamed
// chunks; in observability mode handlers run but nothing is sent back.

import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import {
  BodySendModeValue,
  externalProcessorService,
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

/** Throw from a handler to end the stream with this gRPC status (anything else thrown → INTERNAL). */
export class CalloutError extends Error {
  constructor(
    readonly code: grpc.status,
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
  private grpcServer: grpc.Server | undefined;
  private health: HttpServer | undefined;
  private readonly active = new Set<grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>>();
  ports: CalloutPorts = {};

  constructor(
    private readonly callout: Callout,
    private readonly options: CalloutServerOptions = {},
  ) {}

  async start(): Promise<CalloutPorts> {
    const o = this.options;
    const address = o.address ?? '0.0.0.0';
    const server = new grpc.Server();
    server.addService(externalProcessorService(), {
      Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => this.process(call),
    });
    this.grpcServer = server;
    const bind = (port: number, creds: grpc.ServerCredentials) =>
      new Promise<number>((resolve, reject) =>
        server.bindAsync(`${address.includes(':') ? `[${address}]` : address}:${port}`, creds, (err, p) => (err ? reject(err) : resolve(p))),
      );
    const ports: { plaintext?: number; secure?: number; health?: number } = {};
    const plain = o.plaintextPort === undefined ? 8080 : o.plaintextPort;
    if (plain !== null) ports.plaintext = await bind(plain, grpc.ServerCredentials.createInsecure());
    const secure = o.securePort === undefined ? 443 : o.securePort;
    if (secure !== null) {
      const pair = o.certChain && o.privateKey ? undefined : selfSignedCertificate(['localhost']);
      const cert = Buffer.from(o.certChain ?? pair!.certPem);
      const key = Buffer.from(o.privateKey ?? pair!.keyPem);
      ports.secure = await bind(secure, grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false));
    }
    const health = o.healthPort === undefined ? 80 : o.healthPort;
    if (health !== null) {
      this.health = createServer((req, res) => {
        res.statusCode = req.method === 'GET' || req.method === 'HEAD' ? 200 : 405;
        res.end();
      });
      await new Promise<void>((resolve, reject) => {
        this.health!.once('error', reject);
        this.health!.listen(health, address, () => resolve());
      });
      ports.health = (this.health.address() as AddressInfo).port;
    }
    this.ports = ports;
    return ports;
  }

  /** Stops accepting, cancels open streams, closes the ports and connections. */
  async stop(): Promise<void> {
    for (const call of this.active) call.destroy();
    this.active.clear();
    const server = this.grpcServer;
    this.grpcServer = undefined;
    // Open streams were just ended; what remains are idle client connections, which a graceful shutdown
    // would wait on for as long as the clients keep them.
    server?.forceShutdown();
    const health = this.health;
    this.health = undefined;
    if (health) await new Promise<void>((resolve) => health.close(() => resolve()));
  }

  private process(call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>): void {
    this.active.add(call);
    const ctx: {
      metadata: Record<string, Record<string, Json>>;
      requestBodyMode: BodyMode;
      responseBodyMode: BodyMode;
      observabilityMode: boolean;
      state: Map<string, unknown>;
    } = { metadata: {}, requestBodyMode: 'None', responseBodyMode: 'None', observabilityMode: false, state: new Map() };
    // Messages are handled one at a time so answers leave in the order of the requests.
    let chain: Promise<void> = Promise.resolve();
    let failed = false;
    call.on('data', (req: ProcessingRequest) => {
      chain = chain.then(async () => {
        if (failed) return;
        try {
          for (const resp of await this.answer(req, ctx)) call.write(resp);
        } catch (err) {
          failed = true;
          const code = err instanceof CalloutError ? err.code : grpc.status.INTERNAL;
          call.emit('error', { code, details: err instanceof Error ? err.message : String(err) });
        }
      });
    });
    call.on('end', () => {
      void chain.then(() => {
        if (!failed) call.end();
      });
    });
    call.on('close', () => this.active.delete(call));
    call.on('error', () => this.active.delete(call));
    call.on('cancelled', () => this.active.delete(call));
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
    if (!kind) throw new CalloutError(grpc.status.INVALID_ARGUMENT, 'ProcessingRequest without a request');
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

  private dispatch(req: ProcessingRequest, kind: RequestKind): { handler: Handler<never> | undefined; event: HeadersEvent | BodyEvent } {
    const c = this.callout;
    switch (kind) {
      case 'request_headers':
        return { handler: c.onRequestHeaders, event: headersEvent(req.request_headers?.headers, req.request_headers?.end_of_stream) };
      case 'response_headers':
        return { handler: c.onResponseHeaders, event: headersEvent(req.response_headers?.headers, req.response_headers?.end_of_stream) };
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
  const md = 'dynamicMetadata' in r && r.dynamicMetadata ? { dynamic_metadata: toStruct(r.dynamicMetadata) } : {};
  if ('immediate' in r) return { immediate_response: r.immediate, ...md };
  if ('streamed' in r) {
    return { [kind]: { response: { body_mutation: { streamed_response: { body: r.streamed.body, end_of_stream: r.streamed.endOfStream } } } } };
  }
  if (kind.endsWith('trailers')) {
    return { [kind]: { header_mutation: 'trailers' in r ? r.trailers : {} }, ...md };
  }
  return { [kind]: { response: 'continue' in r ? r.continue : {} }, ...md };
}
