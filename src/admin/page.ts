// The dashboard's HTML and CSS. Everything it shows is rendered by /dashboard.js from the /api/ JSON.

import { TRACE_DEMAND_LIMITS } from './trace-demand.js';

export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>extgate</title>
<link rel="icon" href="data:,">
<style>
:root { --bg:#fff; --fg:#1d232a; --muted:#667085; --line:#e4e7ec; --panel:#f8f9fb; --bad:#b42318; --badbg:#fef3f2;
  --ok:#067647; --add:#e6f4ea; --addfg:#0a5c2b; --del:#fdecea; --delfg:#8a1c12; --mod:#fff6db; --modfg:#7a5200; --accent:#1f5fbf; }
* { box-sizing: border-box; }
body { margin:0; font:13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; gap:16px; align-items:baseline; padding:8px 14px; border-bottom:1px solid var(--line); background:var(--panel); }
header h1 { font-size:15px; margin:0; }
header .meta { color:var(--muted); }
#live.on::before { content:"●"; color:var(--ok); margin-right:4px; }
#live.off::before { content:"●"; color:var(--bad); margin-right:4px; }
main { display:grid; grid-template-columns: minmax(320px, 36%) 1fr; height: calc(100vh - 38px); }
aside { border-right:1px solid var(--line); overflow:auto; padding:8px 10px; }
section#right { display:grid; grid-template-rows: minmax(160px, 40%) 1fr; overflow:hidden; }
.tabs { display:flex; gap:4px; margin-bottom:8px; }
.tabs button { border:1px solid var(--line); background:var(--bg); padding:3px 10px; border-radius:4px; cursor:pointer; font:inherit; }
.tabs button.active { background:var(--accent); color:#fff; border-color:var(--accent); }
code, .mono, td.mono, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12px; }
ul.tree { list-style:none; margin:0; padding-left:14px; }
ul.tree.root { padding-left:0; }
.node { padding:2px 0; }
.node > .head { display:flex; gap:6px; align-items:baseline; flex-wrap:wrap; }
.kind { color:var(--muted); font-size:11px; text-transform:uppercase; letter-spacing:.03em; }
.name { font-weight:600; }
.detail { color:var(--muted); font-family: ui-monospace, Menlo, monospace; font-size:11px; }
.node.problem > .head .name { color:var(--bad); }
.cond { display:inline-block; padding:0 5px; border-radius:3px; font-size:11px; background:#ecfdf3; color:var(--ok); }
.cond.problem { background:var(--badbg); color:var(--bad); }
.fix { margin:2px 0 2px 4px; padding:4px 6px; border-left:3px solid var(--bad); background:var(--badbg); color:var(--bad); white-space:pre-wrap; }
.events { margin:2px 0 2px 4px; color:var(--muted); font-size:11px; }
.events .warn { color:var(--bad); font-weight:600; }
#log { overflow:auto; border-bottom:1px solid var(--line); }
#log .bar { position:sticky; top:0; background:var(--bg); padding:6px 10px; display:flex; gap:8px; border-bottom:1px solid var(--line); }
#log input { flex:1; font:inherit; padding:2px 6px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:3px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:500; font-size:11px; background:var(--panel); }
#requests tr { cursor:pointer; }
#requests tr:hover { background:#f2f6fd; }
#requests tr.selected { background:#e3ecfb; }
#requests tr.problem td.status { color:var(--bad); font-weight:600; }
#trace { overflow:auto; padding:10px 14px; }
#trace h2 { font-size:14px; margin:0 0 6px; }
#trace h3 { font-size:12px; margin:14px 0 4px; color:var(--muted); text-transform:uppercase; letter-spacing:.03em; }
.kv { display:grid; grid-template-columns: 90px 1fr; gap:2px 10px; }
.kv dt { color:var(--muted); }
.kv dd { margin:0; }
.effect { padding:0 5px; border-radius:3px; font-size:11px; font-weight:600; }
.effect.CONTENT_MODIFIED { background:#e3ecfb; color:var(--accent); }
.effect.NONE { background:#f2f4f7; color:var(--muted); }
.effect.IMMEDIATE_RESPONSE { background:var(--mod); color:var(--modfg); }
.effect.FAILED_OPEN, .effect.ERROR { background:var(--badbg); color:var(--bad); }
.step { border:1px solid var(--line); border-radius:4px; margin:6px 0; }
.step > .head { display:flex; gap:10px; align-items:baseline; padding:4px 8px; background:var(--panel); flex-wrap:wrap; }
.step .error { color:var(--bad); padding:2px 8px; }
.diff { width:100%; }
.diff td { padding:1px 8px; border:0; font-family: ui-monospace, Menlo, monospace; font-size:12px; word-break:break-all; }
.diff tr.add { background:var(--add); color:var(--addfg); }
.diff tr.del { background:var(--del); color:var(--delfg); text-decoration:line-through; }
.diff tr.mod { background:var(--mod); color:var(--modfg); }
.diff tr.same { color:var(--muted); }
.diff td.sign { width:14px; }
pre.body { margin:4px 8px; padding:4px 6px; background:var(--panel); white-space:pre-wrap; max-height:160px; overflow:auto; }
details > summary { cursor:pointer; padding:2px 8px; }
.empty { color:var(--muted); padding:10px; }
#capture-form { display:grid; grid-template-columns: auto 1fr; gap:4px 8px; align-items:center; margin-bottom:8px; }
#capture-form input { font:inherit; padding:2px 6px; min-width:0; }
#capture-form .actions { grid-column: 1 / -1; display:flex; gap:8px; align-items:center; }
#capture-form .hint { color:var(--muted); font-size:11px; }
#captures tr.running td.state { color:var(--ok); font-weight:600; }
#captures tr { cursor:pointer; }
#captures tr.selected { background:#e3ecfb; }
#capture-traces tr { cursor:pointer; }
#capture-traces tr:hover { background:#f2f6fd; }
#capture-state.on::before { content:"●"; color:var(--accent); margin-right:4px; }
</style>
</head>
<body>
<header><h1>extgate</h1><span class="meta" id="snapshot">snapshot –</span><span class="meta off" id="live">live log</span><span class="meta" id="capture-state"></span></header>
<main>
  <aside>
    <div class="tabs"><button id="tab-config" class="active">Configuration</button><button id="tab-plugins">Plugin logs</button><button id="tab-capture">Capture</button></div>
    <div id="config"><div class="empty">loading…</div></div>
    <div id="plugins" hidden></div>
    <div id="capture" hidden>
      <form id="capture-form">
        <label for="capture-count">next</label>
        <span><input id="capture-count" type="number" min="1" max="${TRACE_DEMAND_LIMITS.maxCount}" value="5" required> requests</span>
        <label for="capture-path">path prefix</label>
        <input id="capture-path" placeholder="any path, e.g. /api/">
        <label for="capture-header">header</label>
        <input id="capture-header" placeholder="any, or name: value, e.g. x-debug: 1">
        <label for="capture-seconds">time limit</label>
        <span><input id="capture-seconds" type="number" min="1" max="${TRACE_DEMAND_LIMITS.maxSeconds}" value="60" required> s</span>
        <div class="actions"><button id="capture-start" type="submit">Start capture</button>
          <span class="hint">records only the requests that match, until the count or the time limit</span></div>
      </form>
      <div id="capture-error" class="fix" hidden></div>
      <table><thead><tr><th>#</th><th>what</th><th>state</th><th></th></tr></thead><tbody id="captures"></tbody></table>
      <h3 id="capture-traces-title" hidden></h3>
      <table><thead><tr><th>time</th><th>method</th><th>host</th><th>path</th><th>status</th><th>ms</th></tr></thead>
      <tbody id="capture-traces"></tbody></table>
    </div>
  </aside>
  <section id="right">
    <div id="log">
      <div class="bar"><input id="filter" placeholder="filter: path, host, status, route, chain…" aria-label="filter requests"></div>
      <table><thead><tr><th>time</th><th>method</th><th>host</th><th>path</th><th>status</th><th>ms</th><th>route</th><th>chains</th></tr></thead>
      <tbody id="requests"></tbody></table>
    </div>
    <div id="trace"><div class="empty">Choose a request to see what each extension did to it.</div></div>
  </section>
</main>
<script type="module" src="/dashboard.js"></script>
</body>
</html>
`;
