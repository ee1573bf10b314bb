// Access log: one JSON line per request (pino), written from the finished trace.
//
// Field names follow the Application Load Balancer's request log where one exists (`httpRequest`-like
// fields, and a `service_extension_info` list with one entry per extension that ran: its chain, resource,
// each event's latency and effect, whether it failed open, and the callout's gRPC status), so queries written
// for GKE's logs translate directly.

import pino, { type DestinationStream, type Logger } from 'pino';
import type { HttpEvent } from '../ir/snapshot.js';
import type { TraceRecord } from './trace.js';
import type { TraceEffect } from '../dataplane/trace.js';
import { logDestination } from './log-destination.js';

export interface ServiceExtensionInfo {
  /** `Kind/namespace/name` of the GCPRoutingExtension / GCPTrafficExtension. */
  resource: string;
  chain: string;
  extension: string;
  /** `callout` or the GCPWasmPlugin `namespace/name@version`. */
  backend_target: string;
  per_processing_request_info: Array<{ event_type: HttpEvent; latency_ms: number; effect: TraceEffect }>;
  failed_open: boolean;
  grpc_status?: number;
  error?: string;
}

export interface AccessLogRecord {
  request_id: string;
  method: string;
  authority: string;
  path: string;
  scheme: string;
  remote_ip?: string;
  status: number;
  response_bytes: number;
  latency_ms: number;
  listener?: string;
  route?: string | null;
  routing_chain?: string | null;
  traffic_chain?: string | null;
  upstream?: {
    endpoint: string;
    status: number;
    latency_ms: number;
    error?: string;
    /** Dynamic forwarding target ignored: not an endpoint of the backend the route chose. */
    ignored_override_host?: string;
  };
  service_extension_info?: ServiceExtensionInfo[];
  error?: string;
}

export interface AccessLogOptions {
  /** Where lines go; default stdout, written asynchronously (pino flushes it on exit). */
  destination?: DestinationStream;
  /** Use a ready logger instead (its bindings are added to every line). */
  logger?: Logger;
}

export class AccessLog {
  private readonly logger: Logger;

  constructor(options: AccessLogOptions = {}) {
    this.logger =
      options.logger ??
      pino(
        { base: { log: 'access' }, timestamp: pino.stdTimeFunctions.isoTime },
        options.destination ?? logDestination(),
      );
  }

  /** Pass as a TraceRecorder listener: `recorder.onEnd((t) => accessLog.write(t))`. */
  write(trace: TraceRecord): void {
    this.logger.info(accessLogRecord(trace), 'request');
  }

  flush(): void {
    this.logger.flush();
  }
}

/** The access-log fields of one request; pure, so tests and other sinks can use it. */
export function accessLogRecord(trace: TraceRecord): AccessLogRecord {
  const record: AccessLogRecord = {
    request_id: trace.requestId,
    method: trace.method,
    authority: trace.authority,
    path: trace.path,
    scheme: trace.scheme,
    status: trace.status ?? 0,
    response_bytes: trace.bytes ?? 0,
    latency_ms: trace.durationMs ?? 0,
  };
  if (trace.source !== undefined) record.remote_ip = trace.source;
  if (trace.listener !== undefined) record.listener = trace.listener;
  if (trace.route !== undefined) record.route = trace.route.id;
  for (const chain of trace.chains) {
    if (chain.kind === 'routing') record.routing_chain = chain.id;
    else record.traffic_chain = chain.id;
  }
  if (trace.upstream) {
    const u = trace.upstream;
    record.upstream = { endpoint: u.endpoint, status: u.status, latency_ms: u.latencyMs };
    if (u.error !== undefined) record.upstream.error = u.error;
    if (u.ignoredOverride !== undefined) record.upstream.ignored_override_host = u.ignoredOverride;
  }
  if (trace.steps.length > 0) record.service_extension_info = extensionInfo(trace);
  if (trace.error !== undefined) record.error = trace.error;
  return record;
}

function extensionInfo(trace: TraceRecord): ServiceExtensionInfo[] {
  // Steps arrive interleaved by event (request path, then response path in reverse); group per extension in
  // the order each first ran.
  const byExtension = new Map<string, ServiceExtensionInfo>();
  for (const step of trace.steps) {
    let info = byExtension.get(step.extension);
    if (!info) {
      info = {
        resource: resourceOf(step.chain),
        chain: chainNameOf(step.chain),
        extension: step.extension.slice(step.chain.length + 1),
        backend_target: step.plugin ? `${step.plugin.key}@${step.plugin.version}` : 'callout',
        per_processing_request_info: [],
        failed_open: false,
      };
      byExtension.set(step.extension, info);
    }
    info.per_processing_request_info.push({
      event_type: step.event,
      latency_ms: step.latencyMs,
      effect: step.effect,
    });
    if (step.effect === 'FAILED_OPEN') info.failed_open = true;
    if (step.grpcStatus !== undefined) info.grpc_status = step.grpcStatus;
    if (step.error !== undefined) info.error = step.error;
  }
  return [...byExtension.values()];
}

/** Chain ids are `Kind/namespace/resource/chainName`. */
function resourceOf(chainId: string): string {
  const slash = chainId.lastIndexOf('/');
  return slash > 0 ? chainId.slice(0, slash) : chainId;
}

function chainNameOf(chainId: string): string {
  return chainId.slice(chainId.lastIndexOf('/') + 1);
}
