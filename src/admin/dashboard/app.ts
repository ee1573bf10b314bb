// The dashboard page's script (runs in the browser; compiled by the project's tsc, served as /dashboard.js).
// Only type imports: the emitted module has no runtime imports, so no bundler is needed.
//
// Everything from the API is inserted with textContent, never as HTML: traces carry request data that any
// client controls.

import type { ConfigTree, TreeNode } from '../config-tree.js';
import type { TraceSummary } from '../dashboard.js';
import type { PluginLogLine } from '../plugin-logs.js';
import type { TraceRecord, TraceStep } from '../trace.js';
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
    for (let i = 0; i + 1 < flat.length; i += 2) m.set(flat[i], [...(m.get(flat[i]) ?? []), flat[i + 1]]);
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

function showTab(which: 'config' | 'plugins'): void {
  byId('config').hidden = which !== 'config';
  byId('plugins').hidden = which !== 'plugins';
  byId('tab-config').classList.toggle('active', which === 'config');
  byId('tab-plugins').classList.toggle('active', which === 'plugins');
  if (which === 'plugins') void refreshPlugins();
}

byId('tab-config').addEventListener('click', () => showTab('config'));
byId('tab-plugins').addEventListener('click', () => showTab('plugins'));
byId('filter').addEventListener('input', applyFilter);
void refreshConfig();
setInterval(() => void refreshConfig(), 5000);
void startLog();
