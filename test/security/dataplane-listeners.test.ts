// Issue 9, "one bad listener stays alone", performed as written: one Secret with a broken key on one Gateway
// used to make every later snapshot refused (no other change took effect until it was deleted) while that
// Gateway still read Programmed=True. The translator loads each certificate as the data plane will and marks
// only that listener (ResolvedRefs=False, InvalidCertificateRef; the Gateway Programmed=False); the data plane
// compiles listeners one by one, so one that still fails cannot hold the others back.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { translate } from '../../src/controller/translator/translate.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import type { Condition } from '../../src/controller/resources.js';
import { loadFixture } from '../controller/fixtures.js';
import {
  backend,
  echoBackend,
  echoOf,
  get,
  listener,
  port,
  rule,
  selfSigned,
  snapshot,
  startGateway,
  tlsOf,
  type EchoBackend,
} from '../dataplane/fixtures.js';

const good = selfSigned(['store.example.com']);
const other = selfSigned(['other.example.com']);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Two Gateways: `healthy` (HTTP), `broken` (HTTPS whose Secret pairs a certificate with another key). */
function resources(brokenKeyPem: string) {
  return loadFixture(`
kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: healthy}
spec:
  gatewayClassName: gke-l7-regional-external-managed
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
kind: Gateway
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: broken}
spec:
  gatewayClassName: gke-l7-global-external-managed
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    tls: {mode: Terminate, certificateRefs: [{name: store-example-com}]}
---
apiVersion: v1
kind: Secret
metadata: {name: store-example-com}
type: kubernetes.io/tls
data: {tls.crt: ${b64(good.certPem)}, tls.key: ${b64(brokenKeyPem)}}
---
kind: HTTPRoute
apiVersion: gateway.networking.k8s.io/v1
metadata: {name: store}
spec:
  parentRefs: [{name: healthy}, {name: broken}]
  rules: [{backendRefs: [{name: store, port: 8080}]}]
`);
}

const condition = (conds: readonly Condition[] | undefined, type: string) =>
  conds?.find((c) => c.type === type);

describe('a Secret with a broken key', () => {
  it('marks only its listener (InvalidCertificateRef) and its Gateway; the snapshot carries the rest', () => {
    const fixture = resources(other.keyPem); // a real key, not the certificate's
    const t = translate(fixture.resources, fixture.options, fixture.wasm, 1);
    const ids = t.snapshot.ports.flatMap((p) => p.listeners.map((l) => l.id));
    assert.deepEqual(ids, ['default/healthy/http'], 'the broken listener is left out of the snapshot');
    const broken = t.statuses.gateways.find((g) => g.key === 'default/broken')!;
    const https = broken.status.listeners?.find((l) => l.name === 'https');
    const resolved = condition(https?.conditions, 'ResolvedRefs');
    assert.equal(resolved?.status, 'False');
    assert.equal(resolved?.reason, 'InvalidCertificateRef');
    assert.match(resolved?.message ?? '', /store-example-com.*cannot be loaded/);
    assert.equal(condition(broken.status.conditions, 'Programmed')?.status, 'False');
    const healthy = t.statuses.gateways.find((g) => g.key === 'default/healthy')!;
    assert.equal(condition(healthy.status.conditions, 'Programmed')?.status, 'True');
  });

  it('a key that is not a key at all is reported the same way', () => {
    const fixture = resources('-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n');
    const t = translate(fixture.resources, fixture.options, fixture.wasm, 1);
    const broken = t.statuses.gateways.find((g) => g.key === 'default/broken')!;
    assert.equal(
      condition(broken.status.listeners?.[0]?.conditions, 'ResolvedRefs')?.reason,
      'InvalidCertificateRef',
    );
    assert.equal(t.snapshot.ports.length, 1);
  });
});

describe('the data plane compiles listeners one by one', () => {
  const gateways: DataPlane[] = [];
  const backends: EchoBackend[] = [];
  after(async () => {
    for (const gw of gateways) await gw.close(100);
    for (const b of backends) await b.close();
  });

  it('a listener that still fails is reported and left out; later snapshots keep taking effect', async () => {
    const [v1, v2] = await Promise.all([echoBackend('v1'), echoBackend('v2')]);
    backends.push(v1, v2);
    const withBackend = (b: EchoBackend) =>
      snapshot([
        port([listener([rule({ backends: [backend('default/store:80', b.port)] })])]),
        port(
          [
            listener([rule({ backends: [backend('default/store:80', b.port)] })], {
              id: 'default/broken/https',
              tls: tlsOf(good.certPem, other.keyPem, 'default/store-example-com'),
            }),
          ],
          'HTTPS',
        ),
      ]);
    const { gw, port: p } = await startGateway(withBackend(v1));
    gateways.push(gw);
    assert.equal(echoOf(await get(p, '/')).metadata, 'v1');
    const report = await gw.apply(withBackend(v2));
    assert.match(report.listenerErrors['default/broken/https'] ?? '', /store-example-com.*cannot be loaded/);
    assert.equal(echoOf(await get(p, '/')).metadata, 'v2', 'the next snapshot took effect');
  });
});
