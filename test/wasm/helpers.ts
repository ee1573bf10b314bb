// Shared by the wasm tests: builds the AssemblyScript plugins once and makes snapshot IR for them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { WasmExtensionIR, WasmPluginIR, HttpEvent, WasmLogConfigIR } from '../../src/ir/snapshot.js';
import type { RequestInfo } from '../../src/extensions/extension.js';
import { sha256Digest } from '../../src/extensions/wasm/plugin-module.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

let built = false;
export function buildPlugins(): void {
  if (built) return;
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-plugins.mjs')], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('scripts/build-plugins.mjs failed');
  built = true;
}

export function examplePath(name: string): string {
  return join(repoRoot, 'examples', 'plugins', name, 'build', 'plugin.wasm');
}

export function fixturePath(name: string): string {
  return name.endsWith('.wat') || name.endsWith('.c')
    ? join(repoRoot, 'test', 'wasm', 'fixtures', 'build', name.replace(/\.(wat|c)$/, '.wasm'))
    : join(repoRoot, 'test', 'wasm', 'fixtures', name, 'build', 'plugin.wasm');
}

export const QUIET_LOG: WasmLogConfigIR = { enabled: false, sampleRate: 1, minLogLevel: 'INFO' };

export function pluginIR(
  key: string,
  modulePath: string,
  opts: { version?: string; config?: string; log?: WasmLogConfigIR } = {},
): WasmPluginIR {
  return {
    key,
    serving: {
      name: opts.version ?? 'v1',
      image: `file://${modulePath}`,
      moduleDigest: sha256Digest(readFileSync(modulePath)),
      modulePath,
      ...(opts.config !== undefined ? { configBase64: Buffer.from(opts.config).toString('base64') } : {}),
    },
    log: opts.log ?? QUIET_LOG,
  };
}

export function extensionIR(
  plugin: string,
  opts: { failOpen?: boolean; events?: HttpEvent[] } = {},
): WasmExtensionIR {
  return {
    kind: 'wasm',
    id: `GCPTrafficExtension/default/ext/chain/${plugin.split('/')[1]}`,
    name: plugin.split('/')[1]!,
    failOpen: opts.failOpen ?? false,
    events: opts.events ?? ['RequestHeaders', 'RequestBody', 'ResponseHeaders', 'ResponseBody'],
    plugin,
  };
}

let n = 0;
export function requestInfo(): RequestInfo {
  return {
    requestId: `req-${++n}`,
    scheme: 'http',
    sourceAddress: '127.0.0.1',
    sourcePort: 40000 + n,
    destinationAddress: '127.0.0.1',
    destinationPort: 8080,
    listener: 'default/gw/http',
  };
}
