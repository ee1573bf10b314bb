// A plugin module checked, instrumented and compiled once per digest; VMs are instances of it.
import { createHash } from 'node:crypto';
import { ABI_VERSIONS, type AbiVersion } from './abi.js';
import { instrumentModule, InstrumentError, type ImportedMemory } from './instrument.js';
import { WASM_PAGE_BYTES, type WasmLimits } from './limits.js';

export interface PluginModule {
  readonly digest: string;
  readonly abi: AbiVersion;
  readonly module: WebAssembly.Module;
  readonly exports: ReadonlySet<string>;
  /** `malloc` first, as cpp-host does, else `proxy_on_memory_allocate`. */
  readonly allocator: 'malloc' | 'proxy_on_memory_allocate';
  readonly sizeBytes: number;
  readonly instrumentation: { readonly functions: number; readonly checks: number };
  /** Set when the module imports its memory (cpp-host supports both); the VM creates it with these limits. */
  readonly importedMemory?: ImportedMemory;
}

/** Why a module cannot be loaded; the message names the problem and how to fix it. */
export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function compilePluginModule(
  bytes: Uint8Array,
  configBytes: number,
  limits: WasmLimits,
): PluginModule {
  const total = bytes.length + configBytes;
  if (total > limits.moduleAndConfigBytes) {
    throw new PluginLoadError(
      `plugin module (${bytes.length} bytes) plus configuration (${configBytes} bytes) exceed the ` +
        `${limits.moduleAndConfigBytes / 1024 / 1024} MiB limit; build with optimizations (e.g. asc -O3z, ` +
        `cargo --release with opt-level="z") or move data out of the configuration`,
    );
  }
  const digest = sha256Digest(bytes);
  let plain: WebAssembly.Module;
  try {
    plain = new WebAssembly.Module(bytes as BufferSource);
  } catch (err) {
    throw new PluginLoadError(`not a valid WebAssembly module: ${(err as Error).message}`);
  }
  const exported = new Set(
    WebAssembly.Module.exports(plain)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name),
  );
  const abiExport = ABI_VERSIONS.find((v) => exported.has(v));
  if (!abiExport) {
    throw new PluginLoadError(
      'missing or unknown Proxy-Wasm ABI version: the module exports none of proxy_abi_version_0_2_0 / ' +
        'proxy_abi_version_0_2_1 (build it with a Proxy-Wasm SDK; ABI 0.1.0 is not supported)',
    );
  }
  const allocator = exported.has('malloc')
    ? 'malloc'
    : exported.has('proxy_on_memory_allocate')
      ? 'proxy_on_memory_allocate'
      : undefined;
  if (!allocator) throw new PluginLoadError('the module exports neither malloc nor proxy_on_memory_allocate');
  let instrumented;
  try {
    instrumented = instrumentModule(bytes, {
      initialFuel: limits.startupBudgetMs * limits.fuelPerMs,
      maxMemoryPages: Math.floor(limits.memoryBytes / WASM_PAGE_BYTES),
      meterCpu: limits.meterCpu,
    });
  } catch (err) {
    if (err instanceof InstrumentError) throw new PluginLoadError(err.message);
    throw err;
  }
  return {
    digest,
    abi: abiExport === 'proxy_abi_version_0_2_1' ? '0.2.1' : '0.2.0',
    module: new WebAssembly.Module(instrumented.bytes as BufferSource),
    exports: exported,
    allocator,
    sizeBytes: bytes.length,
    instrumentation: { functions: instrumented.functions, checks: instrumented.checks },
    ...(instrumented.importedMemory ? { importedMemory: instrumented.importedMemory } : {}),
  };
}
