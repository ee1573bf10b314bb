// The VMs of one plugin version. New streams go to the newest healthy VM with room (GKE: one instance serves
// up to 1,000 concurrent requests); a VM that trapped or ran out of budget takes no new streams, keeps serving
// the streams already on it, and is dropped when they finish; the next stream gets a fresh VM. A VM that cannot
// start is retried after a backoff, so a broken plugin does not spin the event loop recompiling.
import type { WasmLogConfigIR, WasmPluginVersionIR } from '../../ir/snapshot.js';
import type { WasmLimits } from './limits.js';
import type { CallbackMetrics, WasmMetrics } from './metrics.js';
import type { PluginModule } from './plugin-module.js';
import { PluginVm, VmFailure, type VmLogSink } from './plugin-vm.js';
import { STREAM_CALLBACK_EXPORTS, type StreamCallback, type StreamState } from './stream-state.js';
import { LOG_LEVELS } from './abi.js';
import { minLevelIndex, type PluginLogSink } from './plugin-log.js';
import type { PluginInvocationReport } from './invocation-report.js';

export interface PluginPoolOptions {
  readonly pluginKey: string;
  readonly version: WasmPluginVersionIR;
  readonly module: PluginModule;
  readonly config: Uint8Array;
  readonly log: WasmLogConfigIR;
  readonly limits: WasmLimits;
  readonly rootId: string;
  readonly metrics: WasmMetrics;
  readonly logSink: PluginLogSink;
  readonly onInvocation?: (inv: PluginInvocationReport) => void;
}

/** Set on a StreamState by the stream so the VM's log sink knows whether this request was sampled. */
export interface SampledStream extends StreamState {
  readonly sampled: boolean;
}

export class PluginPool {
  private readonly vms: PluginVm[] = [];
  private startError: { failure: VmFailure; until: number } | undefined;
  private vmCounter = 0;
  /** Metrics per stream callback, indexed by StreamCallback, created at its first call. */
  private readonly callbackMetrics: Array<{ name: string; metrics: CallbackMetrics } | undefined> = new Array(
    STREAM_CALLBACK_EXPORTS.length,
  ).fill(undefined);
  private peakMemory = 0;
  readonly minLevel: number;

  constructor(readonly opts: PluginPoolOptions) {
    this.minLevel = minLevelIndex(opts.log);
  }

  get versionName(): string {
    return this.opts.version.name;
  }

  /** Metrics of one stream callback (named `on_request_headers`, ...), cached for the hot path. */
  callback(cb: StreamCallback): { name: string; metrics: CallbackMetrics } {
    let c = this.callbackMetrics[cb];
    if (!c) {
      const name = STREAM_CALLBACK_EXPORTS[cb]!.replace(/^proxy_/, '');
      c = { name, metrics: this.opts.metrics.callback(this.opts.pluginKey, this.opts.version.name, name) };
      this.callbackMetrics[cb] = c;
    }
    return c;
  }

  memoryUsed(bytes: number): void {
    if (bytes > this.peakMemory) {
      this.peakMemory = bytes;
      this.opts.metrics.memoryUsed(this.opts.pluginKey, this.opts.version.name, bytes);
    }
  }

  /** Live streams on all VMs (for draining and tests). */
  get liveStreams(): number {
    return this.vms.reduce((n, vm) => n + vm.live, 0);
  }

  get vmCount(): number {
    return this.vms.length;
  }

  /** A VM for a new stream; throws VmFailure when no VM can be started. */
  acquire(): PluginVm {
    for (let i = this.vms.length - 1; i >= 0; i--) {
      const vm = this.vms[i]!;
      if (!vm.failed && vm.live < this.opts.limits.streamsPerVm) {
        vm.live++;
        return vm;
      }
    }
    const vm = this.startVm();
    vm.live++;
    return vm;
  }

  release(vm: PluginVm): void {
    vm.live--;
    if (vm.failed && vm.live <= 0) {
      const i = this.vms.indexOf(vm);
      if (i >= 0) this.vms.splice(i, 1);
    }
  }

  private startVm(): PluginVm {
    const now = Date.now();
    if (this.startError && now < this.startError.until) throw this.startError.failure;
    const { opts } = this;
    const sink: VmLogSink = (level, message, callback, stream) => {
      if (level < this.minLevel) return;
      if (stream && !(stream as SampledStream).sampled) return;
      opts.logSink({
        time: new Date().toISOString(),
        plugin: opts.pluginKey,
        version: opts.version.name,
        callback,
        requestId: stream?.request?.requestId,
        level: LOG_LEVELS[level] ?? 'INFO',
        message,
      });
    };
    const vm = new PluginVm(opts.module, {
      pluginName: opts.pluginKey,
      rootId: opts.rootId,
      vmId: `${opts.pluginKey}/${opts.version.name}/${++this.vmCounter}`,
      config: opts.config,
      limits: opts.limits,
      log: sink,
      logLevel: Math.min(this.minLevel, 5),
    });
    try {
      vm.start();
    } catch (err) {
      const failure = err instanceof VmFailure ? err : new VmFailure('error', String(err));
      this.startError = { failure, until: now + opts.limits.restartBackoffMs };
      opts.metrics.vmStarted(opts.pluginKey, opts.version.name, false);
      throw failure;
    }
    this.startError = undefined;
    opts.metrics.vmStarted(opts.pluginKey, opts.version.name, true);
    this.vms.push(vm);
    return vm;
  }
}
