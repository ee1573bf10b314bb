// The dashboard page's script (runs in the browser; compiled by the project's tsc, served as /dashboard.js).
// Only type imports: the emitted module has no runtime imports, so no bundler is needed.
//
// Everything from the API is inserted with textContent, never as HTML: traces carry request data that any
// client controls.

import type { ConfigTree, TreeNode } from '../config-tree.js';
import type { TraceSummary } from '../dashboard.js';
import type { PluginLogLine } from '../plugin-logs.js';
import type { TraceRecord, TraceStep } from '../trace.js';
import type { Capture } from '../trace-demand.js';
import type { CapturedBody, CapturedMessage } from '../../dataplane/trace.js';

const MAX_ROWS = 500;

type Child = Node | string | null | undefined | false;

function h(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing from the page`);
  return el;
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

// ---------------------------------------------------------------------------------------------------------
// Configuration tree

function renderNode(node: TreeNode): HTMLElement {
  const head = h(
    'div',
    { class: 'head' },
    h('span', { class: 'kind' }, node.kind === 'Group' ? '' : node.kind),
    h(
      'span',
      { class: 'name' },
      node.namespace && node.kind !== 'Group' ? `${node.namespace}/${node.name}` : node.name,
    ),
    node.detail ? h('span', { class: 'detail' }, node.detail) : null,
    ...node.conditions.map((c) =>
      h(
        'span',
        { class: c.problem ? 'cond problem' : 'cond', title: `${c.reason ?? ''} ${c.message ?? ''}`.trim() },
        `${c.type}=${c.status}`,
      ),
    ),
  );
  const li = h(
    'li',
    { class: node.problem ? 'node problem' : 'node', 'data-kind': node.kind, 'data-name': node.name },
    head,
  );
  for (const c of node.conditions) {
    if (c.problem)
      li.append(
        h(
          'div',
          { class: 'fix' },
          `${c.type} ${c.status}${c.reason ? ` (${c.reason})` : ''}: ${c.message ?? ''}${c.fix ? `\nFix: ${c.fix}` : ''}`,
        ),
      );
  }
  if (node.events.length > 0) {
    const evs = h('div', { class: 'events' });
    for (const e of node.events.slice(-5)) {
      evs.append(
        h(
          'div',
          { class: e.problem ? 'warn' : '' },
          `${e.type} ${e.reason}${e.count && e.count > 1 ? ` ×${e.count}` : ''}: ${e.message}`,
        ),
      );
    }
    li.append(evs);
  }
  if (node.children.length > 0) li.append(h('ul', { class: 'tree' }, ...node.children.map(renderNode)));
  return li;
}

async function refreshConfig(): Promise<void> {
  try {
    const tree = await getJson<ConfigTree & { snapshotVersion: number }>('/api/tree');
    byId('snapshot').textContent = `snapshot v${tree.snapshotVersion}`;
    const root = h('ul', { class: 'tree root' }, ...tree.gateways.map(renderNode));
    const box = byId('config');
    box.replaceChildren(tree.gateways.length === 0 ? h('div', { class: 'empty' }, 'No Gateways yet.') : root);
    if (tree.unattached.length > 0) {
      box.append(
        h('h3', {}, 'Not attached to any Gateway'),
        h('ul', { class: 'tree root' }, ...tree.unattached.map(renderNode)),
      );
    }
  } catch (err) {
    byId('config').replaceChildren(h('div', { class: 'fix' }, String(err)));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Live request log

let selected: number | undefined;

function matchesFilter(s: TraceSummary, filter: string): boolean {
  if (!filter) return true;
  const hay = `${s.method} ${s.authority} ${s.path} ${s.status ?? ''} ${s.route ?? ''} ${s.chains.join(' ')} ${s.requestId}`;
  return hay.toLowerCase().includes(filter.toLowerCase());
}

function addRequest(s: TraceSummary): void {
  const body = byId('requests');
  if (body.querySelector(`tr[data-id="${s.id}"]`)) return;
  const time = new Date(s.time).toLocaleTimeString();
  const row = h(
    'tr',
    { 'data-id': String(s.id), class: s.problem ? 'problem' : '' },
    h('td', { class: 'mono' }, time),
    h('td', {}, s.method),
    h('td', {}, s.authority),
    h('td', { class: 'mono' }, s.path),
    h('td', { class: 'status' }, String(s.status ?? '')),
    h('td', {}, s.durationMs === undefined ? '' : s.durationMs.toFixed(1)),
    h('td', { class: 'mono' }, s.route ?? '—'),
    h('td', { class: 'mono' }, s.chains.map((c) => c ?? '—').join(' · ')),
  );
  row.hidden = !matchesFilter(s, (byId('filter') as HTMLInputElement).value);
  row.dataset.search = JSON.stringify(s);
  row.addEventListener('click', () => void showTrace(s.id));
  body.prepend(row);
  while (body.childElementCount > MAX_ROWS) body.lastElementChild?.remove();
}

function applyFilter(): void {
  const filter = (byId('filter') as HTMLInputElement).value;
  for (const row of Array.from(byId('requests').children) as HTMLElement[]) {
    row.hidden = !matchesFilter(JSON.parse(row.dataset.search ?? '{}') as TraceSummary, filter);
  }
}

async function startLog(): Promise<void> {
  const { requests } = await getJson<{ requests: TraceSummary[] }>('/api/requests?limit=200');
  for (const s of requests) addRequest(s);
  const live = new EventSource('/api/requests/stream');
  live.onopen = () => (byId('live').className = 'meta on');
  live.onerror = () => (byId('live').className = 'meta off');
  live.onmessage = (ev: MessageEvent<string>) => addRequest(JSON.parse(ev.data) as TraceSummary);
}

// ---------------------------------------------------------------------------------------------------------
// One request's trace

interface DiffRow {
  kind: 'add' | 'del' | 'mod' | 'same';
  name: string;
  text: string;
}

/** Header changes between two snapshots, by name (multi-valued headers compared as a list). */
export function diffHeaders(
  before: CapturedMessage['headers'],
  after: CapturedMessage['headers'],
): DiffRow[] {
  const group = (flat: CapturedMessage['headers']): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const name = flat[i] ?? '';
      m.set(name, [...(m.get(name) ?? []), flat[i + 1] ?? '']);
    }
    return m;
  };
  const a = group(before);
  const b = group(after);
  const rows: DiffRow[] = [];
  for (const [name, values] of a) {
    const next = b.get(name);
    if (!next) rows.push({ kind: 'del', name, text: values.join(', ') });
    else if (next.join('\n') !== values.join('\n'))
      rows.push({ kind: 'mod', name, text: `${values.join(', ')} → ${next.join(', ')}` });
    else rows.push({ kind: 'same', name, text: values.join(', ') });
  }
  for (const [name, values] of b) if (!a.has(name)) rows.push({ kind: 'add', name, text: values.join(', ') });
  const order = { mod: 0, add: 1, del: 2, same: 3 };
  return rows.sort((x, y) => order[x.kind] - order[y.kind]);
}

function bodyText(body: CapturedBody): string {
  const content = body.text ?? `base64:${body.base64 ?? ''}`;
  return body.truncated ? `${content}\n… (${body.size} bytes, cut)` : content;
}

function renderDiff(before?: CapturedMessage, after?: CapturedMessage): HTMLElement {
  if (!before && !after) return h('div', { class: 'empty' }, 'content not captured');
  const rows = diffHeaders(before?.headers ?? [], after?.headers ?? []);
  const sign = { add: '+', del: '−', mod: '~', same: ' ' };
  const row = (r: DiffRow): HTMLElement =>
    h(
      'tr',
      { class: r.kind, 'data-header': r.name },
      h('td', { class: 'sign' }, sign[r.kind]),
      h('td', {}, `${r.name}: ${r.text}`),
    );
  const changed = rows.filter((r) => r.kind !== 'same');
  const same = rows.filter((r) => r.kind === 'same');
  const box = h('div', {}, h('table', { class: 'diff' }, ...changed.map(row)));
  if (changed.length === 0 && before && after)
    box.append(h('div', { class: 'detail', style: 'padding:2px 8px' }, 'headers unchanged'));
  // Unchanged headers are folded away: the diff is what the step did.
  if (same.length > 0) {
    box.append(
      h(
        'details',
        {},
        h('summary', { class: 'detail' }, `${same.length} unchanged header${same.length === 1 ? '' : 's'}`),
        h('table', { class: 'diff' }, ...same.map(row)),
      ),
    );
  }
  const bb = before?.body;
  const ab = after?.body;
  if (bb || ab) {
    const same = bb && ab && bodyText(bb) === bodyText(ab);
    if (bb)
      box.append(
        h('div', { class: 'detail' }, same ? 'body (unchanged)' : 'body before'),
        h('pre', { class: 'body' }, bodyText(bb)),
      );
    if (ab && !same)
      box.append(h('div', { class: 'detail' }, 'body after'), h('pre', { class: 'body' }, bodyText(ab)));
  }
  return box;
}

function renderStep(step: TraceStep, index: number): HTMLElement {
  const name = step.extension.slice(step.chain.length + 1) || step.extension;
  return h(
    'div',
    { class: 'step', 'data-step': String(index), 'data-effect': step.effect },
    h(
      'div',
      { class: 'head' },
      h('span', { class: 'name' }, name),
      h('span', { class: 'kind' }, step.event),
      h('span', { class: `effect ${step.effect}` }, step.effect),
      h('span', { class: 'detail' }, `${step.latencyMs.toFixed(2)} ms at +${step.atMs.toFixed(1)} ms`),
      step.plugin ? h('span', { class: 'detail' }, `${step.plugin.key}@${step.plugin.version}`) : null,
      step.grpcStatus !== undefined ? h('span', { class: 'detail' }, `grpc-status ${step.grpcStatus}`) : null,
      h('span', { class: 'detail' }, step.chain),
    ),
    step.error ? h('div', { class: 'error' }, step.error) : null,
    step.details ? h('div', { class: 'detail', style: 'padding:2px 8px' }, step.details) : null,
    // A failed step answered nothing: what it was sent passes on unchanged (fail-open) or goes nowhere.
    renderDiff(step.before, step.after ?? step.before),
  );
}

async function showTrace(id: number): Promise<void> {
  selected = id;
  for (const row of Array.from(byId('requests').children) as HTMLElement[])
    row.classList.toggle('selected', row.dataset.id === String(id));
  const box = byId('trace');
  let t: TraceRecord;
  try {
    t = await getJson<TraceRecord>(`/api/requests/${id}`);
  } catch (err) {
    box.replaceChildren(h('div', { class: 'fix' }, String(err)));
    return;
  }
  if (selected !== id) return;
  const kv = (k: string, v: Child): HTMLElement[] => [h('dt', {}, k), h('dd', {}, v)];
  const chains = t.chains.map((c) =>
    h(
      'div',
      { class: 'chain', 'data-kind': c.kind },
      h('b', {}, `${c.kind}: `),
      h('code', {}, c.id ?? 'none'),
      ` — ${c.why}`,
    ),
  );
  const up = t.upstream;
  const parts: Child[] = [
    h('h2', {}, `${t.method} ${t.authority}${t.path} → ${t.status ?? '…'}`),
    h(
      'dl',
      { class: 'kv' },
      ...kv('request id', h('code', {}, t.requestId)),
      ...kv('time', new Date(t.time).toISOString()),
      ...kv('client', t.source ?? ''),
      ...kv('listener', h('code', {}, t.listener ?? '—')),
      ...kv(
        'route',
        h(
          'span',
          { id: 'trace-route' },
          h('code', {}, t.route?.id ?? 'none'),
          t.route ? ` — ${t.route.why}` : '',
        ),
      ),
      ...kv('duration', `${t.durationMs?.toFixed(2) ?? '?'} ms, ${t.bytes ?? 0} bytes`),
      ...(t.error ? kv('error', h('span', { class: 'error' }, t.error)) : []),
    ),
    h('h3', {}, 'Extension chains'),
    chains.length > 0
      ? h('div', { id: 'trace-chains' }, ...chains)
      : h('div', { class: 'empty' }, 'no extension chain evaluated'),
    h('h3', {}, `Steps (${t.steps.length})`),
    h('div', { id: 'trace-steps' }, ...t.steps.map(renderStep)),
    t.stepsDropped
      ? h('div', { class: 'detail' }, `${t.stepsDropped} more steps not kept (per-request limit)`)
      : null,
    t.contentTruncated
      ? h('div', { class: 'detail' }, 'later steps without headers/body: per-request capture limit reached')
      : null,
    h('h3', {}, 'Upstream'),
    up
      ? h(
          'div',
          { id: 'trace-upstream' },
          h('code', {}, up.endpoint || '(none)'),
          ` answered ${up.status || 'nothing'} in ${up.latencyMs.toFixed(2)} ms`,
          up.error ? h('div', { class: 'error' }, up.error) : null,
          up.response ? renderDiff(undefined, up.response) : null,
        )
      : h('div', { class: 'empty' }, 'not sent upstream (answered by the gateway or an extension)'),
    t.request ? h('h3', {}, 'Request as received') : null,
    t.request ? renderDiff(undefined, t.request) : null,
  ];
  box.replaceChildren(
    ...parts.filter((p): p is Node | string => p !== null && p !== undefined && p !== false),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Plugin logs

async function refreshPlugins(): Promise<void> {
  const box = byId('plugins');
  const { versions } = await getJson<{ versions: Array<{ plugin: string; version: string; lines: number }> }>(
    '/api/plugins',
  );
  if (versions.length === 0) {
    box.replaceChildren(h('div', { class: 'empty' }, 'No plugin has logged yet.'));
    return;
  }
  box.replaceChildren();
  for (const v of versions) {
    const { lines } = await getJson<{ lines: PluginLogLine[] }>(
      `/api/plugins/logs?plugin=${encodeURIComponent(v.plugin)}&version=${encodeURIComponent(v.version)}`,
    );
    box.append(
      h('h3', {}, `${v.plugin} @ ${v.version}`),
      h(
        'table',
        { class: 'plugin-log', 'data-plugin': v.plugin, 'data-version': v.version },
        ...lines
          .slice(-100)
          .map((l) =>
            h(
              'tr',
              { class: l.level === 'ERROR' || l.level === 'CRITICAL' ? 'problem' : '' },
              h('td', { class: 'mono' }, new Date(l.time).toLocaleTimeString()),
              h('td', {}, l.level),
              h('td', { class: 'mono' }, l.callback ?? ''),
              h('td', { class: 'mono' }, l.message),
              h('td', { class: 'detail' }, l.exported ? 'exported' : 'not exported (logConfig)'),
            ),
          ),
      ),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Captures: record the next N requests that match (POST /api/capture), see which ones it caught

/** Captures this page knows of: started here, or seen running in GET /api/capture. */
const captures = new Map<number, { capture: Capture; state: 'running' | 'finished' | 'stopped' }>();
let shownCapture: number | undefined;

function describeCapture(c: Capture): string {
  const parts = [`next ${c.count}`];
  if (c.pathPrefix !== undefined) parts.push(`to ${c.pathPrefix}…`);
  if (c.header !== undefined) parts.push(`with ${c.header.name}: ${c.header.value}`);
  parts.push(`within ${c.seconds} s`);
  return parts.join(' ');
}

function captureStateText(c: Capture, state: 'running' | 'finished' | 'stopped'): string {
  if (state !== 'running') return state;
  const secondsLeft = Math.max(0, Math.ceil((c.untilMs - Date.now()) / 1000));
  return `running: ${c.remaining} of ${c.count} to go, ${secondsLeft} s left`;
}

function renderCaptures(): void {
  const rows = [...captures.values()]
    .sort((a, b) => b.capture.id - a.capture.id)
    .map(({ capture: c, state }) => {
      const stop = h('button', { class: 'capture-stop', type: 'button' }, 'Stop');
      stop.addEventListener('click', (ev) => {
        ev.stopPropagation();
        void stopCapture(c.id);
      });
      const row = h(
        'tr',
        {
          'data-capture': String(c.id),
          'data-state': state,
          class: `${state}${c.id === shownCapture ? ' selected' : ''}`,
        },
        h('td', {}, String(c.id)),
        h('td', { class: 'mono' }, describeCapture(c)),
        h('td', { class: 'state' }, captureStateText(c, state)),
        h('td', {}, state === 'running' ? stop : null),
      );
      row.addEventListener('click', () => {
        shownCapture = c.id;
        renderCaptures();
        void refreshCapturedTraces();
      });
      return row;
    });
  byId('captures').replaceChildren(...rows);
  const running = [...captures.values()].filter((c) => c.state === 'running').length;
  const badge = byId('capture-state');
  badge.className = running > 0 ? 'meta on' : 'meta';
  badge.textContent = running > 0 ? `capture running (${running})` : '';
}

async function refreshCaptures(): Promise<void> {
  let listed: Capture[];
  try {
    listed = (await getJson<{ captures: Capture[] }>('/api/capture')).captures;
  } catch {
    return; // the next poll tries again; the table keeps what it showed
  }
  const running = new Set(listed.map((c) => c.id));
  for (const c of listed) captures.set(c.id, { capture: c, state: 'running' });
  // A capture no longer listed reached its count or its time limit (or was stopped elsewhere).
  for (const entry of captures.values())
    if (entry.state === 'running' && !running.has(entry.capture.id)) entry.state = 'finished';
  shownCapture ??= listed[0]?.id;
  renderCaptures();
  await refreshCapturedTraces();
}

async function refreshCapturedTraces(): Promise<void> {
  const title = byId('capture-traces-title');
  if (shownCapture === undefined) return;
  const id = shownCapture;
  let requests: TraceSummary[];
  try {
    ({ requests } = await getJson<{ requests: TraceSummary[] }>(`/api/requests?capture=${id}`));
  } catch {
    return; // polled again in a second
  }
  if (shownCapture !== id) return;
  title.hidden = false;
  title.textContent = `Captured by #${id}: ${requests.length} request${requests.length === 1 ? '' : 's'}`;
  byId('capture-traces').replaceChildren(
    ...requests.map((s) => {
      const row = h(
        'tr',
        { 'data-id': String(s.id), class: s.problem ? 'problem' : '' },
        h('td', { class: 'mono' }, new Date(s.time).toLocaleTimeString()),
        h('td', {}, s.method),
        h('td', {}, s.authority),
        h('td', { class: 'mono' }, s.path),
        h('td', { class: 'status' }, String(s.status ?? '')),
        h('td', {}, s.durationMs === undefined ? '' : s.durationMs.toFixed(1)),
      );
      row.addEventListener('click', () => void showTrace(s.id));
      return row;
    }),
  );
}

async function startCapture(ev: SubmitEvent): Promise<void> {
  ev.preventDefault();
  const value = (id: string): string => (byId(id) as HTMLInputElement).value.trim();
  const body: Record<string, string | number> = {
    count: Number(value('capture-count')),
    seconds: Number(value('capture-seconds')),
  };
  if (value('capture-path') !== '') body.path = value('capture-path');
  if (value('capture-header') !== '') body.header = value('capture-header');
  const error = byId('capture-error');
  let answer: Capture | { error: string };
  try {
    const res = await fetch('/api/capture', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    answer = (await res.json()) as Capture | { error: string };
  } catch (err) {
    answer = { error: String(err) };
  }
  // The server's message names the field and the allowed range.
  if ('error' in answer) {
    error.hidden = false;
    error.textContent = answer.error;
    return;
  }
  error.hidden = true;
  captures.set(answer.id, { capture: answer, state: 'running' });
  shownCapture = answer.id;
  renderCaptures();
  await refreshCapturedTraces();
}

async function stopCapture(id: number): Promise<void> {
  const ok = await fetch(`/api/capture/${id}`, { method: 'DELETE' }).then(
    (res) => res.ok,
    () => undefined,
  );
  const entry = captures.get(id);
  if (ok === undefined || entry === undefined) return; // unreachable server: the next poll shows the truth
  // 404: it had already finished.
  entry.state = ok ? 'stopped' : 'finished';
  renderCaptures();
}

// While a capture runs (or the tab is open) its count and its traces are polled: they change with traffic.
function pollCaptures(): void {
  const running = [...captures.values()].some((c) => c.state === 'running');
  if (running || !byId('capture').hidden) void refreshCaptures();
}

// ---------------------------------------------------------------------------------------------------------
// Tabs

type Tab = 'config' | 'plugins' | 'capture';

function showTab(which: Tab): void {
  for (const tab of ['config', 'plugins', 'capture'] as const) {
    byId(tab).hidden = which !== tab;
    byId(`tab-${tab}`).classList.toggle('active', which === tab);
  }
  if (which === 'plugins') void refreshPlugins();
  if (which === 'capture') void refreshCaptures();
}

byId('tab-config').addEventListener('click', () => showTab('config'));
byId('tab-plugins').addEventListener('click', () => showTab('plugins'));
byId('tab-capture').addEventListener('click', () => showTab('capture'));
byId('capture-form').addEventListener('submit', (ev) => void startCapture(ev as SubmitEvent));
setInterval(pollCaptures, 1000);
void refreshCaptures();
byId('filter').addEventListener('input', applyFilter);
void refreshConfig();
setInterval(() => void refreshConfig(), 5000);
void startLog();
