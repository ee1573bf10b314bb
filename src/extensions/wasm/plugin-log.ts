// Plugin logs as GKE exports them (docs/spec/gke-service-extensions.md §4.4): only when logConfig.enabled, for a
// sampled fraction of requests, at or above minLogLevel; each entry names the plugin, version, the callback
// that emitted it and the request id for correlation with the load balancer's request log.
import type { WasmLogConfigIR } from '../../ir/snapshot.js';
import { LOG_LEVELS, type LogLevelName } from './abi.js';

export interface PluginLogEntry {
  readonly time: string;
  readonly plugin: string;
  readonly version: string;
  readonly callback: string;
  readonly requestId?: string | undefined;
  readonly level: LogLevelName;
  readonly message: string;
}

export type PluginLogSink = (entry: PluginLogEntry) => void;

export const stderrLogSink: PluginLogSink = (entry) => {
  process.stderr.write(`${JSON.stringify({ component: 'wasm-plugin', ...entry })}\n`);
};

export function minLevelIndex(config: WasmLogConfigIR): number {
  return config.enabled ? LOG_LEVELS.indexOf(config.minLogLevel) : LOG_LEVELS.length;
}

/** Decided once per request, so a sampled request has all of its log lines. */
export function sampleRequest(config: WasmLogConfigIR): boolean {
  return config.enabled && (config.sampleRate >= 1 || Math.random() < config.sampleRate);
}
