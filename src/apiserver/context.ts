// What every API request handler reads: the store, the watch hub, the resource semantics and the server's
// settings. A leaf module, so the route table and the verbs import it without importing each other.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceKind } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import type { OpenApiDocs } from './openapi.js';
import type { Resources } from './resources.js';
import type { ObjectStore } from './store.js';
import type { WatchHub } from './watch.js';
import type { KindTable } from './crd/kind-table.js';

export interface Handler {
  store: ObjectStore;
  hub: WatchHub;
  resources: Resources;
  /** The kinds served: the fixed table and those of stored CustomResourceDefinitions. */
  kinds: KindTable;
  /** Stop functions of open watches, so close() can end them cleanly. */
  watches: Set<() => void>;
  /** Undefined: BOOKMARK_INTERVAL_MS (watch-stream.ts). */
  bookmarkIntervalMs: number | undefined;
  /** Longest watch without timeoutSeconds; undefined: 1800 s × [1, 2), as kube-apiserver (watch-stream.ts). */
  maxWatchSeconds: number | undefined;
  /** The /openapi/v2 and /openapi/v3 documents and the schema registry behind them. */
  openApi: OpenApiDocs;
  serverAddress: string;
}

/** One request on a resource path, parsed: what every verb handler of the route table receives. */
export interface ResourceCall {
  h: Handler;
  req: IncomingMessage;
  res: ServerResponse;
  kind: ResourceKind;
  /** The version in the path; objects are stored at `kind.version` and shown at this one. */
  version: string;
  namespace: string | undefined;
  query: URLSearchParams;
  /** Shows a stored object at `version`. */
  show: (o: KubeObject) => KubeObject;
}

/** A request on one named object (`.../<resource>/<name>[/<subresource>]`). */
export interface ObjectCall extends ResourceCall {
  name: string;
  subresource: string | undefined;
}

export type Verb<C extends ResourceCall = ResourceCall> = (call: C) => void | Promise<void>;
