// deploy/ and the Dockerfile: every manifest is a well-formed Kubernetes object, kustomize (the real kubectl)
// renders the set, the RBAC grants everything the controller needs (CONTROLLER_API_ACCESS), and the
// Deployment, Services and GatewayClasses say what docs/operations.md promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { CONTROLLER_API_ACCESS } from '../../src/admin/controller-access.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const NAMESPACE = 'extgate-system';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [k: string]: unknown;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

function load(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: Obj[] = [];
  docs.forEach((doc, i) => {
    const where = `${relative(ROOT, file)} document ${i + 1}`;
    assert.deepEqual(doc.errors.map(String), [], `${where}: YAML errors`);
    const value = doc.toJS() as Obj | null;
    if (value === null) return; // an empty document (e.g. after a trailing ---)
    assert.equal(typeof value.apiVersion, 'string', `${where}: apiVersion missing`);
    assert.equal(typeof value.kind, 'string', `${where}: kind missing`);
    assert.equal(typeof value.metadata?.name, 'string', `${where}: metadata.name missing`);
    assert.match(
      value.metadata.name,
      /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
      `${where}: metadata.name is not a DNS name`,
    );
    out.push(value);
  });
  return out;
}

const manifests = yamlFiles(DEPLOY).filter((f) => !f.endsWith('kustomization.yaml'));
const objects = manifests.flatMap(load);
const byKind = (kind: string): Obj[] => objects.filter((o) => o.kind === kind);
const one = (kind: string, name: string): Obj => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} not found under deploy/`);
  return found;
};

test('every manifest under deploy/ parses into Kubernetes objects with apiVersion, kind and metadata.name', () => {
  assert.ok(manifests.length >= 6, `manifests found: ${manifests.map((m) => relative(ROOT, m)).join(', ')}`);
  const namespaced = new Set([
    'ServiceAccount',
    'Role',
    'RoleBinding',
    'Deployment',
    'Service',
    'PodDisruptionBudget',
    'ConfigMap',
  ]);
  for (const o of objects) {
    if (namespaced.has(o.kind))
      assert.equal(o.metadata.namespace, NAMESPACE, `${o.kind} ${o.metadata.name} belongs in ${NAMESPACE}`);
  }
  one('Namespace', NAMESPACE);
});

test('kustomization.yaml lists every manifest, and kubectl kustomize renders the set', () => {
  const kustomization = parseAllDocuments(
    readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8'),
  )[0]?.toJS() as {
    resources: string[];
  };
  const listed = new Set(kustomization.resources);
  for (const file of manifests) {
    const rel = relative(DEPLOY, file);
    assert.ok(listed.has(rel), `${rel} is not listed in deploy/kustomization.yaml resources`);
  }
  for (const rel of listed)
    assert.ok(existsSync(join(DEPLOY, rel)), `deploy/kustomization.yaml lists ${rel}, which does not exist`);
  const rendered = parseAllDocuments(
    execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' }),
  ).map((d) => d.toJS() as Obj & { spec?: { names?: { kind?: string } } });
  const kinds = rendered.map((o) => o.kind);
  for (const kind of [
    'Namespace',
    'ServiceAccount',
    'ClusterRole',
    'ClusterRoleBinding',
    'Role',
    'RoleBinding',
    'Deployment',
    'Service',
    'GatewayClass',
  ]) {
    assert.ok(kinds.includes(kind), `kubectl kustomize output has a ${kind}`);
  }
  const crds = rendered.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.spec?.names?.kind);
  for (const kind of ['GCPRoutingExtension', 'GCPTrafficExtension', 'GCPWasmPlugin'])
    assert.ok(crds.includes(kind), `CRD for ${kind}`);
});

test('RBAC grants every resource and verb the controller needs (CONTROLLER_API_ACCESS, WATCHED_KINDS)', async (t) => {
  const clusterRules = (one('ClusterRole', 'extgate-controller').rules as Rule[]) ?? [];
  const leaseRole = byKind('Role').find((r) => r.metadata.namespace === NAMESPACE);
  assert.ok(leaseRole, 'a Role in extgate-system for the leader-election Lease');
  const grants = (rules: Rule[], group: string, resource: string, verb: string): boolean =>
    rules.some(
      (r) =>
        (r.apiGroups.includes(group) || r.apiGroups.includes('*')) &&
        (r.resources.includes(resource) || r.resources.includes('*')) &&
        (r.verbs.includes(verb) || r.verbs.includes('*')),
    );
  const missing: string[] = [];
  for (const access of CONTROLLER_API_ACCESS) {
    const rules = access.namespaced ? (leaseRole.rules as Rule[]) : clusterRules;
    for (const verb of access.verbs) {
      if (!grants(rules, access.group, access.resource, verb))
        missing.push(`${verb} ${access.group || 'core'}/${access.resource}`);
    }
  }
  // The controller's own list of watches, when this build has it (src/controller/provider.ts).
  const watched = await controllerWatches();
  for (const path of watched) {
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/([^/?]+)$/.exec(path);
    assert.ok(m, `unexpected watch path ${path}`);
    for (const verb of ['get', 'list', 'watch']) {
      if (!grants(clusterRules, m[1] ?? '', m[2] ?? '', verb))
        missing.push(`${verb} ${m[1] ?? 'core'}/${m[2]} (watched by the controller)`);
    }
  }
  t.diagnostic(
    watched.length > 0
      ? `checked ${watched.length} controller watches`
      : 'controller WATCHED_KINDS not in this build',
  );
  assert.deepEqual(missing, [], 'add these to deploy/rbac.yaml');
  // Nothing cluster-wide beyond that: no wildcards.
  for (const rule of clusterRules) {
    for (const field of [rule.apiGroups, rule.resources, rule.verbs])
      assert.ok(!field.includes('*'), 'no wildcard grants');
  }
  // Bindings point at the ServiceAccount the Deployment runs as.
  const sa = { kind: 'ServiceAccount', name: 'extgate', namespace: NAMESPACE };
  for (const binding of [...byKind('ClusterRoleBinding'), ...byKind('RoleBinding')]) {
    assert.deepEqual(
      (binding.subjects as unknown[])[0],
      sa,
      `${binding.kind} ${binding.metadata.name} subject`,
    );
  }
  one('ServiceAccount', 'extgate');
});

/** The controller's WATCHED_KINDS paths; empty while src/controller/provider.ts is not in this build. */
async function controllerWatches(): Promise<string[]> {
  const module = '../../src/controller/provider.js'; // a variable: tsc must not require the file to exist
  try {
    const { WATCHED_KINDS } = (await import(module)) as { WATCHED_KINDS?: Array<{ path: string }> };
    return (WATCHED_KINDS ?? []).map((k) => k.path);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return [];
    throw err;
  }
}

interface Container {
  args: string[];
  ports: Array<{ name: string; containerPort: number }>;
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: { cpu: string; memory: string } };
}

test('the Deployment runs `extgate serve` with 2 replicas, probes on the admin port and resource requests', () => {
  const deployment = one('Deployment', 'extgate') as Obj & {
    spec: { replicas: number; template: { spec: { serviceAccountName: string; containers: Container[] } } };
  };
  assert.ok(deployment.spec.replicas >= 2, 'at least 2 replicas');
  const pod = deployment.spec.template.spec;
  assert.equal(pod.serviceAccountName, 'extgate');
  const [c] = pod.containers;
  assert.ok(c);
  assert.equal(c.args[0], 'serve');
  const ports = new Map(c.ports.map((p) => [p.name, p.containerPort]));
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.equal(ports.get(c.readinessProbe.httpGet.port), 9901);
  assert.ok(c.args.includes('--admin-port=9901'));
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory, 'resource requests');
  const offset = Number(c.args.find((a) => a.startsWith('--port-offset='))?.split('=')[1] ?? 0);

  const lb = one('Service', 'extgate-gateway') as Obj & {
    spec: { type: string; ports: Array<{ port: number; targetPort: string }> };
  };
  assert.equal(lb.spec.type, 'LoadBalancer');
  for (const p of lb.spec.ports) {
    assert.equal(
      ports.get(p.targetPort),
      p.port + offset,
      `Service port ${p.port} reaches listener port ${p.port} + --port-offset`,
    );
  }
  const admin = one('Service', 'extgate-admin') as Obj & { spec: { type: string } };
  assert.equal(admin.spec.type, 'ClusterIP', 'the admin port never leaves the cluster');
});

test('the four built-in GatewayClasses name networking.gke.io/gateway', () => {
  const classes = byKind('GatewayClass') as Array<Obj & { spec: { controllerName: string } }>;
  assert.deepEqual(classes.map((c) => c.metadata.name).sort(), [
    'gke-l7-global-external-managed',
    'gke-l7-gxlb',
    'gke-l7-regional-external-managed',
    'gke-l7-rilb',
  ]);
  for (const c of classes) assert.equal(c.spec.controllerName, 'networking.gke.io/gateway');
});

test('the Dockerfile is a multi-stage node:24-slim build that installs production dependencies only', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = dockerfile.split('\n').filter((l) => !l.trim().startsWith('#'));
  const froms = lines.filter((l) => /^FROM /.test(l));
  assert.ok(froms.length >= 2, 'multi-stage');
  for (const from of froms) assert.match(from, /^FROM node:24-slim\b/);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /npx tsc -p tsconfig.image.json/);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /^ENTRYPOINT \["node", "bin\/extgate"\]$/m);
  // Every COPY from the build context exists and is not excluded by .dockerignore.
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines.filter((l) => /^COPY /.test(l) && !l.includes('--from='))) {
    const sources = line.split(/\s+/).slice(1, -1);
    for (const src of sources) {
      assert.ok(existsSync(join(ROOT, src)), `${src} (COPY in Dockerfile) exists`);
      assert.ok(!ignored.includes(src), `${src} is copied but .dockerignore excludes it`);
    }
  }
});
