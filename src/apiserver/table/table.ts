// meta.k8s.io Table responses for `kubectl get`'s human output (docs/spec/kubernetes-api.md §6).
import type { KubeObject } from '../../api/types.js';
import type { ResourceKind } from '../../api/kinds.js';
import { errors } from '../status.js';
import { rowCells } from './printers.js';

export type IncludeObject = 'Metadata' | 'Object' | 'None';

export interface TableRequest {
  /** `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`, whichever the client accepted first. */
  apiVersion: string;
  includeObject: IncludeObject;
}

/** Which Table version the Accept header asks for, if any. */
export function tableAccept(
  accept: string | undefined,
  includeObject: string | null,
): TableRequest | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((s) => s.trim());
    if (!params.includes('as=Table') || !params.includes('g=meta.k8s.io')) continue;
    const version = params.find((p) => p.startsWith('v='))?.slice(2) ?? 'v1';
    if (version !== 'v1' && version !== 'v1beta1') continue;
    const inc = includeObject ?? 'Metadata';
    if (inc !== 'Metadata' && inc !== 'Object' && inc !== 'None')
      throw errors.badRequest(
        `includeObject: Unsupported value: "${inc}": supported values: "Metadata", "None", "Object"`,
      );
    return { apiVersion: `meta.k8s.io/${version}`, includeObject: inc };
  }
  return undefined;
}

function columnDefinitions(k: ResourceKind) {
  const name = {
    name: 'Name',
    type: 'string',
    format: 'name',
    description:
      'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
    priority: 0,
  };
  const defs = k.columns.map((c) => ({
    name: c.name,
    // Built-in printers render ages themselves (as strings); CRD date columns are typed `date`.
    type: c.type === 'date' && !k.custom ? 'string' : c.type,
    format: c.format ?? '',
    description: c.description,
    priority: c.priority,
  }));
  // The kubernetes Event printer lists Name last (priority 1); every other kind starts with it.
  return k.kind === 'Event' ? defs : [name, ...defs];
}

function rowObject(obj: KubeObject, req: TableRequest): unknown {
  if (req.includeObject === 'None') return undefined;
  if (req.includeObject === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

function row(k: ResourceKind, obj: KubeObject, req: TableRequest, now: number) {
  const r: { cells: unknown[]; object?: unknown } = { cells: rowCells(k, obj, now) };
  const object = rowObject(obj, req);
  if (object !== undefined) r.object = object;
  return r;
}

/** A Table of `objects` (one row each). */
export function toTable(
  k: ResourceKind,
  objects: KubeObject[],
  resourceVersion: string,
  req: TableRequest,
): Record<string, unknown> {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: req.apiVersion,
    metadata: { resourceVersion },
    columnDefinitions: columnDefinitions(k),
    rows: objects.map((o) => row(k, o, req, now)),
  };
}
