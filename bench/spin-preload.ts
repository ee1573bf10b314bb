// An experiment, not a scenario: loaded into `extgate up`'s data-plane workers
// (`NODE_OPTIONS="--import ./dist/bench/spin-preload.js" BENCH_SPIN_US=10`, see bench/product-ab.ts --spin-us),
// it spends BENCH_SPIN_US µs of CPU on every response before its head is written: a stand-in for work a plugin
// adds, to see what N µs of user-space work per request cost the worker in CPU per request and throughput once
// sockets, wakeups and event-loop batching react to it (docs/benchmarks.md, "Round 5").
import http from 'node:http';
import { performance } from 'node:perf_hooks';

// Only the forked workers (they have an IPC channel); the primary and product-proc itself are left alone.
if (process.send !== undefined) {
  const ms = Number(process.env.BENCH_SPIN_US ?? 0) / 1000;
  const writeHead = http.ServerResponse.prototype.writeHead;
  http.ServerResponse.prototype.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    const end = performance.now() + ms;
    while (performance.now() < end);
    return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
  } as typeof writeHead;
}
