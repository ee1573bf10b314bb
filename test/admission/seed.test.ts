// The seed walkthrough's manifests pass admission, both as transcribed in fixtures.ts and as written in the
// seed README's YAML blocks (GATEWAY_NAME replaced).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { admit } from '../../src/api/admission.js';
import type { KubeObject } from '../../src/api/types.js';
import * as seed from './fixtures.js';

const SEED_README = '/work/shared/seed/README.md';

function readmeManifests(): KubeObject[] {
  let text: string;
  try {
    text = readFileSync(SEED_README, 'utf8');
  } catch {
    return []; // the seed lives outside the repository; fixtures.ts carries the same manifests
  }
  const out: KubeObject[] = [];
  for (const block of text.matchAll(/^( *)```yaml\n([\s\S]*?)^ *```/gm)) {
    const indent = block[1]!.length;
    const body = block[2]!
      .split('\n')
      .map((l) => l.slice(indent))
      .join('\n')
      .replaceAll('GATEWAY_NAME', 'my-gateway');
    for (const doc of parseAllDocuments(body)) {
      const o = doc.toJS() as KubeObject;
      o.metadata.namespace ??= 'default';
      out.push(o);
    }
  }
  return out;
}

const allowed = (o: KubeObject) => admit({ operation: 'CREATE', object: o }, seed.seedWorld());

describe('seed manifests pass admission', () => {
  const fixtures = [
    seed.gateway(),
    seed.storeRoute(),
    seed.calloutService(),
    seed.calloutSlice(),
    seed.routingExtension(),
    seed.trafficExtension(),
    seed.wasmPlugin(),
    seed.pluginTrafficExtension(),
  ];
  for (const o of fixtures) {
    it(`${o.kind} ${o.metadata.name}`, () => assert.deepEqual(allowed(o), { allowed: true }));
  }

  it('the YAML blocks of the seed README', (t) => {
    const docs = readmeManifests();
    if (docs.length === 0) return t.skip('seed README not present');
    assert.ok(docs.length >= 4, `found ${docs.length} manifests`);
    for (const o of docs) assert.deepEqual(allowed(o), { allowed: true }, `${o.kind} ${o.metadata.name}`);
  });

  it('the plugin update of step 7 (two versions, one serving)', () => {
    const o = seed.wasmPlugin();
    (o.spec as { versions: unknown[] }).versions = [
      {
        name: 'wasm-plugin-version-v1',
        description: 'Serving Wasm Plugin version',
        image: 'us-docker.pkg.dev/service-extensions-samples/plugins/local-reply:main',
        weight: 1000000,
      },
      {
        name: 'wasm-plugin-version-v2',
        description: 'Non serving Wasm Plugin version',
        image: 'us-docker.pkg.dev/service-extensions-samples/plugins/local-reply:main',
        weight: 0,
      },
    ];
    assert.deepEqual(allowed(o), { allowed: true });
  });

  it('other valid variants: all six events, FullDuplexStreamed, googleAPIServiceName, 1 == 1, a local registry image', () => {
    const variants: KubeObject[] = [
      seed.variant(seed.trafficExtension, (s) =>
        Object.assign(seed.ext0(s), {
          supportedEvents: [
            'RequestHeaders',
            'RequestBody',
            'ResponseHeaders',
            'ResponseBody',
            'RequestTrailers',
            'ResponseTrailers',
          ],
          requestBodySendMode: 'FullDuplexStreamed',
          responseBodySendMode: 'Streamed',
          timeout: '10000ms',
          failOpen: true,
          forwardHeaders: ['x-tenant', ':path'.slice(1)],
          metadata: {
            model_armor_settings:
              '[{"model": "x", "user_prompt_template_id": "projects/p/locations/l/templates/t"}]',
            'fr-id': '{forwarding_rule_id}',
          },
        }),
      ),
      seed.variant(seed.trafficExtension, (s) => {
        delete seed.ext0(s).backendRef;
        delete seed.ext0(s).authority;
        Object.assign(seed.ext0(s), {
          googleAPIServiceName: 'modelarmor.us-central1.rep.googleapis.com',
          supportedEvents: ['RequestHeaders', 'RequestBody'],
        });
      }),
      seed.variant(seed.trafficExtension, (s) => {
        s.extensionChains[0].matchCondition.celExpressions = [
          { celMatcher: '1 == 1' },
          { celMatcher: "request.headers['x-tenant'] == 'a' && request.path.startsWith('/api/')" },
          { celMatcher: 'request.host.endsWith(".example.com") || request.method != "GET"' },
          {
            celMatcher: 'request.path.matches(R"/v1/.*")',
            backendRefs: [{ group: '', kind: 'Service', name: 'store-v1', port: 8080 }],
          },
        ];
      }),
      seed.variant(seed.trafficExtension, (s) =>
        Object.assign(seed.ext0(s), {
          timeout: '10ms',
          observabilityMode: true,
          supportedEvents: ['RequestHeaders'],
        }),
      ),
      seed.variant(seed.routingExtension, (s) =>
        Object.assign(seed.ext0(s), {
          requestBodySendMode: 'FullDuplexStreamed',
          supportedEvents: ['RequestHeaders', 'RequestBody', 'RequestTrailers'],
        }),
      ),
      seed.variant(seed.wasmPlugin, (s) => (s.versions[0].image = '127.0.0.1:5000/plugins/local-reply:v1')),
      seed.variant(seed.wasmPlugin, (s) => (s.logConfig = { enabled: false })),
    ];
    for (const o of variants) assert.deepEqual(allowed(o), { allowed: true }, JSON.stringify(o.spec));
  });
});
