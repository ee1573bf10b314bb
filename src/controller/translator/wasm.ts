// GCPWasmPlugin → WasmPluginIR. The image pull (I/O) happens in the provider stage; the translator only
// reads its results, so it stays a pure function.

import type { ObjectKey, WasmLogLevel, WasmPluginIR, WasmPluginVersionIR } from '../../ir/snapshot.js';
import { DEFAULT_WASM_MIN_LOG_LEVEL, WASM_SAMPLE_RATE_SCALE } from '../config.js';
import type { GCPWasmPlugin, ResourceSet, WasmPluginVersionSpec } from '../resources.js';
import { keyOf } from '../resources.js';

export interface WasmModule {
  readonly moduleDigest: string;
  readonly modulePath: string;
  readonly configBase64?: string;
}

export type WasmImageState =
  | { readonly state: 'ready'; readonly module: WasmModule }
  | { readonly state: 'pending' }
  | { readonly state: 'failed'; readonly error: string };

export interface WasmInputs {
  /** Resolution of each (image, pluginConfigURI) pair, keyed by `wasmImageKey`. */
  readonly images: ReadonlyMap<string, WasmImageState>;
  /** What each plugin served in the previous snapshot: kept while its new version is pending or failed. */
  readonly lastGood: ReadonlyMap<ObjectKey, WasmPluginIR>;
}

export const NO_WASM: WasmInputs = { images: new Map(), lastGood: new Map() };

export function wasmImageKey(image: string, configUri: string | undefined): string {
  return `${image}\n${configUri ?? ''}`;
}

/** The version GKE serves: the one with a non-zero weight (admission guarantees exactly one). */
export function servingVersion(plugin: GCPWasmPlugin): WasmPluginVersionSpec | undefined {
  const versions = plugin.spec?.versions ?? [];
  return versions.find((v) => (v.weight ?? 0) > 0) ?? (versions.length === 1 ? versions[0] : undefined);
}

/** Every (image, configUri) the provider must resolve for the current resources. */
export function wantedWasmImages(resources: ResourceSet): Array<{ image: string; configUri?: string }> {
  const out = new Map<string, { image: string; configUri?: string }>();
  for (const p of resources.wasmPlugins) {
    const v = servingVersion(p);
    if (!v?.image) continue;
    const entry: { image: string; configUri?: string } = { image: v.image };
    if (v.pluginConfigURI) entry.configUri = v.pluginConfigURI;
    out.set(wasmImageKey(v.image, v.pluginConfigURI), entry);
  }
  return [...out.values()];
}

export type WasmPluginResolution =
  | { readonly ok: true; readonly ir: WasmPluginIR; readonly warning?: string }
  | { readonly ok: false; readonly pending: boolean; readonly message: string };

export function resolveWasmPlugin(plugin: GCPWasmPlugin, inputs: WasmInputs): WasmPluginResolution {
  const key = keyOf(plugin);
  const version = servingVersion(plugin);
  if (!version)
    return {
      ok: false,
      pending: false,
      message: `GCPWasmPlugin ${key} has no version with a non-zero weight`,
    };
  const log = plugin.spec?.logConfig;
  const logIR = {
    enabled: log?.enabled ?? false,
    sampleRate: (log?.sampleRate ?? WASM_SAMPLE_RATE_SCALE) / WASM_SAMPLE_RATE_SCALE,
    minLogLevel: (log?.minLogLevel ?? DEFAULT_WASM_MIN_LOG_LEVEL) as WasmLogLevel,
  };
  const state = inputs.images.get(wasmImageKey(version.image, version.pluginConfigURI));
  if (state?.state === 'ready') {
    const serving: WasmPluginVersionIR = {
      name: version.name,
      image: version.image,
      moduleDigest: state.module.moduleDigest,
      modulePath: state.module.modulePath,
      ...(state.module.configBase64 !== undefined ? { configBase64: state.module.configBase64 } : {}),
    };
    return { ok: true, ir: { key, serving, log: logIR } };
  }
  const lastGood = inputs.lastGood.get(key);
  const problem =
    state?.state === 'failed'
      ? `version "${version.name}" (image ${version.image}) could not be loaded: ${state.error}`
      : state?.state === 'pending'
        ? `version "${version.name}" (image ${version.image}) is being pulled`
        : `version "${version.name}" (image ${version.image}) cannot be loaded: no Wasm image resolver is configured`;
  if (lastGood) {
    return {
      ok: true,
      ir: { ...lastGood, log: logIR },
      warning: `${problem}; still serving version "${lastGood.serving.name}"`,
    };
  }
  return { ok: false, pending: state?.state === 'pending', message: problem };
}
