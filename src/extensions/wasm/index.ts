// Proxy-Wasm for extgate, in one import: the runtime the data plane uses, the image resolver the controller
// uses, and the pieces the CLI and admin server need. See docs/plugins.md.
//
// Wiring (what `extgate up` / `serve` do):
//   const wasm = new WasmRuntime({ logSink, onInvocation });            // one per process
//   compileChains: (chains, snapshot) => compileChains(chains, { callout, wasm: wasm.forSnapshot(snapshot) })
//   adminRegistry.registerMetric(...) or Registry.merge([adminRegistry, wasm.metrics.registry])
//   wasmImages: ({ insecureRegistries }) => new WasmImageResolver({ cacheDir: `${stateDir}/wasm`,
//       insecureRegistries, credentials: { ...loadDockerCredentials(), ...credentialsFromSecretData(data, name) } })
export { WasmRuntime, createWasmExtensionFactory } from './runtime.js';
export type { WasmRuntimeOptions, WasmExtensionFactory, PluginInvocationReport } from './runtime.js';
export { GKE_WASM_LIMITS, withLimits } from './limits.js';
export type { WasmLimits } from './limits.js';
export { WasmMetrics } from './metrics.js';
export type { PluginLogEntry, PluginLogSink } from './plugin-log.js';
export { stderrLogSink } from './plugin-log.js';
export { PluginLoadError } from './plugin-module.js';
export { ListHeaderMap } from './header-map.js';
export { WasmImageResolver } from './oci/resolver.js';
export type { WasmImageResolverOptions, ResolvedPlugin } from './oci/resolver.js';
export { RegistryError } from './oci/registry.js';
export type { RegistryAuth, RegistryCredentials } from './oci/registry.js';
export {
  loadDockerCredentials,
  credentialsFromDockerConfig,
  credentialsFromSecretData,
} from './oci/credentials.js';
export { pushPlugin } from './oci/push.js';
export type { PushOptions, PushResult } from './oci/push.js';
