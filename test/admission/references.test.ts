// The seed's troubleshooting errors, verbatim (../shared/seed/README.md "Troubleshooting behaviours").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/api/admission.js';
import type { KubeObject } from '../../src/api/types.js';
import * as seed from './fixtures.js';

/** The traffic extension of the troubleshooting section: gateway my-gateway, callout callout-service:443. */
const extension = () =>
  seed.variant(seed.trafficExtension, (s) => {
    seed.ext0(s).backendRef.name = 'callout-service';
  });
const service = (ports = [443]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'callout-service', namespace: 'default' },
  spec: { ports: ports.map((port) => ({ port })) },
});
const slice = (addresses: string[]): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: 'callout-service-abc',
    namespace: 'default',
    labels: { 'kubernetes.io/service-name': 'callout-service' },
  },
  addressType: 'IPv4',
  endpoints: addresses.length ? [{ addresses }] : [],
});
const endpoints = (addresses: string[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'callout-service', namespace: 'default' },
  subsets: [{ addresses: addresses.map((ip) => ({ ip })) }],
});

const create = (o: KubeObject, world: KubeObject[]) =>
  admit({ operation: 'CREATE', object: o }, new seed.ObjectList(world));

describe('reference checks (seed troubleshooting messages)', () => {
  it('Gateway in targetRefs missing', () => {
    assert.deepEqual(create(extension(), [service(), slice(['10.0.0.1'])]), {
      allowed: false,
      denied:
        'GCPTrafficExtension.networking.gke.io "my-traffic-extension" is invalid: spec.gatewayRef: gateway "my-gateway" not found in namespace "default"',
    });
  });

  it('Gateway in another namespace does not count', () => {
    const gw = seed.gateway();
    gw.metadata.namespace = 'other';
    assert.equal(
      (create(extension(), [gw, service(), slice(['10.0.0.1'])]) as { denied: string }).denied,
      'GCPTrafficExtension.networking.gke.io "my-traffic-extension" is invalid: spec.gatewayRef: gateway "my-gateway" not found in namespace "default"',
    );
  });

  it('Service in backendRef missing', () => {
    assert.deepEqual(create(extension(), [seed.gateway()]), {
      allowed: false,
      denied:
        'GCPTrafficExtension.networking.gke.io "my-traffic-extension" is invalid: spec.service: service "callout-service" not found in namespace "default"',
    });
  });

  it('Service port in backendRef missing', () => {
    assert.deepEqual(create(extension(), [seed.gateway(), service([8080]), slice(['10.0.0.1'])]), {
      allowed: false,
      denied:
        'GCPTrafficExtension.networking.gke.io "my-traffic-extension" is invalid: spec.service: service "callout-service" not found in namespace "default"',
    });
  });

  it('Service without endpoints', () => {
    const expected = {
      allowed: false,
      denied:
        'GCPTrafficExtension.networking.gke.io "my-traffic-extension" is invalid: spec.service: no network endpoints found for service "callout-service"',
    };
    assert.deepEqual(create(extension(), [seed.gateway(), service()]), expected);
    assert.deepEqual(
      create(extension(), [seed.gateway(), service(), slice([])]),
      expected,
      'an EndpointSlice without addresses',
    );
    const otherService = slice(['10.0.0.1']);
    otherService.metadata.labels = { 'kubernetes.io/service-name': 'someone-else' };
    assert.deepEqual(
      create(extension(), [seed.gateway(), service(), otherService]),
      expected,
      'a slice of another Service',
    );
  });

  it('the routing extension words it with its own kind', () => {
    const routing = seed.variant(
      seed.routingExtension,
      (s) => (seed.ext0(s).backendRef.name = 'callout-service'),
    );
    assert.deepEqual(create(routing, []), {
      allowed: false,
      denied:
        'GCPRoutingExtension.networking.gke.io "my-gateway-extension" is invalid: spec.gatewayRef: gateway "my-gateway" not found in namespace "default"',
    });
  });

  it('endpoints from an EndpointSlice or from a legacy Endpoints object are enough', () => {
    assert.deepEqual(create(extension(), [seed.gateway(), service(), slice(['10.0.0.1'])]), {
      allowed: true,
    });
    assert.deepEqual(create(extension(), [seed.gateway(), service(), endpoints(['10.0.0.1'])]), {
      allowed: true,
    });
  });

  it('a missing GCPWasmPlugin is not an admission error (the controller reports GCPWasmPluginNotFound)', () => {
    assert.deepEqual(create(seed.pluginTrafficExtension(), [seed.gateway()]), { allowed: true });
  });

  it('checked again on update when the spec changes, not on status or metadata writes', () => {
    const old = extension();
    const world = new seed.ObjectList([seed.gateway()]);
    const relabelled = structuredClone(old);
    relabelled.metadata.labels = { team: 'a' };
    relabelled.status = { ancestors: [] };
    assert.deepEqual(admit({ operation: 'UPDATE', object: relabelled, oldObject: old }, world), {
      allowed: true,
    });
    const changed = seed.variant(extension, (s) => (seed.ext0(s).timeout = '2s'));
    assert.match(
      (admit({ operation: 'UPDATE', object: changed, oldObject: old }, world) as { denied: string }).denied,
      /spec\.service: service "callout-service" not found/,
    );
  });

  it('an update is not refused over a status it does not change', () => {
    const old = seed.trafficExtension();
    old.status = {
      ancestors: [
        { ancestorRef: { name: 'my-gateway' }, controllerName: 'networking.gke.io/gateway', conditions: [] },
      ],
    };
    const relabelled = structuredClone(old);
    relabelled.metadata.labels = { team: 'a' };
    assert.deepEqual(admit({ operation: 'UPDATE', object: relabelled, oldObject: old }, seed.seedWorld()), {
      allowed: true,
    });
    const created = admit({ operation: 'CREATE', object: old }, seed.seedWorld());
    assert.ok('causes' in created && created.causes[0]!.field === 'status.ancestors[0].conditions');
  });

  it('schema errors come before reference errors', () => {
    const bad = seed.variant(extension, (s) => (seed.ext0(s).timeout = '5ms'));
    const r = create(bad, []);
    assert.ok(
      'causes' in r &&
        r.causes[0]!.message === 'Invalid value: "5ms": timeout must be between 10-10000 milliseconds',
    );
  });
});
