// Watch streams over raw HTTPS (docs/spec/kubernetes-api.md §4.3): start points, resume, 410, timeouts, bookmarks, selectors.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestApi, type TestApi } from './harness.js';

const CM = '/api/v1/namespaces/default/configmaps';

interface Stream {
  events: { type: string; object: Record<string, any> }[];
  ended: boolean;
  status: number;
  contentType: string;
  close(): void;
}

function watch(t: TestApi, path: string, accept?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${t.api.token}` };
    if (accept) headers.Accept = accept;
    const req = request(new URL(path, t.api.url), { ca: t.api.caPem, headers, agent: false }, (res) => {
      const s: Stream = {
        events: [],
        ended: false,
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type']),
        close: () => req.destroy(),
      };
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) s.events.push(JSON.parse(line));
        }
      });
      res.on('end', () => (s.ended = true));
      res.on('error', () => (s.ended = true));
      resolve(s);
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
}

const create = (t: TestApi, name: string, labels: Record<string, string> = {}) =>
  t
    .call('POST', CM, {
      body: JSON.stringify({ metadata: { name, labels }, data: { v: '1' } }),
      contentType: 'application/json',
    })
    .then((r) => r.json());
const names = (s: Stream) =>
  s.events.map((e) => `${e.type} ${e.object.metadata?.name ?? e.object.code ?? ''}`);

describe('watch', () => {
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ bookmarkIntervalMs: 200, watchHistory: 50 });
  });
  after(async () => {
    await t?.close();
  });

  it('starts with synthetic ADDED events from resourceVersion 0, then streams changes', async () => {
    await create(t, 'w-a');
    const s = await watch(t, `${CM}?watch=true&resourceVersion=0`);
    await eventually(() => s.events.length >= 1, 'synthetic ADDED');
    assert.equal(s.status, 200);
    assert.equal(s.contentType, 'application/json');
    await t.call('PATCH', `${CM}/w-a`, {
      body: '{"data":{"v":"2"}}',
      contentType: 'application/merge-patch+json',
    });
    await t.call('DELETE', `${CM}/w-a`);
    await eventually(() => s.events.length >= 3, 'MODIFIED and DELETED');
    assert.deepEqual(names(s), ['ADDED w-a', 'MODIFIED w-a', 'DELETED w-a']);
    const [added = NaN, modified = NaN, deleted = NaN] = s.events.map((e) =>
      Number(e.object.metadata.resourceVersion),
    );
    assert.ok(added < modified && modified < deleted, 'DELETED carries a new resourceVersion');
    s.close();
  });

  it('resumes from a resourceVersion with exactly the later changes', async () => {
    const first = await create(t, 'w-b');
    await create(t, 'w-c');
    await t.call('DELETE', `${CM}/w-b`);
    const s = await watch(t, `${CM}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    await eventually(() => s.events.length >= 2, 'replayed changes');
    assert.deepEqual(names(s), ['ADDED w-c', 'DELETED w-b']);
    s.close();
  });

  it('answers a too old or future resourceVersion with an ERROR 410 event and closes', async () => {
    for (let i = 0; i < 120; i++) await create(t, `w-fill-${i}`);
    for (const rv of ['1', '999999']) {
      const s = await watch(t, `${CM}?watch=true&resourceVersion=${rv}`);
      await eventually(() => s.ended, 'stream end');
      assert.equal(s.status, 200);
      assert.equal(s.events.length, 1);
      assert.equal(s.events[0]?.type, 'ERROR');
      assert.equal(s.events[0]?.object.code, 410);
      assert.equal(s.events[0]?.object.reason, 'Expired');
      assert.match(s.events[0]?.object.message, new RegExp(`^too old resource version: ${rv} \\(\\d+\\)$`));
    }
  });

  it('ends cleanly after timeoutSeconds and sends bookmarks only when asked', async () => {
    const list = (await t.call('GET', CM)).json();
    const s = await watch(
      t,
      `${CM}?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1&allowWatchBookmarks=true`,
    );
    const plain = await watch(
      t,
      `${CM}?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`,
    );
    await eventually(() => s.ended && plain.ended, 'both streams to end', 5000);
    const marks = s.events.filter((e) => e.type === 'BOOKMARK');
    assert.ok(marks.length >= 2, `bookmarks every 200 ms (got ${marks.length})`);
    assert.equal(marks[0]?.object.kind, 'ConfigMap');
    assert.equal(marks[0]?.object.metadata.resourceVersion, list.metadata.resourceVersion);
    assert.deepEqual(plain.events, []);
  });

  it('turns label-selector transitions into ADDED and DELETED', async () => {
    await create(t, 'w-sel', { app: 'x' });
    const s = await watch(t, `${CM}?watch=true&labelSelector=app%3Dy`);
    await t.call('PATCH', `${CM}/w-sel`, {
      body: '{"metadata":{"labels":{"app":"y"}}}',
      contentType: 'application/merge-patch+json',
    });
    await t.call('PATCH', `${CM}/w-sel`, {
      body: '{"data":{"v":"9"}}',
      contentType: 'application/merge-patch+json',
    });
    await t.call('PATCH', `${CM}/w-sel`, {
      body: '{"metadata":{"labels":{"app":"z"}}}',
      contentType: 'application/merge-patch+json',
    });
    await eventually(() => s.events.length >= 3, 'three events');
    assert.deepEqual(names(s), ['ADDED w-sel', 'MODIFIED w-sel', 'DELETED w-sel']);
    s.close();
  });

  it('sends one-row Tables when the client asks for Table', async () => {
    const s = await watch(
      t,
      `${CM}?watch=true&fieldSelector=metadata.name%3Dw-tab`,
      'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    );
    await create(t, 'w-tab');
    await eventually(() => s.events.length >= 1, 'a Table event');
    assert.match(s.contentType, /as=Table/);
    assert.equal(s.events[0]?.object.kind, 'Table');
    assert.equal(s.events[0]?.object.rows[0].cells[0], 'w-tab');
    assert.equal(s.events[0]?.object.rows[0].object.kind, 'PartialObjectMetadata');
    s.close();
  });

  it('selects Events by involvedObject fields', async () => {
    const ev = (name: string, kind: string, obj: string) =>
      t.call('POST', '/api/v1/namespaces/default/events', {
        body: JSON.stringify({
          metadata: { name },
          involvedObject: { kind, name: obj, namespace: 'default', uid: 'u-1' },
          reason: 'R',
          message: 'm',
          type: 'Normal',
        }),
        contentType: 'application/json',
      });
    await ev('e1', 'Gateway', 'gw');
    await ev('e2', 'HTTPRoute', 'gw');
    const r = await t.call(
      'GET',
      '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dgw%2CinvolvedObject.namespace%3Ddefault%2CinvolvedObject.kind%3DGateway%2CinvolvedObject.uid%3Du-1&limit=500',
    );
    assert.deepEqual(
      r.json().items.map((e: { metadata: { name: string } }) => e.metadata.name),
      ['e1'],
    );
    const bad = await t.call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(');
    assert.equal(bad.status, 400);
  });
});
