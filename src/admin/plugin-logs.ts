// Plugin log lines (Proxy-Wasm `proxy_log`), kept per plugin version for the dashboard and exported as JSON
// lines the way GKE exports them to Cloud Logging: only when the plugin's `logConfig.enabled`, at or above
// `minLogLevel`, and for the sampled fraction `sampleRate` of requests.
//
// Sampling is decided per request id, not per line, so a sampled request keeps all its lines and the lines
// of one request can be read together (GKE annotates each line with the requestId for the same reason).

import pino, { type DestinationStream, type Logger } from 'pino';
import type { ObjectKey, WasmLogConfigIR, WasmLogLevel, WasmPluginIR } from '../ir/snapshot.js';
import { PLUGIN_LOG_DEFAULTS } from './limits.js';
import { logDestination } from './log-destination.js';
import type { PluginLogEntry } from '../extensions/wasm/plugin-log.js';

export interface PluginLogInput {
  /** `namespace/name` of the GCPWasmPlugin. */
  plugin: ObjectKey;
  version: string;
  level: WasmLogLevel;
  message: string;
  /** The request the line was logged for; absent for VM-level callbacks (on_vm_start, on_configure). */
  requestId?: string;
  /** The Proxy-Wasm callback that logged it, e.g. `on_http_request_headers`. */
  callback?: string;
}

export interface PluginLogLine extends PluginLogInput {
  /** Epoch milliseconds. */
  time: number;
  /** Whether the line passed `logConfig` and went to the log output (the dashboard shows all lines). */
  exported: boolean;
  truncated?: boolean;
}

export interface PluginLogOptions {
  linesPerVersion?: number;
  destination?: DestinationStream;
  logger?: Logger;
}

const LEVELS: Readonly<Record<WasmLogLevel, number>> = {
  TRACE: 0,
  DEBUG: 1,
  INFO: 2,
  WARN: 3,
  ERROR: 4,
  CRITICAL: 5,
};
const PINO_LEVEL: Readonly<Record<WasmLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'>> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
};
const LOGGING_OFF: WasmLogConfigIR = Object.freeze({ enabled: false, sampleRate: 0, minLogLevel: 'INFO' });

export class PluginLogBook {
  private readonly perVersion: number;
  private readonly logger: Logger;
  private readonly configs = new Map<ObjectKey, WasmLogConfigIR>();
  private readonly lines = new Map<string, PluginLogLine[]>();

  constructor(options: PluginLogOptions = {}) {
    this.perVersion = options.linesPerVersion ?? PLUGIN_LOG_DEFAULTS.linesPerVersion;
    this.logger =
      options.logger ??
      pino(
        { base: { log: 'plugin' }, level: 'trace', timestamp: pino.stdTimeFunctions.isoTime },
        options.destination ?? logDestination(),
      );
  }

  /** Take each plugin's logConfig from a new snapshot. */
  configure(plugins: Readonly<Record<ObjectKey, WasmPluginIR>>): void {
    this.configs.clear();
    for (const [key, plugin] of Object.entries(plugins)) this.configs.set(key, plugin.log);
  }

  /** Whether a line at `level` would be exported for this request (lets a VM skip formatting). */
  exports(plugin: ObjectKey, level: WasmLogLevel, requestId?: string): boolean {
    const config = this.configs.get(plugin) ?? LOGGING_OFF;
    if (!config.enabled || LEVELS[level] < LEVELS[config.minLogLevel]) return false;
    if (config.sampleRate >= 1) return true;
    if (config.sampleRate <= 0) return false;
    // VM-level lines have no request: keep them when logging is on at all.
    return requestId === undefined || sampleFraction(requestId) < config.sampleRate;
  }

  /** A line straight from a plugin: exported or not by the plugin's logConfig, kept for the dashboard either way. */
  log(input: PluginLogInput): void {
    this.keep(input, this.exports(input.plugin, input.level, input.requestId), Date.now());
  }

  /**
   * The Wasm runtime's PluginLogSink (src/extensions/wasm/plugin-log.ts): its pool already applied logConfig
   * (level and per-request sampling), so every entry is exported as it comes.
   */
  readonly sink = (entry: PluginLogEntry): void => {
    const input: PluginLogInput = {
      plugin: entry.plugin,
      version: entry.version,
      level: entry.level,
      message: entry.message,
      callback: entry.callback,
    };
    if (entry.requestId !== undefined) input.requestId = entry.requestId;
    const time = Date.parse(entry.time);
    this.keep(input, true, Number.isNaN(time) ? Date.now() : time);
  };

  private keep(input: PluginLogInput, exported: boolean, time: number): void {
    let message = input.message;
    let truncated = false;
    if (message.length > PLUGIN_LOG_DEFAULTS.maxMessageBytes) {
      message = message.slice(0, PLUGIN_LOG_DEFAULTS.maxMessageBytes);
      truncated = true;
    }
    const line: PluginLogLine = { ...input, message, time, exported };
    if (truncated) line.truncated = true;
    const key = `${input.plugin}@${input.version}`;
    let ring = this.lines.get(key);
    if (!ring) this.lines.set(key, (ring = []));
    ring.push(line);
    if (ring.length > this.perVersion) ring.splice(0, ring.length - this.perVersion);
    if (exported) {
      const fields: Record<string, string> = { plugin: input.plugin, version: input.version };
      if (input.callback !== undefined) fields.callback = input.callback;
      if (input.requestId !== undefined) fields.request_id = input.requestId;
      this.logger[PINO_LEVEL[input.level]](fields, message);
    }
  }

  /** Kept lines of one plugin version, oldest first; all versions of the plugin when `version` is absent. */
  read(plugin: ObjectKey, version?: string): PluginLogLine[] {
    if (version !== undefined) return [...(this.lines.get(`${plugin}@${version}`) ?? [])];
    const out: PluginLogLine[] = [];
    for (const [key, ring] of this.lines) if (key.startsWith(`${plugin}@`)) out.push(...ring);
    return out.sort((a, b) => a.time - b.time);
  }

  /** `{ plugin, version, lines }` for every version that logged, for the dashboard's list. */
  versions(): Array<{ plugin: ObjectKey; version: string; lines: number }> {
    return [...this.lines].map(([key, ring]) => {
      const at = key.lastIndexOf('@');
      return { plugin: key.slice(0, at), version: key.slice(at + 1), lines: ring.length };
    });
  }

  flush(): void {
    this.logger.flush();
  }
}

/** A hash of the request id mapped to [0, 1): the same request always gets the same decision. */
export function sampleFraction(requestId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) {
    hash ^= requestId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV alone spreads similar ids (req-1, req-2, ...) poorly in the high bits; murmur3's finalizer mixes them.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x100000000;
}
