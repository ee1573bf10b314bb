// A log line that is the same on every request, UTF-8-encoded once. The SDK's `log` encodes its string into a
// new buffer and frees it on every call: ~9.7k of the ~12k fuel local-reply's one INFO line cost per request
// (the rest is the hostcall). Sent only when the host would keep it (log-level.ts), as the host would drop it
// otherwise; what reaches the log is the SDK's line, byte for byte.
import * as imports from '@solo-io/proxy-runtime/imports';
import { LogLevelValues } from '@solo-io/proxy-runtime/runtime';
import { logEnabled } from './log-level';

export class LogLine {
  private encoded: ArrayBuffer;

  constructor(
    readonly level: LogLevelValues,
    message: string,
  ) {
    this.encoded = String.UTF8.encode(message);
  }

  send(): void {
    if (!logEnabled(this.level)) return;
    imports.proxy_log(<usize>this.level, changetype<usize>(this.encoded), this.encoded.byteLength);
  }
}
