// extgate/callout: write an ext_proc callout for GCPRoutingExtension / GCPTrafficExtension in TypeScript.
//
//   import { CalloutServer, headersReply } from 'extgate/callout';
//   await new CalloutServer({
//     onResponseHeaders: () => headersReply({ add: { hello: 'service-extensions' } }),
//   }).start();

export {
  CalloutServer,
  CalloutError,
  type Callout,
  type CalloutContext,
  type CalloutServerOptions,
  type CalloutPorts,
  type HeadersEvent,
  type BodyEvent,
  type BodyMode,
} from './server.js';
export {
  headersReply,
  bodyReply,
  streamedBody,
  trailersReply,
  immediateReply,
  redirectReply,
  withDynamicForwarding,
  headerMutation,
  type Reply,
  type HeaderEdits,
  type HeadersReplyOptions,
  type ImmediateOptions,
} from './replies.js';
export { selfSignedCertificate, type CertificatePair } from './certs.js';
export { GrpcStatus } from '../extensions/callout/grpc-frames.js';
export { runCallout } from './run.js';
// The ext_proc message shapes, for answers built by hand (`{ continue: CommonResponse }` ...).
export {
  AppendAction,
  ResponseStatus,
  type CommonResponse,
  type HeaderMutation,
  type HeaderValueOption,
  type ImmediateResponse,
  type ProcessingRequest,
  type ProcessingResponse,
} from '../extensions/callout/protos.js';
