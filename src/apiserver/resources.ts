// The write and read rules of the API (docs/spec/kubernetes-api.md §3, §5): metadata, status subresource, generation,
// optimistic concurrency, no-op detection, finalizers, defaulting, admission. HTTP-free: throws ApiError.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { apiVersionOf, KINDS, type ResourceKind } from '../api/kinds.js';
import { compact } from '../api/compact.js';
import type { Admit, FieldCause, KubeObject, ObjectLookup, ObjectMeta } from '../api/types.js';
import { builtinUnknownFields } from './builtin-fields.js';
import { applyFieldValidation, type Arrival } from './field-validation.js';
import type { WriteContext } from './write-context.js';

export type { FieldValidation, WriteContext } from './write-context.js';
import {
  conflictMessage,
  droppedByApply,
  isManagedFields,
  nextManagedFields,
  removePaths,
  type ManagedFieldsEntry,
} from './managed-fields.js';
import { checkObjectBody, randomSuffix, timestamp } from './object-body.js';
import { applyDefaults, immutableFieldCauses, nameCauses } from './defaults.js';
import { isPlainObject, jsonPatch, mergePatch, PatchError } from './patch/json-patch.js';
import { listMergeKey, strategicMergePatch } from './patch/strategic.js';
import { refuseUnsafeJsonPatch, refuseUnsafeKeys } from './patch/unsafe-keys.js';
import { ApiError, errors } from './status.js';
import { listTypesOf, type ListTypes } from './list-types.js';
import { applyMerge } from './patch/structured-merge.js';
import type { ObjectStore } from './store.js';
import { CLEANUP_FINALIZER, CRD_KIND, isFixedCrd, type CrdController } from './crd/controller.js';
import { FIXED_KINDS, type KindTable } from './crd/kind-table.js';
import { pruneAndDefault, schemaCauses, unknownFieldPaths } from './crd/structural.js';
import { deletionFinalizers, propagationPolicy, type DeleteOptions } from './delete-options.js';

/** Per-request options from the query string. */

export type UnknownFields = (obj: KubeObject) => string[];
/** The object with its kind's schema defaults filled in (structural defaulting of custom resources). */
export type Defaulter = (obj: KubeObject) => KubeObject;

export type { DeleteOptions } from './delete-options.js';

type Obj = Record<string, unknown>;

function hasStatus(k: ResourceKind): boolean {
  return k.subresources.includes('status');
}

/** Everything but metadata (and status, when status is a subresource): what bumps `generation`. */
function specOf(k: ResourceKind, o: KubeObject): Obj {
  const { metadata: _m, status: _s, ...rest } = o;
  return hasStatus(k) ? rest : { ...rest, status: _s };
}

/**
 * Removes from `live` what `previous` applied that `next` no longer applies (server-side apply, §5.5): map keys,
 * and items of lists merged by key (for built-in kinds, e.g. a Service port dropped from the manifest).
 */
function pruneUnapplied(kind: string, live: Obj, previous: Obj, next: Obj, path: string[] = []): void {
  for (const [key, value] of Object.entries(previous)) {
    const here = [...path, key];
    if (!Object.hasOwn(next, key)) delete live[key];
    else if (isPlainObject(value) && isPlainObject(next[key]) && isPlainObject(live[key]))
      pruneUnapplied(kind, live[key] as Obj, value, next[key] as Obj, here);
    else if (Array.isArray(value) && Array.isArray(next[key]) && Array.isArray(live[key])) {
      const mergeKey = listMergeKey(kind, here);
      if (mergeKey === undefined) continue;
      const keyOf = (item: unknown) => (isPlainObject(item) ? JSON.stringify(item[mergeKey]) : undefined);
      const kept = new Set((next[key] as unknown[]).map(keyOf));
      const dropped = new Set(value.map(keyOf).filter((k) => !kept.has(k)));
      live[key] = (live[key] as unknown[]).filter((item) => !dropped.has(keyOf(item)));
    }
  }
}

export class Resources {
  constructor(
    private readonly store: ObjectStore,
    private readonly admit?: Admit,
    private readonly unknownFields?: UnknownFields,
    private readonly schemaDefaults?: Defaulter,
    private readonly kinds: KindTable = FIXED_KINDS,
    private readonly crds?: CrdController,
    /** The OpenAPI v3 schema of a custom kind (server-side apply reads its list types). */
    private readonly customSchema?: (k: ResourceKind) => Record<string, unknown> | undefined,
  ) {}

  private listTypes(k: ResourceKind): ListTypes {
    return listTypesOf(k, k.custom ? this.customSchema?.(k) : undefined);
  }

  /**
   * kube-apiserver defaults custom resources when decoding requests and when reading storage, so the stored
   * object is what every client reads; defaulting what is about to be stored gives the same (status included:
   * a Gateway created without status reads back `Pending`).
   */
  private defaulted(k: ResourceKind, obj: KubeObject): KubeObject {
    const schema = this.crds?.schemaOf(k);
    if (schema) {
      // A CRD-defined kind: pruned (what fieldValidation did not already drop, e.g. in status) and defaulted.
      pruneAndDefault(obj, schema);
      return obj;
    }
    return this.schemaDefaults ? this.schemaDefaults(obj) : obj;
  }

  /** Structural-schema validation of CRD-defined kinds, and the checks on CRDs themselves (422 causes). */
  private validateSchema(k: ResourceKind, obj: KubeObject, previous?: KubeObject): void {
    let causes: FieldCause[] = [];
    if (k === CRD_KIND && this.crds) causes = this.crds.causes(obj, previous);
    else {
      const schema = this.crds?.schemaOf(k);
      if (schema) causes = schemaCauses(obj, schema);
    }
    if (causes.length) throw errors.invalid(k, obj.metadata.name ?? '', causes);
  }

  readonly lookup: ObjectLookup = {
    get: (apiVersion, kind, ns, name) => {
      const k = this.kinds.of(apiVersion, kind);
      return k ? this.store.get(k, ns, name) : undefined;
    },
    list: (apiVersion, kind, ns) => {
      const k = this.kinds.of(apiVersion, kind);
      return k ? this.store.list(k, ns) : [];
    },
  };

  get(k: ResourceKind, ns: string | undefined, name: string): KubeObject {
    const obj = this.store.get(k, ns, name);
    if (!obj) throw errors.notFound(k, name);
    return obj;
  }

  list(k: ResourceKind, ns: string | undefined): KubeObject[] {
    return this.store.list(k, ns);
  }

  private checkNamespace(k: ResourceKind, ns: string | undefined): void {
    if (!k.namespaced || ns === undefined) return;
    const nsKind = KINDS.find((x) => x.kind === 'Namespace')!;
    const namespace = this.store.get(nsKind, undefined, ns);
    if (!namespace) throw errors.notFound(nsKind, ns);
    if (namespace.metadata.deletionTimestamp)
      throw errors.forbidden(
        k,
        '',
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
  }

  private validateFields(k: ResourceKind, obj: KubeObject, ctx: WriteContext, arrival?: Arrival): void {
    // Built-in kinds are checked against k8s.io/api's fields here; custom kinds by the schema owner's hook.
    const schema = this.crds?.schemaOf(k);
    const custom = schema ? unknownFieldPaths(obj, schema) : (this.unknownFields?.(obj) ?? []);
    const unknown = new Set([...builtinUnknownFields(k, obj), ...custom]);
    applyFieldValidation(k, obj, [...unknown], ctx, arrival);
  }

  private runAdmission(
    k: ResourceKind,
    operation: 'CREATE' | 'UPDATE',
    object: KubeObject,
    oldObject?: KubeObject,
  ): void {
    if (!this.admit) return;
    const result = this.admit(
      oldObject ? { operation, object, oldObject } : { operation, object },
      this.lookup,
    );
    if (result.allowed) return;
    const name = object.metadata.name ?? '';
    if ('causes' in result) throw errors.invalid(k, name, result.causes);
    throw errors.denied(k, name, result.denied);
  }

  private clusterIps = (): Set<string> => {
    const svc = KINDS.find((x) => x.kind === 'Service')!;
    const ips = new Set<string>();
    for (const s of this.store.list(svc)) {
      const ip = isPlainObject(s.spec) ? s.spec.clusterIP : undefined;
      if (typeof ip === 'string') ips.add(ip);
    }
    return ips;
  };

  /** POST: create rules of §3.1. */
  create(
    k: ResourceKind,
    ns: string | undefined,
    body: unknown,
    ctx: WriteContext,
    arrival: Arrival = { via: 'body' },
  ): KubeObject {
    if (k.readOnly) throw errors.methodNotAllowed();
    this.crds?.refuseCreateWhileTerminating(k);
    const obj = checkObjectBody(k, body);
    const meta = obj.metadata;
    if (k.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== ns)
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      if (ns !== undefined) meta.namespace = ns;
      else delete meta.namespace;
    } else delete meta.namespace;
    this.validateFields(k, obj, ctx, arrival);
    if (!meta.name) {
      if (!meta.generateName)
        throw errors.invalid(k, '', [
          {
            reason: 'FieldValueRequired',
            field: 'metadata.name',
            message: 'Required value: name or generateName is required',
          },
        ]);
      meta.name = meta.generateName + randomSuffix();
    }
    const causes = nameCauses(k, meta.name);
    if (causes.length) throw errors.invalid(k, meta.name, causes);
    for (const f of [
      'uid',
      'resourceVersion',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'selfLink',
      'generation',
      'managedFields',
    ])
      delete meta[f];
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    if (k.hasGeneration) meta.generation = 1;
    if (hasStatus(k) && k.kind !== 'Namespace') delete obj.status;
    applyDefaults(k, obj, undefined, this.clusterIps);
    const created = this.defaulted(k, obj);
    this.validateSchema(k, created);
    const managed = this.managedFields(k, undefined, created, undefined, ctx);
    if (managed) created.metadata.managedFields = managed;
    this.checkNamespace(k, ns);
    this.runAdmission(k, 'CREATE', created);
    if (this.store.get(k, ns, meta.name)) throw errors.alreadyExists(k, meta.name);
    if (ctx.dryRun) return created;
    return this.store.put(k, created);
  }

  /** PUT on the object or its status. */
  update(
    k: ResourceKind,
    ns: string | undefined,
    name: string,
    sub: string | undefined,
    body: unknown,
    ctx: WriteContext,
  ): KubeObject {
    if (k.readOnly) throw errors.methodNotAllowed();
    const existing = this.get(k, ns, name);
    const candidate = checkObjectBody(k, body);
    if (candidate.metadata.name !== undefined && candidate.metadata.name !== name)
      throw errors.badRequest(
        `the name of the object (${candidate.metadata.name}) does not match the name on the URL (${name})`,
      );
    if (k.namespaced && candidate.metadata.namespace && candidate.metadata.namespace !== ns)
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    // kube-apiserver's AllowUnconditionalUpdate: false for custom resources and CRDs, true for the other built-ins.
    const rv = candidate.metadata.resourceVersion;
    if ((k.custom || k === CRD_KIND) && (rv === undefined || rv === '' || rv === '0'))
      throw errors.invalid(k, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.resourceVersion',
          message: 'Invalid value: 0x0: must be specified for an update',
        },
      ]);
    if (sub !== 'status') this.validateFields(k, candidate, ctx);
    return this.commit(k, existing, candidate, sub, ctx);
  }

  /** PATCH with any of the four patch types; an apply patch may create. */
  patch(
    k: ResourceKind,
    ns: string | undefined,
    name: string,
    sub: string | undefined,
    contentType: string,
    patch: unknown,
    ctx: WriteContext,
  ): { object: KubeObject; created: boolean } {
    if (k.readOnly) throw errors.methodNotAllowed();
    const invalid = (err: PatchError) =>
      new ApiError(422, 'Invalid', err.message, {
        name,
        group: k.group,
        kind: k.kind,
        causes: [{ reason: 'FieldValueInvalid', message: err.message, field: 'patch' }],
      });
    try {
      if (contentType === 'application/json-patch+json') refuseUnsafeJsonPatch(patch);
      else refuseUnsafeKeys(patch, '');
    } catch (err) {
      throw err instanceof PatchError ? invalid(err) : err;
    }
    if (contentType === 'application/apply-patch+yaml') {
      try {
        return this.apply(k, ns, name, sub, patch, ctx);
      } catch (err) {
        throw err instanceof PatchError ? invalid(err) : err;
      }
    }
    const existing = this.get(k, ns, name);
    let result: unknown;
    try {
      switch (contentType) {
        case 'application/merge-patch+json':
          if (!isPlainObject(patch)) throw new PatchError('a merge patch must be a JSON object');
          result = mergePatch(existing, patch);
          break;
        case 'application/json-patch+json':
          result = jsonPatch(existing, patch);
          break;
        case 'application/strategic-merge-patch+json':
          if (k.patch !== 'strategic') throw errors.unsupportedMediaType(k);
          result = strategicMergePatch(k.kind, structuredClone(existing) as Obj, patch);
          break;
        default:
          throw errors.unsupportedMediaType(k);
      }
    } catch (err) {
      throw err instanceof PatchError ? invalid(err) : err;
    }
    const candidate = checkObjectBody(k, result);
    if (candidate.metadata.name !== name)
      throw errors.badRequest(
        `the name of the object (${String(candidate.metadata.name)}) does not match the name on the URL (${name})`,
      );
    if (sub !== 'status')
      this.validateFields(
        k,
        candidate,
        ctx,
        contentType === 'application/strategic-merge-patch+json'
          ? { via: 'patch', type: 'strategic' }
          : { via: 'patch', type: contentType === 'application/json-patch+json' ? 'json' : 'merge', patch },
      );
    return { object: this.commit(k, existing, candidate, sub, ctx), created: false };
  }

  /** Server-side apply without field ownership (§5.5): per-manager last applied configuration. */
  private apply(
    k: ResourceKind,
    ns: string | undefined,
    name: string,
    sub: string | undefined,
    patch: unknown,
    ctx: WriteContext,
  ) {
    if (!isPlainObject(patch))
      throw errors.badRequest('error decoding YAML: the apply patch must be an object');
    const manager = ctx.fieldManager;
    if (!manager)
      throw errors.badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be set');
    const config = structuredClone(patch);
    const existing = this.store.get(k, ns, name);
    if (!existing) {
      if (sub === 'status') throw errors.notFound(k, name);
      const meta = isPlainObject(config.metadata) ? config.metadata : {};
      const object = this.create(
        k,
        ns,
        { ...config, metadata: { ...meta, name } },
        { ...ctx, applied: config },
        { via: 'apply' },
      );
      if (!ctx.dryRun) this.store.setAppliedConfig(k, ns, name, manager, config);
      return { object, created: true };
    }
    const live = structuredClone(existing) as Obj;
    // Fields this manager applied before and no longer applies go, unless another manager owns them.
    const lists = this.listTypes(k);
    const dropped = droppedByApply(lists, existing, manager, config, sub === 'status' ? 'status' : undefined);
    if (dropped) removePaths(live, dropped);
    else {
      // Objects written before managedFields were kept: the last configuration this manager applied.
      const previous = this.store.appliedConfig(k, ns, name, manager);
      if (previous) pruneUnapplied(k.kind, live, previous, config);
    }
    // Structured merge by the schema's list types (a Service port keyed by port+protocol, an atomic HTTPRoute
    // `rules`), as kube-apiserver merges an apply whatever patch strategy kubectl would use for the kind.
    const merged = applyMerge(live, config, lists) as Obj;
    const candidate = checkObjectBody(k, merged);
    if (sub !== 'status') this.validateFields(k, candidate, ctx, { via: 'apply' });
    const object = this.commit(k, existing, candidate, sub, { ...ctx, applied: config });
    if (!ctx.dryRun) this.store.setAppliedConfig(k, ns, name, manager, config);
    return { object, created: false };
  }

  /**
   * The managedFields of a write (managed-fields.ts); an apply conflict is a 409. Fields a client set in
   * metadata.managedFields win, as kube-apiserver lets them (kubectl's client-side → server-side migration
   * rewrites them with a JSON patch).
   */
  private managedFields(
    k: ResourceKind,
    existing: KubeObject | undefined,
    next: KubeObject,
    sub: string | undefined,
    ctx: WriteContext,
  ): ManagedFieldsEntry[] | undefined {
    const sent = next.metadata.managedFields;
    if (existing && isManagedFields(sent) && !isDeepStrictEqual(sent, existing.metadata.managedFields))
      return sent;
    const result = nextManagedFields(existing, next, {
      lists: this.listTypes(k),
      manager: ctx.fieldManager ?? ctx.defaultManager ?? 'unknown',
      operation: ctx.applied ? 'Apply' : 'Update',
      apiVersion: apiVersionOf(k),
      ...(sub === 'status' ? { subresource: 'status' as const } : {}),
      ...(ctx.applied ? { applied: ctx.applied } : {}),
      ...(ctx.force ? { force: true } : {}),
      now: timestamp(),
    });
    if ('conflicts' in result)
      throw new ApiError(409, 'Conflict', conflictMessage(result.conflicts), {
        causes: result.conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with ${c.manager}`,
          field: c.path,
        })),
      });
    return result.entries.length ? result.entries : undefined;
  }

  /** The update rules of §3.2, shared by PUT, PATCH and apply. */
  private commit(
    k: ResourceKind,
    existing: KubeObject,
    candidate: KubeObject,
    sub: string | undefined,
    ctx: WriteContext,
  ): KubeObject {
    const name = existing.metadata.name ?? '';
    const sentRv = candidate.metadata.resourceVersion;
    if (sentRv !== undefined && sentRv !== '' && sentRv !== existing.metadata.resourceVersion)
      throw errors.conflict(k, name);
    let next: KubeObject;
    if (sub === 'status') {
      next = structuredClone(existing);
      if (candidate.status === undefined) delete next.status;
      else next.status = candidate.status;
      next = this.defaulted(k, next);
    } else {
      next = candidate;
      const keep = existing.metadata;
      next.metadata = compact<ObjectMeta>({
        ...candidate.metadata,
        name: keep.name,
        uid: keep.uid,
        creationTimestamp: keep.creationTimestamp,
      });
      if (k.namespaced && keep.namespace !== undefined) next.metadata.namespace = keep.namespace;
      else delete next.metadata.namespace;
      const meta: Record<string, unknown> = next.metadata;
      for (const f of ['generation', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
        if (keep[f] === undefined) delete meta[f];
        else meta[f] = keep[f];
      }
      if (!Array.isArray(candidate.metadata.managedFields)) delete next.metadata.managedFields;
      delete next.metadata.selfLink;
      if (hasStatus(k)) {
        if (existing.status === undefined) delete next.status;
        else next.status = structuredClone(existing.status);
      }
      applyDefaults(k, next, existing, this.clusterIps);
      next = this.defaulted(k, next);
      const causes: FieldCause[] = immutableFieldCauses(k, existing, next);
      if (causes.length) throw errors.invalid(k, name, causes);
    }
    Object.assign(next.metadata, compact({ resourceVersion: existing.metadata.resourceVersion }));
    if (k.hasGeneration && !isDeepStrictEqual(specOf(k, existing), specOf(k, next)))
      next.metadata.generation = (existing.metadata.generation ?? 0) + 1;
    const managed = this.managedFields(k, existing, next, sub, ctx);
    if (managed) next.metadata.managedFields = managed;
    else delete next.metadata.managedFields;
    // Deleting: the last finalizer removed lets the object go.
    const finishing =
      next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0;
    if (!finishing && isDeepStrictEqual(existing, next)) return existing;
    this.validateSchema(k, next, existing);
    if (sub !== 'status') this.runAdmission(k, 'UPDATE', next, existing);
    if (ctx.dryRun) return next;
    if (finishing) return this.store.delete(k, next);
    return this.store.put(k, next);
  }

  /** DELETE (§3.4): finalizers turn a delete into setting deletionTimestamp. */
  delete(
    k: ResourceKind,
    ns: string | undefined,
    name: string,
    options: DeleteOptions,
    ctx: WriteContext,
  ): KubeObject {
    if (k.readOnly) throw errors.methodNotAllowed();
    const existing = this.get(k, ns, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== existing.metadata.uid)
      throw errors.conflict(
        k,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    if (pre?.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion)
      throw errors.conflict(
        k,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    if (k === CRD_KIND && isFixedCrd(name))
      throw errors.forbidden(
        k,
        name,
        'extgate serves this kind itself (its Gateway API controller depends on it); it cannot be deleted',
      );
    const policy = propagationPolicy(k, name, options);
    if (ctx.dryRun) return existing;
    if (k.kind === 'Namespace') this.deleteNamespaceContents(name, ctx);
    // Finalizers turn a delete into setting deletionTimestamp; the garbage collector's own (foregroundDeletion,
    // orphan) and the CRD cleanup's are added by the delete itself, as kube-apiserver does.
    const extra = k === CRD_KIND ? [CLEANUP_FINALIZER] : [];
    const finalizers = deletionFinalizers(existing.metadata.finalizers ?? [], policy, extra);
    if (finalizers.length > 0) {
      const same = isDeepStrictEqual(finalizers, existing.metadata.finalizers ?? []);
      if (existing.metadata.deletionTimestamp && same) return existing;
      const next = structuredClone(existing);
      next.metadata.deletionTimestamp ??= timestamp();
      next.metadata.deletionGracePeriodSeconds ??= 0;
      next.metadata.finalizers = finalizers;
      return this.store.put(k, next);
    }
    return this.store.delete(k, existing);
  }

  private deleteNamespaceContents(ns: string, ctx: WriteContext): void {
    for (const k of this.kinds.all().filter((x) => x.namespaced))
      for (const obj of this.store.list(k, ns)) this.delete(k, ns, obj.metadata.name ?? '', {}, ctx);
  }
}
