// unknownFields(): the paths the API server names in strict field validation
// (`strict decoding error: unknown field "spec.strict"`), only for kinds with a complete schema.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unknownFields, withDefaults } from '../../src/api/admission.js';
import type { KubeObject } from '../../src/api/types.js';
import * as seed from './fixtures.js';

describe('unknownFields', () => {
  it('is empty for the seed manifests', () => {
    for (const o of [
      seed.gateway(),
      seed.storeRoute(),
      seed.routingExtension(),
      seed.trafficExtension(),
      seed.wasmPlugin(),
      seed.pluginTrafficExtension(),
    ]) {
      assert.deepEqual(unknownFields(o), [], o.kind);
    }
  });

  it('names misspelled and invented fields with their paths', () => {
    const o = seed.variant(seed.trafficExtension, (s) => {
      s.strict = true;
      seed.ext0(s).timeOut = '1s';
      seed.ext0(s).backendRef.namespace = 'other';
      s.extensionChains[0].matchCondition.celExpressions[0].expr = 'x';
    });
    (o as Record<string, unknown>).extra = 1;
    o.metadata.labelz = { a: 'b' };
    assert.deepEqual(unknownFields(o).sort(), [
      'extra',
      'metadata.labelz',
      'spec.extensionChains[0].extensions[0].backendRef.namespace',
      'spec.extensionChains[0].extensions[0].timeOut',
      'spec.extensionChains[0].matchCondition.celExpressions[0].expr',
      'spec.strict',
    ]);
  });

  it('does not look inside maps (metadata values, labels) or opaque parts', () => {
    const o = seed.variant(seed.trafficExtension, (s) => (seed.ext0(s).metadata = { anything: 'x' }));
    o.metadata.labels = { a: 'b' };
    o.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
    o.status = { ancestors: [] };
    assert.deepEqual(unknownFields(o), []);
  });

  it('reports Gateway API fields that do not exist', () => {
    const route = seed.variant(seed.storeRoute, (s) => (s.rules[0].backendRefs[0].weigth = 5));
    assert.deepEqual(unknownFields(route), ['spec.rules[0].backendRefs[0].weigth']);
    const gw = seed.variant(seed.gateway, (s) => (s.listeners[0].protocl = 'HTTP'));
    assert.deepEqual(unknownFields(gw), ['spec.listeners[0].protocl']);
  });

  it('is empty for kinds stored as sent or only partly described', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { anything: 1 },
    };
    assert.deepEqual(unknownFields(deployment), []);
    const svc = seed.variant(seed.calloutService, (s) => (s.sessionAffinity = 'None'));
    assert.deepEqual(unknownFields(svc), []);
  });
});

describe('withDefaults', () => {
  it('fills in the CRD defaults a real API server stores', () => {
    const o = seed.variant(
      seed.trafficExtension,
      (s) => (seed.ext0(s).backendRef = { name: 'extension-service', port: 443 }),
    );
    const d = withDefaults(o) as any;
    assert.deepEqual(d.spec.extensionChains[0].extensions[0].backendRef, {
      name: 'extension-service',
      port: 443,
      group: '',
      kind: 'Service',
    });
    const route = withDefaults(seed.storeRoute()) as any;
    assert.deepEqual(route.spec.rules[2].matches[0].path, { value: '/de', type: 'PathPrefix' });
    assert.equal(route.spec.rules[0].backendRefs[0].weight, 1);
    assert.equal(route.spec.parentRefs[0].group, 'gateway.networking.k8s.io');
  });
});
