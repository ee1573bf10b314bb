// Attacks on the embedded API server (issue 9, "Why" and scope 5), each performed as written, against a real
// server on a loopback port with the real kubectl where kubectl can send it:
// - a JSON patch `/__proto__/x` (and merge, strategic-merge and apply bodies with such keys) polluted
//   Object.prototype for the whole process: now 422, and nothing is polluted;
// - a 400,000-level nested YAML body stalled the process for seconds, 100,000-level JSON answered 500: now 400
//   at once, while other requests keep being answered;
// - malformed percent-escapes (500) and `..` segments (which URL parsing folds into another resource's path);
// - plain HTTP to the HTTPS port (a TLS alert the client cannot read): now kube-apiserver's 400 text;
// - a watch whose client stops reading buffered without bound: now dropped at its cap.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { MAX_UNREAD_WATCH_BYTES } from '../../src/apiserver/watch-stream.js';
import { startTestApi, type TestApi } from '../apiserver/harness.js';

const CM = '/api/v1/namespaces/default/configmaps';

function polluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted !== undefined || probe.x !== undefined || Object.keys(Object.prototype).length > 0;
}

/** A request whose path goes out byte for byte (no URL normalization on the client side either). */
function rawGet(t: TestApi, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(t.api.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        ca: t.api.caPem,
        headers: { authorization: `Bearer ${t.api.token}` },
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('API server: patches, bodies, paths, plain HTTP, watches', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
    await t.kubectl(['create', 'configmap', 'target', '--from-literal=a=1']);
    const svc = await t.call('POST', '/api/v1/namespaces/default/services', {
      contentType: 'application/json',
      body: JSON.stringify({ metadata: { name: 'svc' }, spec: { ports: [{ port: 80, targetPort: 8080 }] } }),
    });
    assert.equal(svc.status, 201, svc.text);
  });
  after(async () => {
    await t?.close();
  });

  it('JSON patch through __proto__ or constructor.prototype: 422, nothing polluted (kubectl patch --type=json)', async () => {
    for (const path of ['/__proto__/polluted', '/constructor/prototype/polluted', '/metadata/__proto__/x']) {
      const r = await t.kubectl(
        [
          'patch',
          'configmap',
          'target',
          '--type=json',
          '-p',
          JSON.stringify([{ op: 'add', path, value: 'yes' }]),
        ],
        { allowFail: true },
      );
      assert.notEqual(r.code, 0, path);
      assert.match(r.stderr, /is invalid|Invalid/, r.stderr);
      assert.match(r.stderr, /not allowed in a patch/, r.stderr);
      assert.equal(polluted(), false, path);
    }
    const copy = await t.call('PATCH', `${CM}/target`, {
      contentType: 'application/json-patch+json',
      body: JSON.stringify([{ op: 'copy', from: '/__proto__', path: '/data/p' }]),
    });
    assert.equal(copy.status, 422, copy.text);
  });

  it('merge and strategic-merge patches with __proto__/constructor/prototype keys: 422 (kubectl patch)', async () => {
    const cases: Array<[string, string, string]> = [
      ['configmap', 'target', 'merge'],
      ['service', 'svc', 'strategic'],
    ];
    for (const [kind, name, type] of cases) {
      for (const body of [
        '{"__proto__":{"polluted":"yes"}}',
        '{"metadata":{"labels":{"constructor":{"prototype":{"polluted":"yes"}}}}}',
        '{"spec":{"$setElementOrder/__proto__":[{"port":80}]}}',
      ]) {
        const r = await t.kubectl(['patch', kind, name, `--type=${type}`, '-p', body], { allowFail: true });
        assert.notEqual(r.code, 0, `${type} ${body}`);
        assert.match(r.stderr, /not allowed in a patch/, r.stderr);
        assert.equal(polluted(), false);
      }
    }
    // The objects are unchanged and still usable.
    const cm = await t.call('GET', `${CM}/target`);
    assert.deepEqual(cm.json().data, { a: '1' });
  });

  it('server-side apply with a __proto__ key: 422', async () => {
    const r = await t.call('PATCH', `${CM}/target?fieldManager=attacker`, {
      contentType: 'application/apply-patch+yaml',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: target}\ndata:\n  __proto__: {polluted: yes}\n',
    });
    assert.equal(r.status, 422, r.text);
    assert.equal(polluted(), false);
  });

  it('a 400,000-level nested YAML body and a 100,000-level JSON body: 400 at once, the server stays responsive', async () => {
    const yaml = '['.repeat(400_000) + ']'.repeat(400_000);
    const blockYaml = Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    const json = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const pending = [
      t.call('POST', CM, { contentType: 'application/yaml', body: yaml }),
      t.call('POST', CM, { contentType: 'application/yaml', body: blockYaml }),
      t.call('POST', CM, { contentType: 'application/json', body: json }),
      t.call('PATCH', `${CM}/target`, { contentType: 'application/merge-patch+json', body: json }),
    ];
    // Meanwhile the server answers others.
    const health = await t.call('GET', '/healthz');
    assert.equal(health.status, 200);
    for (const r of await Promise.all(pending)) {
      assert.equal(r.status, 400, r.text.slice(0, 300));
      assert.match(r.json().message as string, /nests deeper than 100 levels \(passed at (line|byte) \d+\)/);
    }
    // Real objects are far from the limit.
    const ok = await t.call('POST', CM, {
      contentType: 'application/yaml',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n  labels: {a: "[x"}\ndata:\n  k: "{[{["\n  regex: ^[a-z\n',
    });
    assert.equal(ok.status, 201, ok.text);
  });

  it('malformed percent-escapes answer 400, not 500', async () => {
    for (const path of [`${CM}/%zz`, `${CM}/%`, `/api/v1/namespaces/%E0%A4%A/configmaps`]) {
      const r = await rawGet(t, path);
      assert.equal(r.status, 400, `${path}: ${r.body}`);
      assert.match(r.body, /malformed percent-escape/);
    }
  });

  it('`.` and `..` segments never address another resource', async () => {
    await t.kubectl(['create', 'secret', 'generic', 'db', '--from-literal=password=hunter2']);
    for (const path of [
      `${CM}/../../secrets/db`,
      `${CM}/%2e%2e/%2E%2E/secrets/db`,
      `${CM}/.%2e/..%2E/secrets/db`,
      `${CM}\\..\\..\\secrets\\db`,
      `${CM}/./target`,
    ]) {
      const r = await rawGet(t, path);
      assert.equal(r.status, 400, `${path}: ${r.body}`);
      assert.doesNotMatch(r.body, /hunter2|aHVudGVyMg/);
    }
  });

  it('plain HTTP to the API port answers 400 "Client sent an HTTP request to an HTTPS server"', async () => {
    const url = new URL(t.api.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const s = netConnect(Number(url.port), url.hostname, () =>
        s.write('GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.[01] 400 Bad Request\r\n/);
    assert.match(answer, /Client sent an HTTP request to an HTTPS server/);
    // kubectl pointed at http:// gets the same 400 (it shows it as kube-apiserver's: "BadRequest ... rejected
    // our request for an unknown reason"), not a TLS error.
    const r = await t.kubectl(['--server', t.api.url.replace('https:', 'http:'), 'get', 'configmaps'], {
      allowFail: true,
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(BadRequest\)/);
  });

  it('a watch whose client stops reading is dropped at its buffer cap', async () => {
    const url = new URL(t.api.url);
    const socket = tlsConnect({
      host: url.hostname,
      port: Number(url.port),
      ca: t.api.caPem,
      servername: 'localhost',
    });
    await new Promise<void>((r) => socket.once('secureConnect', () => r()));
    socket.write(
      `GET ${CM}?watch=true HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${t.api.token}\r\n\r\n`,
    );
    let received = 0;
    let closed = false;
    socket.on('data', (c: Buffer) => (received += c.length));
    socket.on('close', () => (closed = true));
    socket.on('error', () => (closed = true));
    await new Promise((r) => setTimeout(r, 200));
    socket.pause(); // the client stops reading
    const value = 'v'.repeat(1024 * 1024);
    const objects = Math.ceil((MAX_UNREAD_WATCH_BYTES * 2.5) / value.length);
    for (let i = 0; i < objects; i++) {
      const r = await t.call('POST', CM, {
        contentType: 'application/json',
        body: JSON.stringify({ metadata: { name: `big-${i}` }, data: { v: value } }),
      });
      assert.equal(r.status, 201);
    }
    socket.resume();
    const deadline = Date.now() + 20_000;
    while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(closed, 'the server closed the watch');
    assert.ok(
      received < objects * value.length,
      `the client got ${received} bytes of ${objects * value.length}: the rest was dropped, not held`,
    );
  });
});
