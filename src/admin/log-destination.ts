// Where the access log and plugin logs go by default: stdout through one asynchronous, buffered writer.
// Lines are gathered into writes of at least `minBufferedBytes` (one syscall for many requests instead of one
// each) and flushed at least every `flushIntervalMs`, so a quiet gateway's lines still show up promptly;
// pino flushes what is left when the process exits. Several data-plane workers share stdout: on a pipe (or
// socket) a write of more than PIPE_BUF bytes may interleave with another process's, so there each write is
// at most `pipeWriteBytes` of whole lines; a file opened for append takes each write whole.
import { fstatSync } from 'node:fs';
import pino, { type DestinationStream } from 'pino';
import { LOG_LIMITS } from './limits.js';

export function logDestination(dest: number | string = 1): DestinationStream {
  const shared = typeof dest === 'number' && isPipe(dest);
  return pino.destination({
    dest,
    sync: false,
    minLength: shared ? LOG_LIMITS.pipeMinBufferedBytes : LOG_LIMITS.minBufferedBytes,
    maxLength: LOG_LIMITS.maxBufferedBytes,
    maxWrite: shared ? LOG_LIMITS.pipeWriteBytes : LOG_LIMITS.maxWriteBytes,
    periodicFlush: LOG_LIMITS.flushIntervalMs,
  });
}

function isPipe(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return true;
  }
}
