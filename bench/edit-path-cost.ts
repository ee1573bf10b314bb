// CPU per request of the data plane's own work around a traffic chain's header hooks, in process (no sockets):
// an Exchange runs the real request pipeline (listener, route, traffic chain step, upstream headers), the
// request head the HTTP/1.1 upstream client would write (requestHead), then the response path (raw upstream
// headers to the response object, the chain's response step, the response head handed downstream). The
// sockets at both ends are replaced by objects that take what the Exchange hands them, so what is measured is
// what the gateway pays to build, carry and rebuild headers: no chain, a member that changes nothing, and the
// same member adding one header each way (bench scenario `extgate+js-add-header`), for a request as wrk sends
// it and one with a browser's headers. CPU time per request (process.cpuUsage) stays stable to ~0.1 µs on a
// busy machine (docs/benchmarks.md).
//
//   npx tsc -p . && node dist/bench/edit-path-cost.js [--requests 20000] [--only <row text>] [--show]
import { compilePort, type CompiledPort } from '../src/dataplane/compiled-port.js';
import type { DownstreamRequest } from '../src/dataplane/downstream.js';
import type { CompiledChains, Extension } from '../src/extensions/extension.js';
import { benchSnapshot } from './snapshots.js';
import { addHeadersMember, memberChainIR, noopMember } from './members.js';
import {
  BROWSER,
  cpuPerRequest,
  downstreamRequest,
  lastSeen,
  oneRequest,
  stubContext,
  WRK,
} from './stub-exchange.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const requests = Number(option('--requests') ?? 20_000);
/** `--only browser` or `--only 'member adding'`: the rows whose label contains it (for a profile of one). */
const only = option('--only');
const ctx = stubContext();

function port(member: Extension | undefined): CompiledPort {
  const snap = benchSnapshot(9, 1);
  const trafficChains = [memberChainIR];
  const ir = snap.ports[0]!;
  const withChain =
    member === undefined ? ir : { ...ir, listeners: [{ ...ir.listeners[0]!, trafficChains }] };
  const chains: CompiledChains = { select: () => member };
  return compilePort(withChain, snap, () => chains);
}

const one = (p: CompiledPort, req: DownstreamRequest): Promise<void> => oneRequest(ctx, p, req);

const members: Array<[string, Extension | undefined]> = [
  ['no chain', undefined],
  ['member that changes nothing', noopMember],
  ['member adding a header each way', addHeadersMember],
];
console.log(`CPU µs per request, 5 × ${requests} requests (median, min):`);
for (const [shape, headers] of [
  ['wrk', WRK],
  ['browser', BROWSER],
] as const) {
  const req = downstreamRequest(headers);
  for (const [label, member] of members) {
    if (only !== undefined && !`${shape} ${label}`.includes(only)) continue;
    const p = port(member);
    const r = await cpuPerRequest(() => one(p, req), requests);
    console.log(
      `  ${shape.padEnd(8)} ${label.padEnd(34)} ${r[2]!.toFixed(2).padStart(6)} ${r[0]!.toFixed(2).padStart(6)}`,
    );
  }
  // The edited request and response as they leave, so a change to the path can be checked at a glance.
  if (process.argv.includes('--show')) {
    await one(port(addHeadersMember), req);
    console.log(lastSeen.upstreamHead, lastSeen.responseHead);
  }
}
