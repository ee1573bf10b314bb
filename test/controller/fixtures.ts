// Test inputs as YAML, the way users write them: multi-document manifests → a ResourceSet, plus an optional
// `kind: TestOptions` document holding the translator options and fake Wasm image resolutions.

import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/api/types.js';
import type { ResourceSet } from '../../src/controller/resources.js';
import type { TranslateOptions } from '../../src/controller/translator/translate.js';
import { wasmImageKey, type WasmImageState, type WasmInputs } from '../../src/controller/translator/wasm.js';

const CLUSTER_SCOPED = new Set(['GatewayClass', 'Namespace']);

/** The GatewayClasses extgate's embedded API ships (interface.md). */
export const BUILTIN_CLASSES = [
  'gke-l7-global-external-managed',
  'gke-l7-regional-external-managed',
  'gke-l7-rilb',
  'gke-l7-gxlb',
];

export interface Fixture {
  resources: ResourceSet;
  options: TranslateOptions;
  wasm: WasmInputs;
}

interface TestOptionsDoc {
  address?: string;
  portOffset?: number;
  googleApiServices?: Record<string, string>;
  gatewayClasses?: string[];
  wasmImages?: Array<{
    image: string;
    configUri?: string;
    state: 'ready' | 'pending' | 'failed';
    moduleDigest?: string;
    modulePath?: string;
    configBase64?: string;
    error?: string;
  }>;
}

export function loadFixture(text: string): Fixture {
  const docs = parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`fixture YAML: ${d.errors[0]?.message ?? ''}`);
      return d.toJSON() as KubeObject | null;
    })
    .filter((d): d is KubeObject => d !== null && typeof d === 'object');
  const options = (docs.find((d) => d.kind === 'TestOptions') ?? {}) as TestOptionsDoc;
  const objects = docs.filter((d) => d.kind !== 'TestOptions');
  let counter = 0;
  for (const o of objects) {
    o.metadata ??= {};
    if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace ??= 'default';
    o.metadata.generation ??= 1;
    // Stable creation order = document order, so precedence ties are deterministic.
    o.metadata.creationTimestamp ??= new Date(Date.UTC(2026, 0, 1, 0, 0, counter++))
      .toISOString()
      .replace('.000Z', 'Z');
    o.metadata.uid ??= `uid-${o.kind.toLowerCase()}-${o.metadata.name ?? ''}`;
  }
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];
  const gatewayClasses = of<ResourceSet['gatewayClasses'][number]>('GatewayClass');
  if (gatewayClasses.length === 0) {
    for (const name of BUILTIN_CLASSES) {
      gatewayClasses.push({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name, generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { controllerName: 'networking.gke.io/gateway' },
      });
    }
  }
  const images = new Map<string, WasmImageState>();
  for (const w of options.wasmImages ?? []) {
    const state: WasmImageState =
      w.state === 'ready'
        ? {
            state: 'ready',
            module: {
              moduleDigest: w.moduleDigest ?? 'sha256:0',
              modulePath: w.modulePath ?? '/tmp/plugin.wasm',
              ...(w.configBase64 !== undefined ? { configBase64: w.configBase64 } : {}),
            },
          }
        : w.state === 'failed'
          ? { state: 'failed', error: w.error ?? 'failed' }
          : { state: 'pending' };
    images.set(wasmImageKey(w.image, w.configUri), state);
  }
  return {
    resources: {
      gatewayClasses,
      gateways: of('Gateway'),
      httpRoutes: of('HTTPRoute'),
      referenceGrants: of('ReferenceGrant'),
      backendTLSPolicies: of('BackendTLSPolicy'),
      services: of('Service'),
      endpointSlices: of('EndpointSlice'),
      endpoints: of('Endpoints'),
      secrets: of('Secret'),
      configMaps: of('ConfigMap'),
      namespaces: of('Namespace'),
      routingExtensions: of('GCPRoutingExtension'),
      trafficExtensions: of('GCPTrafficExtension'),
      wasmPlugins: of('GCPWasmPlugin'),
    },
    options: {
      address: options.address ?? '0.0.0.0',
      portOffset: options.portOffset ?? 0,
      ...(options.googleApiServices ? { googleApiServices: options.googleApiServices } : {}),
      ...(options.gatewayClasses ? { gatewayClasses: options.gatewayClasses } : {}),
    },
    wasm: { images, lastGood: new Map() },
  };
}
