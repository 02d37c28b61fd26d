/**
 * The record layer: what every record service (changes, windows, incidents, problems, releases,
 * knowledge articles) does with its records, written once — ids, create, load, optimistic writes,
 * keyset paging — over the store's record port and the Cmdb's one write path (`cmdb.apply`).
 *
 * Ids are `PREFIX-000123`, allocated from a counter record `sequence/<kind>` written with
 * `expectedVersion` in the same batch as the record: two writers (even two processes) never get
 * the same id; the loser retries with the next number. A record created without the counter (an
 * import) is never overwritten: allocation skips ids that exist.
 *
 * One `Records` per kind, owned by the service that owns the kind; other services read a kind
 * through its own `Records` (or its service), never through the store directly.
 */
import { CmdbError, ConflictError, NotFoundError } from '../errors.ts';
import type { ApplyResult, GraphStore, Mutation, StoredRecord, WriteContext } from '../store/port.ts';

/** Record kind of the id counters (one record per counted kind, id = the counted kind). */
export const SEQUENCE_KIND = 'sequence';
/** Records per store read when paging. */
export const PAGE = 1000;
/** Attempts at allocating an id when other writers keep taking the next one. */
const ID_ATTEMPTS = 20;

/** The part of the Cmdb a record layer needs: the store's record reads and the one write path. */
export interface RecordHost {
  store: Pick<GraphStore, 'getRecord' | 'listRecords'>;
  apply(batch: readonly Mutation[], ctx: WriteContext): Promise<ApplyResult>;
}

export function formatId(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(6, '0')}`;
}

/** The record as written by a batch (its last event), or undefined when the batch left it unchanged. */
export function recordOf(result: ApplyResult, kind: string, id: string): StoredRecord | undefined {
  for (let i = result.events.length - 1; i >= 0; i--) {
    const e = result.events[i]!;
    if (e.entity === kind && e.id === id) return (e.after as StoredRecord | null) ?? undefined;
  }
  return undefined;
}

/** A record as answered: the document plus the record's system fields. */
export function viewOf<T>(rec: StoredRecord): T & { id: string; version: number; createdAt: string; updatedAt: string } {
  return { ...(rec.doc as T), id: rec.id, version: rec.version, createdAt: rec.createdAt, updatedAt: rec.updatedAt };
}

export interface LoadOptions {
  /** The operation, first in error messages (`incident update: …`). */
  op: string;
  /** An If-Match version: a different stored version is `precondition_failed`. */
  expectedVersion?: number | undefined;
  /** Whether the not-found message names the kind (`op: incident "INC-1"` or `op: "CHG-1"`); default true. */
  named?: boolean;
}

/** A page of an answer and the keyset cursor of the next one (null on the last page). */
export interface Page<V> {
  items: V[];
  next: string | null;
}

export class Records {
  /** `prefix` names counted ids (`CHG` → `CHG-000123`); a kind without one (tokens) never allocates ids. */
  constructor(
    private readonly host: RecordHost,
    readonly kind: string,
    readonly prefix?: string,
  ) {}

  get(id: string): Promise<StoredRecord | undefined> {
    return this.host.store.getRecord(this.kind, id);
  }

  /** The record, or NotFoundError; with `expectedVersion`, a different version is precondition_failed. */
  async load(id: string, { op, expectedVersion, named = true }: LoadOptions): Promise<StoredRecord> {
    const rec = await this.get(id);
    if (!rec) throw new NotFoundError(`${op}: ${named ? `${this.kind} ` : ''}"${id}" not found`, named ? { kind: this.kind, id } : { id });
    if (expectedVersion !== undefined && rec.version !== expectedVersion) {
      throw new CmdbError('precondition_failed', `${op}: ${id} is at version ${rec.version}, not ${expectedVersion}`, {
        id,
        expectedVersion,
        actualVersion: rec.version,
      });
    }
    return rec;
  }

  /**
   * The next free id and the counter write that claims it: put `claim` in the batch that creates
   * the record, and a concurrent claim of the same id fails that batch with a ConflictError.
   */
  async nextId(): Promise<{ id: string; claim: Mutation }> {
    const prefix = this.prefix;
    if (prefix === undefined) throw new Error(`records: kind "${this.kind}" has no id prefix, so it does not allocate ids`);
    const counter = await this.host.store.getRecord(SEQUENCE_KIND, this.kind);
    let n = typeof counter?.doc.next === 'number' ? counter.doc.next : 1;
    while (await this.get(formatId(prefix, n))) n++;
    return {
      id: formatId(prefix, n),
      claim: { op: 'putRecord', kind: SEQUENCE_KIND, id: this.kind, doc: { next: n + 1 }, expectedVersion: counter?.version ?? 0 },
    };
  }

  /**
   * Creates a record with the next id; `extra` mutations (links on other records) commit in the
   * same batch. Retries with the next id when another writer claimed this one first.
   */
  async create(
    ctx: WriteContext | ((id: string) => WriteContext),
    build: (id: string) => Record<string, unknown>,
    extra: (id: string) => Promise<Mutation[]> | Mutation[] = () => [],
  ): Promise<StoredRecord> {
    for (let attempt = 1; ; attempt++) {
      const { id, claim } = await this.nextId();
      const batch: Mutation[] = [claim, { op: 'putRecord', kind: this.kind, id, doc: build(id), expectedVersion: 0 }, ...(await extra(id))];
      try {
        const result = await this.host.apply(batch, typeof ctx === 'function' ? ctx(id) : ctx);
        return recordOf(result, this.kind, id) ?? (await this.get(id))!;
      } catch (err) {
        if (err instanceof ConflictError && attempt < ID_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  /**
   * Writes a new document over the version read (a concurrent writer makes this a ConflictError),
   * with `extra` mutations in the same batch; answers the record as stored.
   */
  async write(
    read: Pick<StoredRecord, 'id' | 'version'>,
    doc: Record<string, unknown>,
    ctx: WriteContext,
    extra: readonly Mutation[] = [],
  ): Promise<StoredRecord> {
    const result = await this.host.apply(
      [{ op: 'putRecord', kind: this.kind, id: read.id, doc, expectedVersion: read.version }, ...extra],
      ctx,
    );
    return recordOf(result, this.kind, read.id) ?? (await this.load(read.id, { op: this.kind }));
  }

  /** Every record of the kind, in id order, read a page at a time. */
  async all(): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for await (const page of this.pages()) out.push(...page);
    return out;
  }

  /** The records in id order, a store page at a time, after the keyset cursor `after`. */
  async *pages(after?: string): AsyncGenerator<StoredRecord[]> {
    for (;;) {
      const page = await this.host.store.listRecords(this.kind, { after, limit: PAGE });
      if (page.length > 0) yield page;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.id;
    }
  }

  /**
   * One answer page of `limit` views after the cursor, keeping those `keep` accepts. Filters apply
   * after the store's keyset page, so store pages are read until the answer page is full.
   */
  async list<V extends { id: string }>(
    query: { after?: string | undefined; limit: number },
    view: (rec: StoredRecord) => V,
    keep: (v: V) => boolean = () => true,
  ): Promise<Page<V>> {
    const items: V[] = [];
    for await (const page of this.pages(query.after)) {
      for (const rec of page) {
        const v = view(rec);
        if (!keep(v)) continue;
        items.push(v);
        if (items.length > query.limit) break;
      }
      if (items.length > query.limit) break;
    }
    const more = items.length > query.limit;
    const out = items.slice(0, query.limit);
    return { items: out, next: more ? out[out.length - 1]!.id : null };
  }
}
