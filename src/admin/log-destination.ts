// Where the access log and plugin logs go by default: stdout through one asynchronous, buffered writer.
// Lines are gathered into writes of at least `minBufferedBytes` (one syscall for many requests instead of one
// each) and at most `maxWriteBytes` of whole lines (atomic on a pipe shared by several workers) and flushed at least every `flushIntervalMs`, so a quiet gateway's lines still show up promptly;
// pino flushes what is left when the process exits.
import pino, { type DestinationStream } from 'pino';
import { LOG_LIMITS } from './limits.js';

export function logDestination(dest: number | string = 1): DestinationStream {
  return pino.destination({
    dest,
    sync: false,
    minLength: LOG_LIMITS.minBufferedBytes,
    maxLength: LOG_LIMITS.maxBufferedBytes,
    maxWrite: LOG_LIMITS.maxWriteBytes,
    periodicFlush: LOG_LIMITS.flushIntervalMs,
  });
}
