// Every bad manifest of the tables, POSTed to the embedded API server with admission wired in: 422 Invalid
// carrying the expected cause, and nothing stored.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admit, unknownFields } from '../../src/api/admission.js';
import { kindOf } from '../../src/api/kinds.js';
import { startApiServer, type ApiServer } from '../../src/apiserver/server.js';
import { routingCases, trafficCases, wasmCases } from './gke-cases.js';
import { gatewayCases, httpRouteCases, policyCases } from './gateway-cases.js';
import type { BadCase } from './fixtures.js';

interface Reply {
  status: number;
  body: Record<string, any>;
}

describe('bad manifests through the API server', () => {
  let api: ApiServer;
  let dir: string;

  const call = (method: string, path: string, body?: unknown): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, api.url),
        {
          method,
          ca: api.caPem,
          agent: false,
          headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'extgate-admission-api-'));
    api = await startApiServer({ stateDir: join(dir, 'state'), port: 0, admit, unknownFields });
  });
  after(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Update-only rules need a stored object first; status is dropped on create (docs/spec/kubernetes-api.md §3.1).
  const creatable = (c: BadCase) => !c.oldObject && !c.field.startsWith('status');
  const cases = [
    ...trafficCases,
    ...routingCases,
    ...wasmCases,
    ...gatewayCases,
    ...httpRouteCases,
    ...policyCases,
  ].filter(creatable);

  it(`${cases.length} cases: 422 with the expected cause, nothing stored`, async () => {
    for (const c of cases) {
      const k = kindOf(c.object.apiVersion, c.object.kind)!;
      const base = `${k.group ? `/apis/${k.group}` : '/api'}/${k.version}${k.namespaced ? '/namespaces/default' : ''}/${k.plural}`;
      const r = await call('POST', `${base}?fieldValidation=Strict`, c.object);
      assert.equal(r.status, 422, `${c.name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.reason, 'Invalid', c.name);
      const causes = r.body.details?.causes ?? [];
      assert.ok(
        causes.some(
          (x: { field: string; message: string }) => x.field === c.field && x.message === c.message,
        ),
        `${c.name}: ${JSON.stringify(causes)}`,
      );
      const got = await call('GET', `${base}/${c.object.metadata.name}`);
      assert.equal(got.status, 404, `${c.name}: stored`);
    }
  });
});
