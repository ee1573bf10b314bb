// The resource store: every object in memory for reads, every write committed to SQLite (WAL, synchronous=FULL)
// before it is acknowledged, so an answered write survives kill -9. One global resourceVersion counter,
// persisted in the same transaction as the object it stamps, so it never goes backwards.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { KubeObject } from '../api/types.js';
import type { ResourceKind } from '../api/kinds.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: ChangeType;
  kind: ResourceKind;
  rv: number;
  object: KubeObject;
  /** The state before a MODIFIED change (watch selectors need it to turn "stops matching" into DELETED). */
  previous?: KubeObject;
}

function resourceKey(k: ResourceKind): string {
  return `${k.group}/${k.plural}`;
}

function objectKey(ns: string | undefined, name: string): string {
  return `${ns ?? ''}/${name}`;
}

export class ObjectStore {
  private readonly db: Database.Database;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private rv: number;
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly saveRv: Database.Statement;
  private readonly saveApplied: Database.Statement;
  private readonly loadApplied: Database.Statement;
  private readonly clearApplied: Database.Statement;

  constructor(stateDir: string, kinds: readonly ResourceKind[]) {
    this.db = new Database(join(stateDir, 'store.db'), { timeout: 200 });
    // One process per state dir: a second writer would hand out the same resourceVersions. The exclusive lock
    // is taken by the first write transaction and held until the process exits (the OS drops it on kill -9).
    this.db.pragma('locking_mode = EXCLUSIVE');
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.exec('BEGIN IMMEDIATE; COMMIT;');
    } catch (err) {
      this.db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY')
        throw new Error(
          `the state dir ${stateDir} is in use by another extgate process: stop it or pass another --state-dir`,
        );
      throw err;
    }
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS objects (resource TEXT NOT NULL, key TEXT NOT NULL, rv INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (resource, key));
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS applied (resource TEXT NOT NULL, key TEXT NOT NULL, manager TEXT NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (resource, key, manager));
    `);
    this.upsert = this.db.prepare(
      'INSERT OR REPLACE INTO objects (resource, key, rv, body) VALUES (?, ?, ?, ?)',
    );
    this.remove = this.db.prepare('DELETE FROM objects WHERE resource = ? AND key = ?');
    this.saveRv = this.db.prepare(
      "INSERT OR REPLACE INTO counters (name, value) VALUES ('resourceVersion', ?)",
    );
    this.saveApplied = this.db.prepare(
      'INSERT OR REPLACE INTO applied (resource, key, manager, body) VALUES (?, ?, ?, ?)',
    );
    this.loadApplied = this.db.prepare(
      'SELECT body FROM applied WHERE resource = ? AND key = ? AND manager = ?',
    );
    this.clearApplied = this.db.prepare('DELETE FROM applied WHERE resource = ? AND key = ?');

    for (const k of kinds) this.objects.set(resourceKey(k), new Map());
    const row = this.db.prepare("SELECT value FROM counters WHERE name = 'resourceVersion'").get() as
      { value: number } | undefined;
    let rv = row?.value ?? 0;
    for (const r of this.db.prepare('SELECT resource, key, rv, body FROM objects').iterate() as Iterable<{
      resource: string;
      key: string;
      rv: number;
      body: string;
    }>) {
      // Rows of every resource load, also of kinds only a stored CustomResourceDefinition defines.
      this.objectsAt(r.resource).set(r.key, JSON.parse(r.body) as KubeObject);
      rv = Math.max(rv, r.rv);
    }
    this.rv = rv;
  }

  private objectsAt(resource: string): Map<string, KubeObject> {
    let m = this.objects.get(resource);
    if (!m) this.objects.set(resource, (m = new Map()));
    return m;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The stored object; callers must not mutate it (clone first). */
  get(k: ResourceKind, ns: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(resourceKey(k))?.get(objectKey(k.namespaced ? ns : undefined, name));
  }

  /** Objects of a kind (in one namespace if given), sorted by namespace then name. */
  list(k: ResourceKind, ns?: string): KubeObject[] {
    const all = [...(this.objects.get(resourceKey(k))?.values() ?? [])];
    const items = ns === undefined || !k.namespaced ? all : all.filter((o) => o.metadata.namespace === ns);
    return items.sort((a, b) => {
      const an = a.metadata.namespace ?? '';
      const bn = b.metadata.namespace ?? '';
      if (an !== bn) return an < bn ? -1 : 1;
      return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
    });
  }

  /** Stores a created or updated object at the next resourceVersion; returns the stored object. */
  put(k: ResourceKind, object: KubeObject): KubeObject {
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const previous = this.get(k, object.metadata.namespace, object.metadata.name ?? '');
    const rv = this.rv + 1;
    const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    this.db.transaction(() => {
      this.upsert.run(resourceKey(k), key, rv, JSON.stringify(stored));
      this.saveRv.run(rv);
    })();
    this.rv = rv;
    this.objectsAt(resourceKey(k)).set(key, stored);
    this.emit(
      previous
        ? { type: 'MODIFIED', kind: k, rv, object: stored, previous }
        : { type: 'ADDED', kind: k, rv, object: stored },
    );
    return stored;
  }

  /** Removes an object; the returned last state carries the deletion's resourceVersion. */
  delete(k: ResourceKind, object: KubeObject): KubeObject {
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const rv = this.rv + 1;
    const last: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    this.db.transaction(() => {
      this.remove.run(resourceKey(k), key);
      this.clearApplied.run(resourceKey(k), key);
      this.saveRv.run(rv);
    })();
    this.rv = rv;
    this.objectsAt(resourceKey(k)).delete(key);
    this.emit({ type: 'DELETED', kind: k, rv, object: last });
    return last;
  }

  /** Server-side apply: the configuration a field manager last applied to an object (docs/spec/kubernetes-api.md §5.5). */
  appliedConfig(
    k: ResourceKind,
    ns: string | undefined,
    name: string,
    manager: string,
  ): Record<string, unknown> | undefined {
    const row = this.loadApplied.get(resourceKey(k), objectKey(ns, name), manager) as
      { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Record<string, unknown>) : undefined;
  }

  setAppliedConfig(
    k: ResourceKind,
    ns: string | undefined,
    name: string,
    manager: string,
    config: Record<string, unknown>,
  ): void {
    this.saveApplied.run(resourceKey(k), objectKey(ns, name), manager, JSON.stringify(config));
  }

  onChange(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(c: Change): void {
    for (const l of this.listeners) l(c);
  }

  close(): void {
    this.db.close();
  }
}
