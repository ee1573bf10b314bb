// The examples' stream contexts (examples/plugins/lib/http-context.ts) log the SDK's end-of-stream debug
// lines ("context id: N: onLog()", onDone, onDelete) only when the VM's log level keeps them. The SDK's own
// Context builds the three strings and sends them through proxy_log on every request whatever the level, and
// the host drops them: most of what the add-header example cost per request beyond a hand-written module.
// Fuel (instructions executed plus a fixed charge per hostcall) shows the work a request did, exactly.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRuntime } from '../../src/extensions/wasm/runtime.js';
import { WasmStream } from '../../src/extensions/wasm/wasm-stream.js';
import { HeaderList } from '../../src/extensions/header-map.js';
import type { PluginLogEntry } from '../../src/extensions/wasm/plugin-log.js';
import { buildPlugins, examplePath, pluginIR, requestInfo } from './helpers.js';

before(() => buildPlugins());

interface OneRequest {
  /** Fuel the request's callbacks used, context create to delete. */
  fuel: number;
  /** What the request logged. */
  lines: PluginLogEntry[];
}

async function oneRequest(example: string, minLogLevel: 'INFO' | 'DEBUG'): Promise<OneRequest> {
  const entries: PluginLogEntry[] = [];
  const rt = new WasmRuntime({ logSink: (e) => entries.push(e) });
  const plugin = pluginIR(`default/${example}`, examplePath(example), {
    log: { enabled: true, sampleRate: 1, minLogLevel },
  });
  const info = requestInfo();
  const s = new WasmStream(rt.pool(plugin), info);
  await s.requestHeaders(new HeaderList([[':path', '/shop']]), true);
  await s.responseHeaders(new HeaderList([[':status', '200']]), false);
  s.close();
  return { fuel: s.fuelUsed, lines: entries.filter((e) => e.requestId === info.requestId) };
}

for (const example of ['add-header', 'block-request', 'local-reply', 'redirect']) {
  test(`${example}: the end-of-stream debug lines are logged at DEBUG and not even built at INFO`, async () => {
    const debug = await oneRequest(example, 'DEBUG');
    const endOfStream = debug.lines
      .map((e) => e.message)
      .filter((m) => /^context id: \d+: on(Log|Done|Delete)\(\)$/.test(m))
      .map((m) => m.replace(/^context id: \d+: /, ''));
    assert.deepEqual(endOfStream, ['onLog()', 'onDone()', 'onDelete()']);

    const quiet = await oneRequest(example, 'INFO');
    assert.deepEqual(
      quiet.lines.filter((e) => e.level === 'DEBUG' || e.level === 'TRACE'),
      [],
    );
    // The same request, less work: the lines the host would drop were neither built nor sent.
    assert.ok(quiet.fuel < debug.fuel, `fuel per request: ${quiet.fuel} at INFO, ${debug.fuel} at DEBUG`);
  });
}
