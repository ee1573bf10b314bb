// End to end: the embedded API server with admission wired in, driven by the real kubectl. Bad manifests get
// the field-named error printed by kubectl and are not stored; the seed's manifests apply.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { admit, unknownFields } from '../../src/api/admission.js';
import { startApiServer, type ApiServer } from '../../src/apiserver/server.js';
import type { KubeObject } from '../../src/api/types.js';
import * as seed from './fixtures.js';

const KUBECTL = '/usr/bin/kubectl';
/** Debian's kubernetes-client 1.20 as .ci/run unpacks it; it sends no fieldValidation (server default Warn). */
const KUBECTL_120 = process.env.EXTGATE_KUBECTL_120 ?? '/tmp/extgate-kubectl-1.20/usr/bin/kubectl';

interface Run {
  code: number;
  out: string;
}

/** An embedded API server with admission, and the given kubectl pointed at it (private HOME and cache). */
function harness(bin: string) {
  const h = {
    api: undefined as unknown as ApiServer,
    dir: '',
    kubectl: (...args: string[]): Promise<Run> =>
      new Promise((resolve) => {
        execFile(
          bin,
          args,
          {
            cwd: h.dir,
            timeout: 60_000,
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: h.dir, KUBECONFIG: h.api.kubeconfigPath },
          },
          (err, stdout, stderr) =>
            resolve({
              code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
              out: `${stdout}${stderr}`,
            }),
        );
      }),
    apply: (name: string, ...objects: KubeObject[]) => {
      writeFileSync(join(h.dir, name), objects.map((o) => stringify(o)).join('---\n'));
      return h.kubectl('apply', '-f', name);
    },
    stored: async (resource: string, name: string) =>
      (await h.kubectl('get', resource, name, '-o', 'name')).code === 0,
    start: async () => {
      h.dir = mkdtempSync(join(tmpdir(), 'extgate-admission-'));
      h.api = await startApiServer({ stateDir: join(h.dir, 'state'), port: 0, admit, unknownFields });
    },
    stop: async () => {
      await h.api?.close();
      if (h.dir) rmSync(h.dir, { recursive: true, force: true });
    },
  };
  return h;
}

describe('kubectl apply against admission', { skip: !existsSync(KUBECTL) && 'kubectl not installed' }, () => {
  const h = harness(KUBECTL);
  const { apply, stored } = h;
  before(h.start);
  after(h.stop);

  it('prints the field-named error for one bad field and stores nothing', async () => {
    const bad = seed.variant(seed.trafficExtension, (s) => (seed.ext0(s).timeout = '5ms'));
    const run = await apply('bad-timeout.yaml', bad);
    assert.notEqual(run.code, 0);
    assert.match(
      run.out,
      /The GCPTrafficExtension "my-traffic-extension" is invalid: spec\.extensionChains\[0\]\.extensions\[0\]\.timeout: Invalid value: "5ms": timeout must be between 10-10000 milliseconds/,
    );
    assert.equal(await stored('gcptrafficextensions', 'my-traffic-extension'), false);
  });

  it('lists every cause when there are several', async () => {
    const bad = seed.variant(seed.wasmPlugin, (s) => {
      s.versions.push({ ...s.versions[0], weight: 5 });
      s.logConfig = { enabled: false, sampleRate: 5 };
    });
    const run = await apply('bad-plugin.yaml', bad);
    assert.notEqual(run.code, 0);
    assert.match(
      run.out,
      /The GCPWasmPlugin "gcp-wasm-plugin" is invalid: \n\* spec\.versions\[1\]\.name: Duplicate value: "wasm-plugin-version": Version name must be unique within the GCPWasmPlugin/,
    );
    assert.match(
      run.out,
      /\* spec\.versions: Invalid value: "array": GCPWasmPlugin must contain exactly one version with a non zero weight/,
    );
    assert.match(
      run.out,
      /\* spec\.logConfig\.sampleRate: Forbidden: SampleRate can be specified only if logging is enabled/,
    );
    assert.equal(await stored('gcpwasmplugins', 'gcp-wasm-plugin'), false);
  });

  it("rejects a CEL matcher outside GKE's allow-list with the position", async () => {
    const bad = seed.variant(
      seed.trafficExtension,
      (s) => (s.extensionChains[0].matchCondition.celExpressions[0].celMatcher = 'has(request.headers.x)'),
    );
    const run = await apply('bad-cel.yaml', bad);
    assert.match(
      run.out,
      /celMatcher: Invalid value: "has\(request\.headers\.x\)": unsupported text at position 1: "has\(request\.headers\."/,
    );
  });

  it("refuses an HTTPRoute regex that RE2 (GKE) rejects, with RE2's message and the position", async () => {
    const bad = seed.variant(seed.storeRoute, (s) => {
      s.rules[2].matches[0].path = { type: 'RegularExpression', value: '/api/(?=v1)v[0-9]+' };
    });
    const run = await apply('bad-regex.yaml', bad);
    assert.notEqual(run.code, 0);
    assert.match(
      run.out,
      /The HTTPRoute "store" is invalid: spec\.rules\[2\]\.matches\[0\]\.path\.value: Invalid value: "\/api\/\(\?=v1\)v\[0-9\]\+": value must be a valid regular expression when type is RegularExpression: RE2 rejects it at position 6: invalid perl operator: \(\?=/,
    );
    assert.equal(await stored('httproutes', 'store'), false);
  });

  it("refuses a CEL matches() pattern with a backreference, with RE2's message", async () => {
    const bad = seed.variant(
      seed.trafficExtension,
      (s) =>
        (s.extensionChains[0].matchCondition.celExpressions[0].celMatcher =
          "request.path.matches('(a)\\\\1')"),
    );
    const run = await apply('bad-cel-regex.yaml', bad);
    assert.notEqual(run.code, 0);
    assert.match(
      run.out,
      /celMatcher: Invalid value: .*matches\(\) pattern at column 22 is not a valid regular expression: RE2 rejects it at position 4: invalid escape sequence: \\1/,
    );
    assert.equal(await stored('gcptrafficextensions', 'my-traffic-extension'), false);
  });

  it('reports unknown fields with strict validation', async () => {
    const bad = seed.variant(seed.trafficExtension, (s) => (s.strict = true));
    const run = await apply('unknown.yaml', bad);
    assert.notEqual(run.code, 0);
    assert.match(run.out, /strict decoding error: unknown field "spec\.strict"/);
    assert.equal(await stored('gcptrafficextensions', 'my-traffic-extension'), false);
  });

  it("gives the seed's reference errors verbatim, in the order a user meets them", async () => {
    const ext = seed.variant(
      seed.trafficExtension,
      (s) => (seed.ext0(s).backendRef.name = 'callout-service'),
    );
    let run = await apply('ext.yaml', ext);
    assert.match(
      run.out,
      /GCPTrafficExtension\.networking\.gke\.io "my-traffic-extension" is invalid: spec\.gatewayRef: gateway "my-gateway" not found in namespace "default"/,
    );

    assert.equal((await apply('gw.yaml', seed.gateway())).code, 0);
    run = await apply('ext.yaml', ext);
    assert.match(
      run.out,
      /GCPTrafficExtension\.networking\.gke\.io "my-traffic-extension" is invalid: spec\.service: service "callout-service" not found in namespace "default"/,
    );

    const svc = seed.variant(seed.calloutService, (o) => (o.metadata.name = 'callout-service'), true);
    assert.equal((await apply('svc.yaml', svc)).code, 0);
    run = await apply('ext.yaml', ext);
    assert.match(
      run.out,
      /GCPTrafficExtension\.networking\.gke\.io "my-traffic-extension" is invalid: spec\.service: no network endpoints found for service "callout-service"/,
    );
    assert.equal(await stored('gcptrafficextensions', 'my-traffic-extension'), false);

    const slice = seed.variant(
      seed.calloutSlice,
      (o) => (o.metadata.labels = { 'kubernetes.io/service-name': 'callout-service' }),
      true,
    );
    assert.equal((await apply('slice.yaml', slice)).code, 0);
    run = await apply('ext.yaml', ext);
    assert.equal(run.code, 0, run.out);
    assert.equal(await stored('gcptrafficextensions', 'my-traffic-extension'), true);
  });

  it('applies the seed walkthrough', async () => {
    const run = await apply(
      'seed.yaml',
      seed.gateway(),
      seed.storeRoute(),
      seed.calloutService(),
      seed.calloutSlice(),
      seed.routingExtension(),
      seed.wasmPlugin(),
      seed.pluginTrafficExtension(),
    );
    assert.equal(run.code, 0, run.out);
    for (const [res, name] of [
      ['gcproutingextensions', 'my-gateway-extension'],
      ['gcpwasmplugins', 'gcp-wasm-plugin'],
      ['gcptrafficextensions', 'gcp-traffic-extension-with-plugin'],
      ['httproutes', 'store'],
    ]) {
      assert.equal(await stored(res!, name!), true, `${res}/${name}`);
    }
  });
});

describe(
  'kubectl 1.20 apply against admission',
  { skip: !existsSync(KUBECTL_120) && 'kubectl 1.20 not unpacked' },
  () => {
    const h = harness(KUBECTL_120);
    before(h.start);
    after(h.stop);

    it('prints the same field-named error', async () => {
      const bad = seed.variant(seed.trafficExtension, (s) => (seed.ext0(s).timeout = '5ms'));
      const run = await h.apply('bad-timeout.yaml', bad);
      assert.notEqual(run.code, 0);
      assert.match(
        run.out,
        /The GCPTrafficExtension "my-traffic-extension" is invalid: spec\.extensionChains\[0\]\.extensions\[0\]\.timeout: Invalid value: "5ms": timeout must be between 10-10000 milliseconds/,
      );
      assert.equal(await h.stored('gcptrafficextensions', 'my-traffic-extension'), false);
    });

    it("prints the seed's reference error", async () => {
      const run = await h.apply('ext.yaml', seed.trafficExtension());
      assert.match(
        run.out,
        /GCPTrafficExtension\.networking\.gke\.io "my-traffic-extension" is invalid: spec\.gatewayRef: gateway "my-gateway" not found in namespace "default"/,
      );
    });

    it('warns about an unknown field and stores the object without it', async () => {
      assert.equal(
        (await h.apply('world.yaml', seed.gateway(), seed.calloutService(), seed.calloutSlice())).code,
        0,
      );
      const run = await h.apply(
        'unknown.yaml',
        seed.variant(seed.trafficExtension, (s) => (s.strict = true)),
      );
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, /Warning: unknown field "spec\.strict"/);
      const got = await h.kubectl('get', 'gcptrafficextension', 'my-traffic-extension', '-o', 'json');
      assert.equal(JSON.parse(got.out).spec.strict, undefined);
    });
  },
);
