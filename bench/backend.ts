// The loopback backend every bench scenario proxies to: a minimal Node HTTP server in its own process,
// answering a small fixed body (the shape of the seed's store app answer, without the JSON work).
// Prints `port <n>` on stdout once listening.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from('{"metadata":"store-v1","ok":true}\n');
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
