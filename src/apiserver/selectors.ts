// Label and field selectors of list/watch requests (docs/spec/kubernetes-api.md §4.2).
import type { KubeObject } from '../api/types.js';
import { errors } from './status.js';

export type Selector = (obj: KubeObject) => boolean;

type Requirement =
  { op: 'in' | 'notin'; key: string; values: string[] } | { op: 'exists' | '!exists'; key: string };

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Splits at commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function parseLabelTerm(term: string, whole: string): Requirement {
  const bad = (why: string) =>
    errors.badRequest(`unable to parse requirement: ${why} in label selector "${whole}"`);
  // Every group of these patterns takes part in a match: `?? ''` never applies.
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  let req: Requirement;
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    for (const v of values) if (!VALUE.test(v)) throw bad(`invalid label value: "${v}"`);
    req = { op: set[2] === 'notin' ? 'notin' : 'in', key: set[1] ?? '', values };
  } else {
    const eq = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (eq) {
      const value = (eq[3] ?? '').trim();
      if (!VALUE.test(value)) throw bad(`invalid label value: "${value}"`);
      req = { op: eq[2] === '!=' ? 'notin' : 'in', key: (eq[1] ?? '').trim(), values: [value] };
    } else if (term.startsWith('!')) req = { op: '!exists', key: term.slice(1).trim() };
    else req = { op: 'exists', key: term };
  }
  if (!KEY.test(req.key)) throw bad(`invalid label key "${req.key}"`);
  return req;
}

/** Parses `labelSelector`; undefined when empty. Syntax errors → 400 BadRequest. */
export function parseLabelSelector(text: string | null): Selector | undefined {
  if (!text || text.trim() === '') return undefined;
  const reqs = splitTerms(text).map((t) => parseLabelTerm(t, text));
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      switch (r.op) {
        case 'exists':
          return has;
        case '!exists':
          return !has;
        case 'in':
          return has && r.values.includes(labels[r.key] ?? '');
        case 'notin':
          return !has || !r.values.includes(labels[r.key] ?? '');
      }
    });
  };
}

function path(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const p of dotted.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'type',
];

/** The value a field selector compares for `field` on `kind`, or undefined if the field is not selectable. */
function fieldGetter(kind: string, field: string): ((o: KubeObject) => string) | undefined {
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  if (field === 'metadata.name' || field === 'metadata.namespace') return (o) => str(path(o, field));
  if (kind === 'Event') {
    if (EVENT_FIELDS.includes(field)) return (o) => str(path(o, field));
    if (field === 'source') return (o) => str(path(o, 'source.component') ?? path(o, 'reportingController'));
  }
  if (kind === 'Secret' && field === 'type') return (o) => str(o.type);
  if (kind === 'Pod' && (field === 'spec.nodeName' || field === 'status.phase'))
    return (o) => str(path(o, field));
  if (kind === 'Service' && (field === 'spec.clusterIP' || field === 'spec.type'))
    return (o) => str(path(o, field));
  return undefined;
}

/** Parses `fieldSelector` for `kind`; unsupported fields → 400 `field label not supported: <field>`. */
export function parseFieldSelector(kind: string, text: string | null): Selector | undefined {
  if (!text || text.trim() === '') return undefined;
  const tests = splitTerms(text).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = (m[1] ?? '').trim();
    const get = fieldGetter(kind, field);
    if (!get) throw errors.badRequest(`field label not supported: ${field}`);
    const value = (m[3] ?? '').trim();
    const negate = m[2] === '!=';
    return (o: KubeObject) => (get(o) === value) !== negate;
  });
  return (obj) => tests.every((t) => t(obj));
}
