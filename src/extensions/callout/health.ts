// Callout connection health, as the data plane sees it: after CONNECT_FAILURES_BEFORE_REPORT connection
// attempts in a row to one callout endpoint fail (refused, TLS handshake, no HTTP/2), every extension using
// that endpoint has a problem, worded as what is wrong and how to fix it; one successful HTTP/2 handshake
// clears it. The data plane does not write status: `onChange` hands the whole set to whoever reports it (the
// controller, through its feedback path), only when it changes.
import type { ChannelTarget } from './channel-target.js';

/** Failed connection attempts in a row before a problem is reported (one blip is not a problem). */
export const CONNECT_FAILURES_BEFORE_REPORT = 3;

/** Told by the channel pool how each connection attempt ends. */
export interface ConnectionObserver {
  /** The callout answered the HTTP/2 handshake (its SETTINGS frame arrived). */
  connected(target: ChannelTarget): void;
  /** The attempt ended before that, with this error (Node's message, or why the session closed). */
  failed(target: ChannelTarget, error: string): void;
}

/** Extension id (IR `id`) → what is wrong with reaching its callout, and the fix. */
export type CalloutProblems = ReadonlyMap<string, string>;

export class CalloutHealth implements ConnectionObserver {
  /** Extension id → the endpoints its current IR names (replaced at every snapshot's compile). */
  private readonly targetsOf = new Map<string, ReadonlySet<string>>();
  private readonly failures = new Map<string, number>();
  /** Endpoint key → current problem. */
  private readonly problems = new Map<string, string>();
  private published = '';

  constructor(private readonly onChange: (problems: CalloutProblems) => void) {}

  /** `extensionId` now sends its streams to `targets` (and no longer to any other). */
  use(extensionId: string, targets: readonly ChannelTarget[]): void {
    this.targetsOf.set(extensionId, new Set(targets.map(targetKey)));
    this.publish();
  }

  connected(target: ChannelTarget): void {
    const key = targetKey(target);
    this.failures.delete(key);
    if (this.problems.delete(key)) this.publish();
  }

  failed(target: ChannelTarget, error: string): void {
    const key = targetKey(target);
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, count);
    if (count < CONNECT_FAILURES_BEFORE_REPORT) return;
    this.problems.set(key, diagnose(target, error));
    this.publish();
  }

  /** The current problems, per extension id. */
  current(): CalloutProblems {
    const out = new Map<string, string>();
    for (const [id, keys] of this.targetsOf) {
      for (const key of keys) {
        const problem = this.problems.get(key);
        if (problem) {
          out.set(id, problem);
          break;
        }
      }
    }
    return out;
  }

  /** Only a changed set is handed on (a failing callout fails many requests; the controller hears once). */
  private publish(): void {
    const now = this.current();
    const text = JSON.stringify([...now]);
    if (text === this.published) return;
    this.published = text;
    this.onChange(now);
  }
}

function targetKey(t: ChannelTarget): string {
  return `${t.tls ? 'tls' : 'h2c'}|${t.endpoint.address}|${t.endpoint.port}`;
}

/** What went wrong, in the user's terms, with the fix. */
export function diagnose(target: ChannelTarget, error: string): string {
  const { address, port } = target.endpoint;
  const at = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  if (/ECONNREFUSED/.test(error))
    return `connection refused at ${at}: is the callout running? (the Service's EndpointSlice names this address and port)`;
  if (
    target.tls &&
    /wrong version number|WRONG_VERSION_NUMBER|packet length too long|unknown protocol/i.test(error)
  )
    return `the callout at ${at} speaks plaintext HTTP/2, but the Service port's appProtocol HTTP2 means TLS: set appProtocol: kubernetes.io/h2c on the Service port (or serve TLS)`;
  if (!target.tls && /before the HTTP\/2 handshake/.test(error))
    return `the callout at ${at} does not speak plaintext HTTP/2 (h2c) as the Service port's appProtocol kubernetes.io/h2c says; if it serves TLS, set appProtocol: HTTP2`;
  if (target.tls && /certificate|self[- ]signed|unable to verify|altnames|Hostname\/IP/i.test(error))
    return `TLS verification of the callout at ${at} failed (${error}): check the BackendTLSPolicy's caCertificateRefs and hostname`;
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/.test(error))
    return `cannot reach the callout at ${at} (${error}): check the EndpointSlice's address and port`;
  return `cannot connect to the callout at ${at}: ${error}`;
}
