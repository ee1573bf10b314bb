// extgate's ext_proc client against a server on Python's grpcio (Debian python3-grpcio; a small server of
// our own, test/callout/grpcio_server.py), over h2c and TLS: directly, and through the gateway with a traffic
// chain on request and response headers and a body. A second, independent gRPC implementation beside grpc-js.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CalloutClient } from '../../src/extensions/callout/client.js';
import { chainCompiler } from '../../src/extensions/chain.js';
import type { DataPlane } from '../../src/dataplane/gateway.js';
import {
  backend,
  bodyEcho,
  listener,
  port,
  postH1,
  rule,
  snapshot,
  startGateway,
} from '../dataplane/fixtures.js';
import { calloutIR, requestHeaders, requestInfo, responseHeaders, testCertificate } from './support.js';

const PYTHON = '/usr/bin/python3';
const SERVER = fileURLToPath(new URL('../../../test/callout/grpcio_server.py', import.meta.url));

interface PythonServer {
  readonly port: number;
  stop(): void;
}

function startPython(args: string[]): Promise<PythonServer> {
  const child: ChildProcess = spawn(PYTHON, [SERVER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`grpcio server exited with ${code}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), stop: () => child.kill('SIGKILL') });
    });
  });
}

describe('ext_proc client against a Python grpcio server', { skip: !existsSync(PYTHON) }, () => {
  const client = new CalloutClient();
  let plain: PythonServer;
  let secure: PythonServer;
  let certDir: string;
  const gateways: DataPlane[] = [];
  const closers: Array<() => void> = [];

  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'extgate-grpcio-'));
    const cert = testCertificate();
    writeFileSync(join(certDir, 'cert.pem'), cert.certPem);
    writeFileSync(join(certDir, 'key.pem'), cert.keyPem);
    [plain, secure] = await Promise.all([
      startPython([]),
      startPython([join(certDir, 'cert.pem'), join(certDir, 'key.pem')]),
    ]);
  });
  after(async () => {
    for (const gw of gateways) await gw.close();
    for (const c of closers) c();
    client.close();
    plain?.stop();
    secure?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  for (const tls of [false, true]) {
    it(`${tls ? 'TLS' : 'h2c'}: request and response headers answered with mutations`, async () => {
      const ir = calloutIR({ port: tls ? secure.port : plain.port, tls });
      const s = client.extension(ir).open(requestInfo());
      try {
        const req = requestHeaders();
        const r1 = await s.requestHeaders(req, false);
        assert.equal(r1.effect, 'CONTENT_MODIFIED');
        assert.equal(req.get('x-python'), 'grpcio');
        const res = responseHeaders();
        await s.responseHeaders(res, false);
        assert.equal(res.get('x-python-response'), 'grpcio');
      } finally {
        s.close();
      }
    });
  }

  it('through the gateway: headers mutated both ways, a body streamed through unchanged', async () => {
    const echo = await bodyEcho('http1');
    closers.push(() => echo.close());
    const chain = {
      id: 'GCPTrafficExtension/default/ext/chain1',
      name: 'chain1',
      resource: 'default/ext',
      resourceKind: 'GCPTrafficExtension' as const,
      match: [],
      extensions: [
        calloutIR({
          port: secure.port,
          tls: true,
          events: ['RequestHeaders', 'RequestBody', 'ResponseHeaders', 'ResponseBody'],
        }),
      ],
    };
    const { gw, port: p } = await startGateway(
      snapshot([
        port([
          listener([rule({ backends: [backend('default/echo:80', echo.port)] })], { trafficChains: [chain] }),
        ]),
      ]),
      { compileChains: chainCompiler(client) },
    );
    gateways.push(gw);
    const a = await postH1(p, 'hello grpcio');
    assert.equal(a.status, 200);
    assert.equal(a.body, 'hello grpcio');
    assert.equal(a.headers['x-backend-got'], 'hello grpcio');
    assert.equal(a.headers['x-python-response'], 'grpcio');
  });
});
