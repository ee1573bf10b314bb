// The base class of the examples' stream contexts: the SDK's Context whose default end-of-stream callbacks
// log their debug lines only when the host would keep them (log-level.ts), instead of building and sending
// three strings per request that the host then drops. Same lines, same order, at DEBUG or TRACE.
import { Context, log, LogLevelValues } from '@solo-io/proxy-runtime';
import { debugEnabled } from './log-level';

export class HttpContext extends Context {
  onLog(): void {
    if (debugEnabled()) log(LogLevelValues.debug, 'context id: ' + this.context_id.toString() + ': onLog()');
  }

  onDone(): bool {
    if (debugEnabled()) log(LogLevelValues.debug, 'context id: ' + this.context_id.toString() + ': onDone()');
    return true;
  }

  onDelete(): void {
    if (debugEnabled())
      log(LogLevelValues.debug, 'context id: ' + this.context_id.toString() + ': onDelete()');
  }
}
