// Shared by the data-plane security tests: a backend that keeps a ledger of every request it parsed, with the
// connection it came on, and an HTTP/1.1 client that sends several requests on one kept-alive connection.
import http from 'node:http';
import net from 'node:net';

export interface LedgerEntry {
  /** 1, 2, ... per TCP connection the backend accepted. */
  readonly conn: number;
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface LedgerBackend {
  readonly port: number;
  readonly seen: LedgerEntry[];
  close(): Promise<void>;
}

/** Answers every request with JSON `{url, body}` (exact content-length) and records it in `seen`. */
export async function ledgerBackend(): Promise<LedgerBackend> {
  const seen: LedgerEntry[] = [];
  const conns = new WeakMap<net.Socket, number>();
  let nconn = 0;
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    let conn = conns.get(req.socket);
    if (conn === undefined) conns.set(req.socket, (conn = ++nconn));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      seen.push({ conn: conn!, method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      const out = JSON.stringify({ url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Requests in sequence on ONE client connection (an agent with a single kept-alive socket). Rejects when the
 * connection broke, e.g. because a response's framing left it out of step.
 */
export async function onOneConnection(
  port: number,
  requests: ReadonlyArray<{ path: string; headers?: Record<string, string>; method?: string; body?: string }>,
): Promise<{ replies: Reply[]; sockets: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<net.Socket>();
  const replies: Reply[] = [];
  try {
    for (const r of requests) {
      replies.push(
        await new Promise<Reply>((resolve, reject) => {
          const req = http.request(
            { host: '127.0.0.1', port, path: r.path, method: r.method ?? 'GET', headers: r.headers, agent },
            (res) => {
              sockets.add(res.socket);
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  headers: res.headers,
                  body: Buffer.concat(chunks).toString('latin1'),
                }),
              );
              res.on('error', reject);
            },
          );
          req.setTimeout(5_000, () => req.destroy(new Error(`no answer to ${r.path} within 5 s`)));
          req.on('error', reject);
          req.end(r.body);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return { replies, sockets: sockets.size };
}
