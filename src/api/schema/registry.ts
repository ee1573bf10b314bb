// The kinds admission has a schema for, looked up by apiVersion and kind.
import type { KindSchema } from './dsl.js';
import { gcpRoutingExtension, gcpTrafficExtension } from './gke-extensions.js';
import { gcpWasmPlugin } from './gke-wasm.js';
import { gateway, gatewayClass } from './gateway-api.js';
import { backendTLSPolicy, referenceGrant } from './gateway-policies.js';
import { httpRoute } from './httproute.js';
import { endpointSlice, secret, service } from './core.js';

export const KIND_SCHEMAS: readonly KindSchema[] = [
  gcpTrafficExtension,
  gcpRoutingExtension,
  gcpWasmPlugin,
  gatewayClass,
  gateway,
  httpRoute,
  referenceGrant,
  backendTLSPolicy,
  service,
  endpointSlice,
  secret,
];

const byKey = new Map(
  KIND_SCHEMAS.map((s) => [`${s.group === '' ? '' : s.group + '/'}${s.version}|${s.kind}`, s]),
);

export function schemaFor(apiVersion: string, kind: string): KindSchema | undefined {
  return byKey.get(`${apiVersion}|${kind}`);
}
