// Defaults and limits of the observability parts, in one place. GKE has no equivalent for most of them (its
// logs go to Cloud Logging); where a GKE value exists it is named with its source.

export const TRACE_DEFAULTS = Object.freeze({
  /** Finished traces kept for the dashboard. At ~2-8 KiB per traced request (headers before/after each step)
   *  this bounds the buffer to a few MiB. */
  capacity: 500,
  /** Body bytes kept per captured chunk. GKE: 128 KiB is the largest single body mutation a plugin may make
   *  (service-extensions plugins overview), so 4 KiB shows the start of any chunk without holding them. */
  maxBodyBytes: 4096,
  /** Steps kept per request; a long streamed body (one step per chunk and extension) stops being recorded
   *  here and the rest is only counted (`stepsDropped`), so one request cannot fill the buffer. */
  maxSteps: 256,
  /** Header and body bytes captured per request; past it, steps are recorded without content. With
   *  `capacity` and `maxSteps` this bounds the buffer to roughly capacity x (64 KiB + 40 KiB) in the worst
   *  case, a few MiB for ordinary traffic. */
  maxCapturedBytes: 64 * 1024,
  /** Header values never stored in a trace. */
  redactHeaders: Object.freeze([
    'authorization',
    'cookie',
    'set-cookie',
    'proxy-authorization',
  ]) as readonly string[],
});

export const PLUGIN_LOG_DEFAULTS = Object.freeze({
  /** Plugin log lines kept per plugin version for the dashboard. */
  linesPerVersion: 200,
  /** Longest plugin log message kept (longer ones are cut and marked). */
  maxMessageBytes: 2048,
});

export const DASHBOARD_LIMITS = Object.freeze({
  /** Live-log subscribers (SSE connections) at once; more get 503. */
  maxSubscribers: 16,
  /** Requests returned by one `/api/requests` call. */
  maxListed: 500,
});

export const LOG_LIMITS = Object.freeze({
  /** Log bytes waiting to be written to stdout before new lines are dropped: bounds memory when whoever reads
   *  stdout is slower than the traffic. */
  maxBufferedBytes: 16 * 1024 * 1024,
  /** Lines are written in batches of at least this many bytes (fewer syscalls under load)... */
  minBufferedBytes: 64 * 1024,
  /** ...of at most this many... */
  maxWriteBytes: 256 * 1024,
  /** ...but on a pipe shared by several data-plane workers, at most PIPE_BUF of whole lines (atomic, never
   *  interleaved with another worker's lines), gathered from this many bytes on. */
  pipeWriteBytes: 4096,
  pipeMinBufferedBytes: 3 * 1024,
  /** ...or at least this often, so lines of a quiet gateway are not held back. */
  flushIntervalMs: 1000,
});
