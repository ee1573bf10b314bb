// Where the access log and plugin logs go by default: stdout through one buffered writer that gathers lines
// into writes of at least `minBufferedBytes` (one syscall for many requests instead of one each), flushed at
// least every `flushIntervalMs`, so a quiet gateway's lines still show up promptly; pino flushes what is left
// when the process exits.
//
// How a batch is written depends on what stdout is:
// - a pipe or socket (a container runtime reading a worker's stdout) is written asynchronously: a reader that
//   falls behind must never stall the event loop. Several data-plane workers share it, and a write of more
//   than PIPE_BUF bytes may interleave with another process's, so each write is at most `pipeWriteBytes` of
//   whole lines.
// - a terminal is written asynchronously too: it can stop reading for as long as its user likes (XOFF, a
//   paused pager), which must not stop the gateway.
// - a file or /dev/null is written synchronously, in batches of `minBufferedBytes` (Node writes
//   process.stdout to files synchronously on POSIX for the same reason): an asynchronous write goes through
//   libuv's thread pool, and waking a pool thread and the loop again cost more CPU than the write itself; per
//   request, under load, that was the product's largest difference between a plain request and one through a
//   plugin, whose log line is longer (docs/benchmarks.md, "Round 6"). A file opened for append takes each
//   write whole.
//
// The writer is pino's (sonic-boom) in its Buffer mode, each line encoded once as it arrives. Its string mode
// appends each line to the pending batch and measures the whole batch again (`Buffer.byteLength`) per line:
// work proportional to the batch per line, up to 64 KiB, which under load made the access log the largest
// cost of a proxied request after the syscalls (docs/benchmarks.md, "Where the product's CPU goes").
import { fstatSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import pino, { type DestinationStream } from 'pino';
import { LOG_LIMITS } from './limits.js';

/** A log destination that also flushes (pending lines now) and ends (flush synchronously, close). */
export interface LogDestination extends DestinationStream {
  flush(cb?: (err?: Error | null) => void): void;
  flushSync(): void;
  end(): void;
}

export function logDestination(dest: number | string = 1): LogDestination {
  const kind = sinkKind(dest);
  const shared = kind === 'pipe';
  const boom = pino.destination({
    dest,
    sync: kind === 'file',
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

/**
 * What the lines go to: a pipe or socket (a reader that may fall behind, shared by the workers), a terminal
 * (which may stop reading), or a file (/dev/null included). Unknown counts as a pipe, the cautious choice.
 */
function sinkKind(dest: number | string): 'pipe' | 'terminal' | 'file' {
  try {
    const stat = typeof dest === 'number' ? fstatSync(dest) : statSync(dest, { throwIfNoEntry: false });
    // A path that does not exist yet is a file sonic-boom creates.
    if (stat === undefined || stat.isFile()) return 'file';
    if (stat.isFIFO() || stat.isSocket()) return 'pipe';
    if (typeof dest === 'number') return isatty(dest) ? 'terminal' : 'file';
    return stat.isCharacterDevice() && dest !== '/dev/null' ? 'terminal' : 'file';
  } catch {
    return 'pipe';
  }
}
