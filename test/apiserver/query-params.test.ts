// Query parameters as kube-apiserver decodes them (src/apiserver/query.ts), with the Python client (Debian's
// python3-kubernetes, which sends `watch=True`) watching, and each spelling other clients use over raw HTTPS.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestApi, type TestApi } from './harness.js';

const PYTHON = '/usr/bin/python3';
const HAVE_PYTHON_CLIENT = existsSync('/usr/lib/python3/dist-packages/kubernetes/__init__.py');
const CM = '/api/v1/namespaces/default/configmaps';

/** Runs a Python script with the server's kubeconfig as argv[1]; collects stdout lines as they come. */
function python(t: TestApi, script: string) {
  const child = spawn(PYTHON, ['-c', script, t.api.kubeconfigPath], {
    env: { PATH: '/usr/bin:/bin', HOME: t.dir },
  });
  const lines: string[] = [];
  let err = '';
  let buf = '';
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  return { lines, stderr: () => err, exited, kill: () => child.kill() };
}

const createCm = (t: TestApi, name: string) =>
  t.call('POST', CM, {
    body: JSON.stringify({ metadata: { name }, data: { v: '1' } }),
    contentType: 'application/json',
  });

/** First line of a response body (a watch's first event, or a list), read then the connection dropped. */
function firstLine(t: TestApi, path: string): Promise<{ status: number; line: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, t.api.url),
      { ca: t.api.caPem, headers: { Authorization: `Bearer ${t.api.token}` }, agent: false },
      (res) => {
        let buf = '';
        const done = () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, line: buf.split('\n')[0] ?? '' });
        };
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          if (buf.includes('\n')) done();
        });
        res.on('end', done);
      },
    );
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
}

describe('query parameters', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ bookmarkIntervalMs: 200 });
    await createCm(t, 'first');
  });
  after(() => t.close());

  it(
    'the Python client watches (watch=True) and sees ADDED, MODIFIED and a BOOKMARK (allowWatchBookmarks=True)',
    {
      skip: HAVE_PYTHON_CLIENT ? false : 'python3-kubernetes is not installed',
    },
    async () => {
      const py = python(
        t,
        `
import sys
from kubernetes import client, config, watch
config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
w = watch.Watch()
print("READY", flush=True)
for ev in w.stream(v1.list_namespaced_config_map, "default", timeout_seconds=30, allow_watch_bookmarks=True):
    if ev["type"] == "BOOKMARK":
        print("BOOKMARK rv" if ev["raw_object"]["metadata"]["resourceVersion"] else "BOOKMARK", flush=True)
        continue
    o = ev["object"]
    print(ev["type"], o.metadata.name, flush=True)
    if ev["type"] == "MODIFIED" and o.metadata.name == "py":
        w.stop()
`,
      );
      try {
        await eventually(
          () => py.lines.includes('ADDED first'),
          `the initial ADDED (stderr: ${py.stderr()})`,
          20_000,
        );
        assert.equal((await createCm(t, 'py')).status, 201);
        await eventually(() => py.lines.includes('ADDED py'), 'ADDED py');
        await eventually(() => py.lines.includes('BOOKMARK rv'), 'a bookmark');
        const r = await t.call('PATCH', `${CM}/py`, {
          body: JSON.stringify({ data: { v: '2' } }),
          contentType: 'application/merge-patch+json',
        });
        assert.equal(r.status, 200);
        assert.equal(await py.exited, 0, py.stderr());
        assert.ok(py.lines.includes('MODIFIED py'), py.lines.join('\n'));
      } finally {
        py.kill();
      }
    },
  );

  it(
    'the Python client pages a list with limit and _continue',
    {
      skip: HAVE_PYTHON_CLIENT ? false : 'python3-kubernetes is not installed',
    },
    async () => {
      await createCm(t, 'page-a');
      await createCm(t, 'page-b');
      const py = python(
        t,
        `
import sys
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
names, cont = [], None
while True:
    page = v1.list_namespaced_config_map("default", limit=1, _continue=cont) if cont else v1.list_namespaced_config_map("default", limit=1)
    names += [i.metadata.name for i in page.items]
    cont = page.metadata._continue
    if not cont: break
print(",".join(names), flush=True)
`,
      );
      assert.equal(await py.exited, 0, py.stderr());
      const names = py.lines[0]!.split(',');
      assert.ok(names.includes('page-a') && names.includes('page-b') && names.includes('first'), py.lines[0]);
      assert.deepEqual(names, [...names].sort());
    },
  );

  it('booleans decode as apimachinery does: only absent, 0 and false (any case) are false', async () => {
    for (const v of ['true', 'True', 'TRUE', 't', '1', 'yes', '']) {
      const r = await firstLine(t, `${CM}?watch=${v}`);
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.line).type, 'ADDED', `watch=${v} must watch`);
    }
    const bare = await firstLine(t, `${CM}?watch`);
    assert.equal(JSON.parse(bare.line).type, 'ADDED', 'a bare ?watch watches');
    for (const v of ['false', 'False', 'FALSE', '0']) {
      const r = await t.call('GET', `${CM}?watch=${v}`);
      assert.equal(r.json().kind, 'ConfigMapList', `watch=${v} must list`);
    }
  });

  it('the legacy /watch/ prefix watches a collection and a single object', async () => {
    const all = await firstLine(t, '/api/v1/watch/namespaces/default/configmaps');
    assert.equal(JSON.parse(all.line).type, 'ADDED');
    const one = await firstLine(t, '/api/v1/watch/namespaces/default/configmaps/first');
    const ev = JSON.parse(one.line);
    assert.deepEqual([ev.type, ev.object.metadata.name], ['ADDED', 'first']);
  });

  it('sendInitialEvents=true from a resourceVersion replays the current state, then the end bookmark', async () => {
    const rv = (await t.call('GET', CM)).json().metadata.resourceVersion;
    const path = `${CM}?watch=1&sendInitialEvents=True&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=t&resourceVersion=${rv}`;
    const r = await firstLine(t, path);
    assert.equal(JSON.parse(r.line).type, 'ADDED');
  });

  it('integers and contradicting options are refused as kube-apiserver refuses them', async () => {
    const badLimit = await t.call('GET', `${CM}?limit=ten`);
    assert.equal(badLimit.status, 400);
    assert.match(badLimit.json().message, /strconv.ParseInt: parsing "ten": invalid syntax/);
    const badTimeout = await t.call('GET', `${CM}?watch=true&timeoutSeconds=soon`);
    assert.equal(badTimeout.status, 400);
    const rvm = await t.call('GET', `${CM}?resourceVersionMatch=NotOlderThan`);
    assert.equal(rvm.status, 422);
    assert.match(rvm.json().message, /resourceVersionMatch is forbidden unless resourceVersion is provided/);
    const listInitial = await t.call(
      'GET',
      `${CM}?sendInitialEvents=true&resourceVersion=0&resourceVersionMatch=NotOlderThan`,
    );
    assert.equal(listInitial.status, 422);
    assert.match(listInitial.json().message, /sendInitialEvents is forbidden for list/);
    const fv = await t.call('POST', `${CM}?fieldValidation=strict`, {
      body: JSON.stringify({ metadata: { name: 'fv' } }),
      contentType: 'application/json',
    });
    assert.equal(fv.status, 422);
    assert.match(
      fv.json().message,
      /^CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict"/,
    );
    const negative = await t.call('GET', `${CM}?limit=-5`);
    assert.equal(negative.status, 200, 'a limit <= 0 means no limit');
    assert.equal(negative.json().metadata.continue, undefined);
  });
});
