// The host's log level, read when the plugin is (re)configured, so per-stream debug lines can be skipped
// without building them. The SDK's `log` builds and sends every line whatever the level and the host drops
// it: for the default onLog/onDone/onDelete that was three strings, three UTF-8 copies and three hostcalls per
// request, most of what an example plugin cost beyond a hand-written module. Asking the host per stream would
// cost a hostcall per request instead; GCP and extgate fix a VM's level with its plugin version's logConfig,
// and on_configure (called again when the configuration changes) reads it anew.
import { LogLevelValues, Reference, WasmResultValues } from '@solo-io/proxy-runtime/runtime';
import { proxy_get_log_level } from './env';

const answer = new Reference<i32>();
/** Until the host answers (or if it cannot), everything is logged, as the SDK does. */
let level: i32 = LogLevelValues.trace;

export function readLogLevel(): void {
  level = proxy_get_log_level(answer.ptr()) == WasmResultValues.Ok ? answer.data : LogLevelValues.trace;
}

/** Whether a line at `at` would reach the host's log. */
export function logEnabled(at: LogLevelValues): bool {
  return level <= <i32>at;
}

/** Whether a DEBUG line would reach the host's log. */
export function debugEnabled(): bool {
  return logEnabled(LogLevelValues.debug);
}
