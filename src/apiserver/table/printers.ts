// Table rows for `kubectl get` (docs/spec/kubernetes-api.md §6): CRD printer columns by JSONPath, and the kubernetes
// printers' columns for built-in kinds, with ages in apimachinery's HumanDuration style.
import type { KubeObject } from '../../api/types.js';
import type { ResourceKind } from '../../api/kinds.js';
import { evaluate } from './jsonpath.js';

export type Cell = string | number | boolean | null;

/** apimachinery duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(ts: unknown, now: number): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function selectorText(sel: unknown): string {
  const entries = Object.entries(o(sel));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${str(v)}`).join(',');
}

function servicePorts(spec: Obj): string {
  const ports = arr(spec.ports).map(o);
  if (ports.length === 0) return '<none>';
  return ports
    .map((p) => `${str(p.port)}${p.nodePort ? `:${str(p.nodePort)}` : ''}/${str(p.protocol) || 'TCP'}`)
    .join(',');
}

function externalIp(spec: Obj, status: Obj): string {
  const type = str(spec.type) || 'ClusterIP';
  const external = arr(spec.externalIPs).map(str);
  if (type === 'ClusterIP' || type === 'NodePort') return external.length ? external.join(',') : '<none>';
  if (type === 'ExternalName') return str(spec.externalName);
  const ingress = arr(o(status.loadBalancer).ingress)
    .map(o)
    .map((i) => str(i.ip) || str(i.hostname))
    .filter((x) => x !== '');
  const all = [...ingress, ...external];
  return all.length ? all.join(',') : '<pending>';
}

/** Like kubectl's formatEndpoints: first 3 addresses, then `+ N more...`. */
function endpointList(items: string[]): string {
  if (items.length === 0) return '<none>';
  if (items.length <= 3) return items.join(',');
  return `${items.slice(0, 3).join(',')} + ${items.length - 3} more...`;
}

function builtinCells(k: ResourceKind, obj: KubeObject, now: number): Cell[] {
  const m = obj.metadata;
  const spec = o(obj.spec);
  const status = o(obj.status);
  const created = age(m.creationTimestamp, now);
  switch (k.kind) {
    case 'Namespace':
      return [m.name ?? '', str(status.phase) || 'Active', created];
    case 'Service':
      return [
        m.name ?? '',
        str(spec.type) || 'ClusterIP',
        str(spec.clusterIP) || '<none>',
        externalIp(spec, status),
        servicePorts(spec),
        created,
        selectorText(spec.selector),
      ];
    case 'Endpoints': {
      const eps: string[] = [];
      for (const s of arr(obj.subsets).map(o))
        for (const a of arr(s.addresses).map(o)) {
          const ports = arr(s.ports).map(o);
          if (ports.length === 0) eps.push(str(a.ip));
          for (const p of ports) eps.push(`${str(a.ip)}:${str(p.port)}`);
        }
      return [m.name ?? '', endpointList(eps), created];
    }
    case 'Secret':
      return [m.name ?? '', str(obj.type), Object.keys(o(obj.data)).length, created];
    case 'ConfigMap':
      return [m.name ?? '', Object.keys(o(obj.data)).length + Object.keys(o(obj.binaryData)).length, created];
    case 'Event': {
      const inv = o(obj.involvedObject);
      const src = o(obj.source);
      const first = obj.firstTimestamp ?? obj.eventTime ?? m.creationTimestamp;
      const last = obj.lastTimestamp ?? obj.eventTime ?? first;
      const source = str(src.component) || str(obj.reportingController);
      return [
        age(last, now),
        str(obj.type),
        str(obj.reason),
        `${str(inv.kind).toLowerCase()}/${str(inv.name)}`,
        str(inv.fieldPath),
        src.host ? `${source}, ${str(src.host)}` : source,
        str(obj.message).trim(),
        age(first, now),
        typeof obj.count === 'number' ? String(obj.count) : '1',
        m.name ?? '',
      ];
    }
    case 'Pod': {
      const containers = arr(spec.containers);
      const statuses = arr(status.containerStatuses).map(o);
      const ready = statuses.filter((c) => c.ready === true).length;
      const restarts = statuses.reduce(
        (n, c) => n + (typeof c.restartCount === 'number' ? c.restartCount : 0),
        0,
      );
      return [
        m.name ?? '',
        `${ready}/${containers.length}`,
        str(status.phase) || 'Pending',
        String(restarts),
        created,
        str(status.podIP) || '<none>',
        str(spec.nodeName) || '<none>',
        str(status.nominatedNodeName) || '<none>',
        arr(spec.readinessGates).length ? `0/${arr(spec.readinessGates).length}` : '<none>',
      ];
    }
    case 'Deployment': {
      const podSpec = o(o(spec.template).spec);
      const containers = arr(podSpec.containers).map(o);
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      return [
        m.name ?? '',
        `${typeof status.readyReplicas === 'number' ? status.readyReplicas : 0}/${replicas}`,
        typeof status.updatedReplicas === 'number' ? status.updatedReplicas : 0,
        typeof status.availableReplicas === 'number' ? status.availableReplicas : 0,
        created,
        containers.map((c) => str(c.name)).join(','),
        containers.map((c) => str(c.image)).join(','),
        selectorText(o(spec.selector).matchLabels),
      ];
    }
    case 'EndpointSlice': {
      const ports = arr(obj.ports).map(o);
      const portText =
        ports.length === 0
          ? '<unset>'
          : ports.map((p) => (p.port === undefined ? '<unset>' : str(p.port))).join(',');
      const addrs = arr(obj.endpoints).flatMap((e) => arr(o(e).addresses).map(str));
      return [m.name ?? '', str(obj.addressType), portText, endpointList(addrs), created];
    }
    case 'Lease':
      return [m.name ?? '', str(o(obj.spec).holderIdentity) || '<none>', created];
    case 'CustomResourceDefinition':
      return [m.name ?? '', str(m.creationTimestamp)];
    default:
      return [m.name ?? '', created];
  }
}

function jsonPathCell(type: string, obj: KubeObject, path: string, now: number): Cell {
  const [value] = evaluate(obj, path);
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'date':
      return age(value, now);
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : (value as Cell);
  }
}

/** The cells of one row, in the order of `Name` followed by `k.columns`. */
export function rowCells(k: ResourceKind, obj: KubeObject, now = Date.now()): Cell[] {
  if (!k.custom) return builtinCells(k, obj, now);
  return [obj.metadata.name ?? '', ...k.columns.map((c) => jsonPathCell(c.type, obj, c.jsonPath ?? '', now))];
}
