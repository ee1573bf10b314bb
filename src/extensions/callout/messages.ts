// The ext_proc messages as extgate decodes and encodes them (only the fields it reads or writes). A leaf
// module: the protobufjs codec (protos.ts) and the direct response reader (response-decoder.ts) both use
// these shapes without importing each other.

export interface StructValue {
  fields?: Record<string, ValueMessage>;
}
export type ValueMessage =
  | { nullValue: 0 | 'NULL_VALUE'; kind?: 'nullValue' }
  | { numberValue: number; kind?: 'numberValue' }
  | { stringValue: string; kind?: 'stringValue' }
  | { boolValue: boolean; kind?: 'boolValue' }
  | { structValue: StructValue; kind?: 'structValue' }
  | { listValue: { values?: ValueMessage[] }; kind?: 'listValue' };

export interface HeaderValue {
  key: string;
  value?: string;
  raw_value?: Uint8Array;
}
export interface HeaderMapMessage {
  headers?: HeaderValue[];
}
export enum AppendAction {
  APPEND_IF_EXISTS_OR_ADD = 0,
  ADD_IF_ABSENT = 1,
  OVERWRITE_IF_EXISTS_OR_ADD = 2,
  OVERWRITE_IF_EXISTS = 3,
}
export interface HeaderValueOption {
  header?: HeaderValue;
  append?: { value?: boolean };
  append_action?: AppendAction;
  keep_empty_value?: boolean;
}
export interface HeaderMutation {
  set_headers?: HeaderValueOption[];
  remove_headers?: string[];
}
export interface StreamedBodyResponse {
  body?: Uint8Array;
  end_of_stream?: boolean;
}
export interface BodyMutation {
  body?: Uint8Array;
  clear_body?: boolean;
  streamed_response?: StreamedBodyResponse;
  mutation?: 'body' | 'clear_body' | 'streamed_response';
}
export enum ResponseStatus {
  CONTINUE = 0,
  CONTINUE_AND_REPLACE = 1,
}
export interface CommonResponse {
  status?: ResponseStatus;
  header_mutation?: HeaderMutation;
  body_mutation?: BodyMutation;
  clear_route_cache?: boolean;
}
export interface ImmediateResponse {
  status?: { code?: number };
  headers?: HeaderMutation;
  body?: Uint8Array;
  grpc_status?: { status?: number };
  details?: string;
}
export interface HttpHeaders {
  headers?: HeaderMapMessage;
  end_of_stream?: boolean;
}
export interface HttpBody {
  body?: Uint8Array;
  end_of_stream?: boolean;
}
export interface HttpTrailers {
  trailers?: HeaderMapMessage;
}

export enum BodySendModeValue {
  NONE = 0,
  STREAMED = 1,
  BUFFERED = 2,
  BUFFERED_PARTIAL = 3,
  FULL_DUPLEX_STREAMED = 4,
}
export interface ProtocolConfiguration {
  request_body_mode?: BodySendModeValue;
  response_body_mode?: BodySendModeValue;
  send_body_without_waiting_for_header_response?: boolean;
}

export type RequestKind =
  | 'request_headers'
  | 'response_headers'
  | 'request_body'
  | 'response_body'
  | 'request_trailers'
  | 'response_trailers';

export interface ProcessingRequest {
  request_headers?: HttpHeaders;
  response_headers?: HttpHeaders;
  request_body?: HttpBody;
  response_body?: HttpBody;
  request_trailers?: HttpTrailers;
  response_trailers?: HttpTrailers;
  request?: RequestKind;
  metadata_context?: { filter_metadata?: Record<string, StructValue> };
  attributes?: Record<string, StructValue>;
  observability_mode?: boolean;
  protocol_config?: ProtocolConfiguration;
}

export type ResponseKind = RequestKind | 'immediate_response';

export interface ProcessingResponse {
  request_headers?: { response?: CommonResponse };
  response_headers?: { response?: CommonResponse };
  request_body?: { response?: CommonResponse };
  response_body?: { response?: CommonResponse };
  request_trailers?: { header_mutation?: HeaderMutation };
  response_trailers?: { header_mutation?: HeaderMutation };
  immediate_response?: ImmediateResponse;
  response?: ResponseKind;
  dynamic_metadata?: StructValue;
  mode_override?: unknown;
  override_message_timeout?: { seconds?: number; nanos?: number };
}
