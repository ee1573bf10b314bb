// Envoy's ext_proc protocol, loaded from Envoy's own .proto files (shipped by @grpc/grpc-js-xds under deps/).
//
// Those files are pinned by the package version and predate a few fields that GKE's load balancer uses
// (docs/spec/ext-proc.md §2, Envoy commit f126920): `ProcessingRequest.protocol_config` (11), `BodySendMode
// .FULL_DUPLEX_STREAMED` (4) and `BodyMutation.streamed_response` (3). We add exactly those, with their
// upstream names and numbers, to the loaded descriptors before building the codec; encoding stays protobufjs'.
// The TypeScript interfaces below describe the decoded objects (keepCase, enums as numbers, bytes as Buffer,
// google.protobuf.Struct with protobufjs' camelCase field names).

import { accessSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { decodeProcessingResponse } from './response-decoder.js';
import type { ProcessingRequest, ProcessingResponse } from './messages.js';

export const PROCESS_PATH = '/envoy.service.ext_proc.v3.ExternalProcessor/Process';

export * from './messages.js';

// ---------------------------------------------------------------------------------------------------------
// Loading

const require = createRequire(import.meta.url);

function protoRoot(): protobuf.Root {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const includeDirs = ['envoy-api', 'xds', 'protoc-gen-validate', 'googleapis'].map((d) => join(deps, d));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of includeDirs) {
      const full = join(dir, target);
      try {
        accessSync(full);
        return full;
      } catch {
        // try the next include dir
      }
    }
    return target; // well-known types: protobufjs has them built in
  };
  root.loadSync('envoy/service/ext_proc/v3/external_processor.proto', { keepCase: true });
  addNewerFields(root);
  root.resolveAll();
  return root;
}

/** The fields of docs/spec/ext-proc.md §2 that are newer than the pinned protos; added only if absent. */
function addNewerFields(root: protobuf.Root): void {
  const pkg = 'envoy.service.ext_proc.v3';
  const mode = root.lookupEnum('envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode');
  if (mode.values.FULL_DUPLEX_STREAMED === undefined) mode.add('FULL_DUPLEX_STREAMED', 4);

  const ns = root.lookup(pkg) as protobuf.Namespace;
  if (!root.lookup(`${pkg}.ProtocolConfiguration`)) {
    ns.add(
      new protobuf.Type('ProtocolConfiguration')
        .add(
          new protobuf.Field(
            'request_body_mode',
            1,
            'envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode',
          ),
        )
        .add(
          new protobuf.Field(
            'response_body_mode',
            2,
            'envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode',
          ),
        )
        .add(new protobuf.Field('send_body_without_waiting_for_header_response', 3, 'bool')),
    );
  }
  const request = root.lookupType(`${pkg}.ProcessingRequest`);
  if (!request.fields.protocol_config)
    request.add(new protobuf.Field('protocol_config', 11, 'ProtocolConfiguration'));

  if (!root.lookup(`${pkg}.StreamedBodyResponse`)) {
    ns.add(
      new protobuf.Type('StreamedBodyResponse')
        .add(new protobuf.Field('body', 1, 'bytes'))
        .add(new protobuf.Field('end_of_stream', 2, 'bool')),
    );
  }
  const bodyMutation = root.lookupType(`${pkg}.BodyMutation`);
  if (!bodyMutation.fields.streamed_response) {
    const field = new protobuf.Field('streamed_response', 3, 'StreamedBodyResponse');
    bodyMutation.add(field);
    bodyMutation.oneofs.mutation!.add(field);
  }
}

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: false,
  oneofs: true,
};

let root: protobuf.Root | undefined;
let cached: protoLoader.PackageDefinition | undefined;

function loadedRoot(): protobuf.Root {
  root ??= protoRoot();
  return root;
}

function packageDefinition(): protoLoader.PackageDefinition {
  cached ??= protoLoader.fromJSON(loadedRoot().toJSON(), LOADER_OPTIONS);
  return cached;
}

/** The `ExternalProcessor` service as @grpc/proto-loader describes it, for grpc-js servers and clients. */
export function externalProcessorService(): ServiceDefinition {
  return packageDefinition()['envoy.service.ext_proc.v3.ExternalProcessor'] as ServiceDefinition;
}

export function processMethod(): MethodDefinition<ProcessingRequest, ProcessingResponse> {
  return externalProcessorService().Process as MethodDefinition<ProcessingRequest, ProcessingResponse>;
}

/** Message codec for our own gRPC framing (grpc-frames.ts). */
export interface ExtProcCodec {
  /**
   * protobufjs' encoding, as is (right JS types throughout). The client sends with request-encoder.ts; this
   * stays as the reference its test compares against, and for tools that play the client.
   */
  encodeRequest(m: ProcessingRequest): Uint8Array;
  decodeRequest(b: Uint8Array): ProcessingRequest;
  /** For answers a callout's code builds: normalized first (enum names, wrapper objects), as proto-loader does. */
  encodeResponse(m: ProcessingResponse): Uint8Array;
  /** response-decoder.ts for the common answers, protobufjs for the rest (same objects either way). */
  decodeResponse(b: Uint8Array): ProcessingResponse;
  /** protobufjs alone: the reference decodeResponse is tested against. */
  decodeResponseWithProtobufjs(b: Uint8Array): ProcessingResponse;
}

let codec: ExtProcCodec | undefined;

export function extProcCodec(): ExtProcCodec {
  if (codec) return codec;
  const r = loadedRoot();
  const req = r.lookupType('envoy.service.ext_proc.v3.ProcessingRequest');
  const resp = r.lookupType('envoy.service.ext_proc.v3.ProcessingResponse');
  const asObject: protobuf.IConversionOptions = {
    longs: Number,
    enums: Number,
    defaults: false,
    oneofs: true,
  };
  const slowResponse = (b: Uint8Array): ProcessingResponse =>
    resp.toObject(resp.decode(b), asObject) as ProcessingResponse;
  codec = {
    encodeRequest: (m) => req.encode(m as protobuf.Message).finish(),
    decodeRequest: (b) => req.toObject(req.decode(b), asObject) as ProcessingRequest,
    encodeResponse: (m) => resp.encode(resp.fromObject(m as Record<string, unknown>)).finish(),
    decodeResponse: (b) => (Buffer.isBuffer(b) ? decodeProcessingResponse(b, slowResponse) : slowResponse(b)),
    decodeResponseWithProtobufjs: (b) => slowResponse(b),
  };
  return codec;
}
