// Where the access log and plugin logs go by default: stdout through one asynchronous, buffered writer.
// Lines are gathered into writes of at least `minBufferedBytes` (one syscall for many requests instead of one
// each) and flushed at least every `flushIntervalMs`, so a quiet gateway's lines still show up promptly;
// pino flushes what is left when the process exits. Several data-plane workers share stdout: on a pipe (or
// socket) a write of more than PIPE_BUF bytes may interleave with another process's, so there each write is
// at most `pipeWriteBytes` of whole lines; a file opened for append takes each write whole.
//
// The writer is pino's (sonic-boom) in its Buffer mode, each line encoded once as it arrives. Its string mode
// appends each line to the pending batch and measures the whole batch again (`Buffer.byteLength`) per line:
// work proportional to the batch per line, up to 64 KiB, which under load made the access log the largest
// cost of a proxied request after the syscalls (docs/benchmarks.md, "Where the product's CPU goes").
import { fstatSync } from 'node:fs';
import pino, { type DestinationStream } from 'pino';
import { LOG_LIMITS } from './limits.js';

/** A log destination that also flushes (pending lines now) and ends (flush synchronously, close). */
export interface LogDestination extends DestinationStream {
  flush(cb?: (err?: Error | null) => void): void;
  flushSync(): void;
  end(): void;
}

export function logDestination(dest: number | string = 1): LogDestination {
  const shared = typeof dest === 'number' && isPipe(dest);
  const boom = pino.destination({
    dest,
    sync: false,
    contentMode: 'buffer',
    minLength: shared ? LOG_LIMITS.pipeMinBufferedBytes : LOG_LIMITS.minBufferedBytes,
    maxLength: LOG_LIMITS.maxBufferedBytes,
    maxWrite: shared ? LOG_LIMITS.pipeWriteBytes : LOG_LIMITS.maxWriteBytes,
    periodicFlush: LOG_LIMITS.flushIntervalMs,
  });
  return {
    write: (line: string) => void boom.write(Buffer.from(line, 'utf8') as unknown as string),
    flush: (cb) => boom.flush(cb),
    flushSync: () => boom.flushSync(),
    end: () => boom.end(),
  };
}

function isPipe(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return true;
  }
}
