// Where a Gateway listener's port binds locally (`--port-offset`), and what to tell the user when it cannot.
//
// A cloud load balancer listens on 80 and 443; a normal user cannot bind ports below 1024
// (net.ipv4.ip_unprivileged_port_start). So unless `--port-offset` is given, `extgate up` moves only those
// ports, by UNPRIVILEGED_PORT_OFFSET (80 → 8080, 443 → 8443), and binds every other port as written.

/** `--port-offset N` (every port P binds P + N), or the default that moves only privileged ports. */
export type PortOffset = number | 'unprivileged';

/** The offset privileged ports get by default: 80 → 8080, 443 → 8443 (what the demo and docs show). */
export const UNPRIVILEGED_PORT_OFFSET = 8000;
/** Ports below this need root (Linux's default net.ipv4.ip_unprivileged_port_start). */
const FIRST_UNPRIVILEGED_PORT = 1024;

/** The port a listener declared as `port` binds to. */
export function boundPort(port: number, offset: PortOffset): number {
  if (offset !== 'unprivileged') return port + offset;
  return port < FIRST_UNPRIVILEGED_PORT ? port + UNPRIVILEGED_PORT_OFFSET : port;
}

/** How `port` got to `bound`, for messages: "port 80 + --port-offset 8000 = 8080". */
export function describeBinding(port: number, offset: PortOffset, bound: number): string {
  if (bound === port) return `port ${port}`;
  const added =
    offset === 'unprivileged' ? `${UNPRIVILEGED_PORT_OFFSET} (the default --port-offset)` : offset;
  return `port ${port} + ${added} = ${bound}`;
}

/**
 * The data plane's listen error with what to do about it: the flag that changes the bound port or address.
 * `error` is the message as the data plane reported it (it carries Node's `EACCES`/`EADDRINUSE` code).
 */
export function explainListenError(error: string): string {
  if (/\bEACCES\b/.test(error))
    return `${error} (ports below ${FIRST_UNPRIVILEGED_PORT} need root: leave --port-offset unset to bind them +${UNPRIVILEGED_PORT_OFFSET}, or pass --port-offset N)`;
  if (/\bEADDRINUSE\b/.test(error))
    return `${error} (another process listens there: stop it, or move the listeners with --port-offset N or --address ADDR)`;
  if (/\bEADDRNOTAVAIL\b/.test(error))
    return `${error} (no local interface has that address: pass --address 127.0.0.1 or an address of this machine)`;
  return error;
}
