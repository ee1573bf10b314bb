// Table tests of the translator's small rules: hostname intersection, durations, label selectors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDurationMs } from '../../src/controller/translator/duration.js';
import { intersectHostnames, selectorMatches } from '../../src/controller/translator/routes.js';
import { reportedAddress } from '../../src/controller/translator/gateways.js';
import { ancestorRefText } from '../../src/controller/status-events.js';

test('hostname intersection follows Gateway API', () => {
  const cases: Array<[string | undefined, string[], string[] | undefined]> = [
    [undefined, [], []],
    [undefined, ['a.example.com'], ['a.example.com']],
    ['a.example.com', [], ['a.example.com']],
    ['a.example.com', ['a.example.com', 'b.example.com'], ['a.example.com']],
    [
      '*.example.com',
      ['a.example.com', 'a.b.example.com', 'example.com', 'a.example.org'],
      ['a.example.com', 'a.b.example.com'],
    ],
    ['a.example.com', ['*.example.com'], ['a.example.com']],
    ['*.example.com', ['*.example.com'], ['*.example.com']],
    ['*.example.com', ['*.b.example.com'], ['*.b.example.com']],
    ['*.b.example.com', ['*.example.com'], ['*.b.example.com']],
    ['A.Example.com', ['a.example.COM'], ['a.example.com']],
    ['a.example.com', ['b.example.com'], undefined],
    ['*.example.com', ['example.com'], undefined],
  ];
  for (const [listener, route, expected] of cases) {
    assert.deepEqual(
      intersectHostnames(listener, route),
      expected,
      `${listener ?? '(none)'} ∩ ${JSON.stringify(route)}`,
    );
  }
});

test('durations: Gateway API / GKE strings to milliseconds', () => {
  const cases: Array<[string | undefined, number | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['1s', 1000],
    ['250ms', 250],
    ['10000ms', 10000],
    ['1m500ms', 60500],
    ['1h2m3s4ms', 3723004],
    ['0s', 0],
    ['1.5s', undefined],
    ['5x', undefined],
    ['s', undefined],
  ];
  for (const [input, expected] of cases) assert.equal(parseDurationMs(input), expected, String(input));
});

test('label selectors as allowedRoutes.namespaces.selector uses them', () => {
  const labels = { team: 'a', tier: 'web' };
  assert.equal(selectorMatches({ matchLabels: { team: 'a' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { team: 'b' } }, labels), false);
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, labels),
    true,
  );
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels),
    false,
  );
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, labels),
    true,
  );
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels), false);
  assert.equal(selectorMatches({}, labels), true, 'an empty selector selects everything');
  assert.equal(selectorMatches(undefined, labels), false, 'no selector selects nothing');
});

test('reported address: a wildcard bind is reachable on loopback', () => {
  assert.deepEqual(reportedAddress('0.0.0.0'), { type: 'IPAddress', value: '127.0.0.1' });
  assert.deepEqual(reportedAddress('::'), { type: 'IPAddress', value: '::1' });
  assert.deepEqual(reportedAddress('10.1.2.3'), { type: 'IPAddress', value: '10.1.2.3' });
  assert.deepEqual(reportedAddress('gw.internal'), { type: 'Hostname', value: 'gw.internal' });
});

test('AncestorRef text is the seed event wording', () => {
  assert.equal(
    ancestorRefText({
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      namespace: 'default',
      name: 'GATEWAY_NAME',
    }),
    'AncestorRef {Group: "gateway.networking.k8s.io", Kind: "Gateway", Namespace: "default", Name: "GATEWAY_NAME", SectionName: nil, Port: nil}',
  );
});
