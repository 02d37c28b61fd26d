/**
 * Neo4jStore: the system of record at scale (DESIGN.md "Stores"), over Bolt with neo4j-driver.
 * Same behaviour as SqliteStore, proven by the shared contract suite (test/store-contract.ts).
 *
 * CIs are `:CI:<Class>` nodes, relationships are real Neo4j relationship types, records
 * (changes, incidents …) are `:Record` nodes, events are `:Event` nodes; the statements and the
 * layout are in `neo4j-cypher.ts`.
 *
 * `apply` is one write transaction: lock the sequence node (serialises writers), read the current
 * state of every touched entity in batches into a MemoryState, replay the batch against it with
 * the shared replay (replay.ts: version checks, no-op detection, endpoint and delete checks,
 * events — the same code SqliteStore runs), then write the net difference with `UNWIND $rows`
 * grouped per label / relationship type. The body is safe to retry: it derives everything from
 * what it reads in that attempt.
 */
import neo4j, { Neo4jError, type Driver, type ManagedTransaction, type Session } from 'neo4j-driver';
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import { CmdbError, StoreUnavailableError } from '../errors.ts';
import {
  type ApplyOptions,
  type ApplyResult,
  type ChangeEvent,
  type EntityKind,
  type GraphStore,
  type HistoryQuery,
  type Mutation,
  type StoreCounts,
  type StoredRecord,
  type StoredCheckpoint,
  type CISummary,
  type RelationshipEnds,
  type WriteContext,
} from './port.ts';
import * as Q from './neo4j-cypher.ts';
import { GENESIS_HASH } from '../audit/hash-chain.ts';
import { checkRecordKind, entityOf, MemoryState, recordKey, replay } from './replay.ts';

export interface Neo4jStoreOptions {
  /** `bolt://host:port` (credentials in the URL are accepted but never shown in `location`). */
  url: string;
  /** Usually from NEO4J_USER / NEO4J_PASSWORD; omit for a server with auth disabled. */
  user?: string;
  password?: string;
  /** Database name; default: the server's default database. */
  database?: string;
  /** Relationship types to index up front (the registry's types); others are indexed on first use. */
  relationshipTypes?: Iterable<string>;
  /** Time to open a connection before giving up (default 5 s), so start-up fails fast. */
  connectionTimeoutMs?: number;
  /** How long the driver retries a transaction after transient / connection failures (default 5 s). */
  maxTransactionRetryTimeMs?: number;
  /** Rows per UNWIND statement inside a transaction (default 10 000). */
  chunkSize?: number;
}

const DEFAULT_PAGE = 10_000;
const PING_TIMEOUT_MS = 3_000;

/** The stored documents a batch may touch, read at the start of its transaction. */
interface Snapshot {
  cis: Map<string, CI>;
  relationships: Map<string, Relationship>;
  /** Keyed by `recordKey(kind, id)`. */
  records: Map<string, StoredRecord>;
  /** CIs the batch deletes: their attachments are indexed for the delete check. */
  deletedCIs: Set<string>;
}

/** A relationship as read from the graph, before JSON decoding. */
interface RelRecord {
  r: Record<string, unknown>;
  type: string;
  from: string;
  to: string;
}

export class Neo4jStore implements GraphStore {
  readonly kind = 'neo4j';
  readonly location: string;
  private readonly driver: Driver;
  private readonly database: string | undefined;
  private readonly chunkSize: number;
  private readonly wantedTypes: Set<string>;
  /** Types whose id constraint this process has made sure of. */
  private readonly indexedTypes = new Set<string>();

  constructor(opts: Neo4jStoreOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'bolt:' && url.protocol !== 'bolt+s:' && url.protocol !== 'bolt+ssc:') {
      throw new StoreUnavailableError(`neo4j: use a bolt:// URL, not "${url.protocol}//${url.host}"`);
    }
    const user = opts.user ?? (url.username ? decodeURIComponent(url.username) : undefined);
    const password = opts.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
    url.username = '';
    url.password = '';
    this.location = url.toString().replace(/\/$/, '');
    this.database = opts.database;
    this.chunkSize = opts.chunkSize ?? 10_000;
    this.wantedTypes = new Set([...(opts.relationshipTypes ?? [])].map((t) => Q.relType(t, 'neo4j: relationshipTypes')));
    const connectionTimeout = opts.connectionTimeoutMs ?? 5_000;
    this.driver = neo4j.driver(this.location, user !== undefined ? neo4j.auth.basic(user, password ?? '') : undefined, {
      // Integers come back as JS numbers: ours (versions, seqs, criticality) are far below 2^53.
      disableLosslessIntegers: true,
      connectionTimeout,
      connectionAcquisitionTimeout: connectionTimeout * 2,
      maxTransactionRetryTime: opts.maxTransactionRetryTimeMs ?? 5_000,
      userAgent: 'graph-cmdb',
      logging: { level: 'error', logger: () => undefined },
    });
  }

  async init(): Promise<void> {
    try {
      await this.driver.verifyConnectivity(this.database ? { database: this.database } : undefined);
    } catch (err) {
      throw this.toStoreError('init', err, true);
    }
    await this.guard('init', async () => {
      for (const stmt of Q.SCHEMA_STATEMENTS) await this.schema(stmt);
      const inUse = await this.typesInUse();
      await this.ensureRelTypes([...new Set([...this.wantedTypes, ...inUse])]);
      await this.withSession('WRITE', (s) => s.executeWrite((tx) => tx.run(Q.ENSURE_SEQUENCE, { name: Q.SEQUENCE_NAME })));
    });
  }

  async apply(batch: readonly Mutation[], ctx: WriteContext, options: ApplyOptions = {}): Promise<ApplyResult> {
    // Validate every label, type and record kind before any statement is built or sent.
    const batchTypes = new Set<string>();
    batch.forEach((m, i) => {
      const where = `apply: mutation ${i} (${m.op})`;
      if (m.op === 'upsertCI') Q.classLabel(m.ci.class, where);
      else if (m.op === 'upsertRelationship') batchTypes.add(Q.relType(m.relationship.type, where));
      else if (m.op === 'putRecord' || m.op === 'deleteRecord') checkRecordKind(where, m.kind);
    });
    if (batch.length === 0) return { seq: await this.lastSeq(), events: [] };
    return this.guard('apply', async () => {
      // Schema and data cannot share a transaction: index new types first (idempotent). Types
      // already in the graph are included: the lookups in the transaction hint their indexes.
      await this.ensureRelTypes([...batchTypes, ...(await this.typesInUse())]);
      return this.withSession('WRITE', (s) =>
        s.executeWrite(async (tx) => {
          try {
            return await this.applyTx(tx, batch, ctx, options);
          } catch (err) {
            // Out of transaction memory is a "transient" error the driver would retry — pointlessly,
            // since the same batch needs the same memory. A non-Neo4j error is never retried.
            if (err instanceof Neo4jError && /MemoryPoolOutOfMemory|OutOfMemory/.test(err.code)) {
              throw new StoreUnavailableError(
                `neo4j: a batch of ${batch.length} mutations does not fit in Neo4j's transaction memory on ${this.location} ` +
                  `(${err.message}); give Neo4j a bigger heap (NEO4J_HEAP, -Xmx) or import in smaller batches`,
                { code: err.code, op: 'apply', mutations: batch.length },
              );
            }
            throw err;
          }
        }),
      );
    });
  }

  private async applyTx(
    tx: ManagedTransaction,
    batch: readonly Mutation[],
    ctx: WriteContext,
    options: ApplyOptions,
  ): Promise<ApplyResult> {
    const lock = await tx.run(Q.LOCK_SEQUENCE, { name: Q.SEQUENCE_NAME });
    const seq0 = num(lock.records[0]?.get('value'));
    const at = new Date().toISOString();

    const stored = await this.readTouched(tx, batch);

    // --- replay the batch against what was read (engine/store/replay.ts), in order ---
    const state = new MemoryState(stored.deletedCIs);
    for (const c of stored.cis.values()) state.loadCI(c);
    for (const r of stored.relationships.values()) state.loadRelationship(r);
    for (const r of stored.records.values()) state.loadRecord(r);
    const dirtyCI = new Set<string>();
    const dirtyRel = new Set<string>();
    const dirtyRecord = new Set<string>();
    const events: ChangeEvent[] = [];
    // Chain to the last stored event (the Sequence lock above serialises writers).
    const prevHash =
      seq0 === 0 ? GENESIS_HASH : String((await tx.run(Q.EVENT_HASH, { seq: neo4j.int(seq0) })).records[0]?.get('hash') ?? GENESIS_HASH);
    for (const e of replay(batch, state, { ...ctx, seq: seq0, at, prevHash })) {
      state.apply(e);
      const kind = entityOf(e);
      if (kind === 'ci') dirtyCI.add(e.id);
      else if (kind === 'relationship') dirtyRel.add(e.id);
      else dirtyRecord.add(recordKey(e.entity, e.id));
      events.push(e);
    }
    const seq = events.length > 0 ? events[events.length - 1]!.seq : seq0;
    if (events.length === 0) {
      options.onProgress?.(batch.length, batch.length);
      return { seq: seq0, events };
    }

    await this.writeDifference(
      tx,
      stored,
      state,
      { cis: dirtyCI, relationships: dirtyRel, records: dirtyRecord },
      events,
      batch.length,
      options,
    );
    await tx.run(Q.SET_SEQUENCE, { name: Q.SEQUENCE_NAME, value: neo4j.int(seq) });
    options.onProgress?.(batch.length, batch.length);
    return { seq, events };
  }

  /** Reads, in batches, every stored document the batch may touch, and the relationships of the CIs it deletes. */
  private async readTouched(tx: ManagedTransaction, batch: readonly Mutation[]): Promise<Snapshot> {
    const ciIds = new Set<string>();
    const relIds = new Set<string>();
    const deletedCIs = new Set<string>();
    const recordKeys = new Map<string, { kind: string; id: string }>();
    for (const m of batch) {
      if (m.op === 'upsertCI') ciIds.add(m.ci.id);
      else if (m.op === 'deleteCI') {
        ciIds.add(m.id);
        deletedCIs.add(m.id);
      } else if (m.op === 'upsertRelationship') {
        relIds.add(m.relationship.id);
        ciIds.add(m.relationship.from);
        ciIds.add(m.relationship.to);
      } else if (m.op === 'deleteRelationship') relIds.add(m.id);
      else recordKeys.set(recordKey(m.kind, m.id), { kind: m.kind, id: m.id });
    }
    const storedCI = new Map<string, CI>();
    for (const ids of chunks([...ciIds], this.chunkSize)) {
      const res = await tx.run(Q.READ_CIS, { ids });
      for (const rec of res.records) {
        const ci = toCI(rec.get('n') as Record<string, unknown>);
        storedCI.set(ci.id, ci);
      }
    }
    const storedRel = new Map<string, Relationship>();
    let types = validTypes(strings((await tx.run(Q.REL_TYPES_IN_USE)).records[0]?.get('types')));
    if (types.length > 0 && relIds.size > 0) {
      // Skip types without relationships: a first import then does no lookups at all.
      const counts = await tx.run(Q.relTypeCounts(types));
      const used = new Set(counts.records.filter((r) => num(r.get('n')) > 0).map((r) => String(r.get('type'))));
      types = types.filter((t) => used.has(t));
    }
    if (types.length > 0 && relIds.size > 0) {
      const stmt = Q.readRels(types);
      for (const ids of chunks([...relIds], this.chunkSize)) {
        const res = await tx.run(stmt, { ids });
        for (const rec of res.records) storedRel.set(...relEntry(rec.toObject() as unknown as RelRecord));
      }
    }
    // Relationships attached to CIs the batch deletes: the delete is refused while any is left.
    if (deletedCIs.size > 0) {
      for (const ids of chunks([...deletedCIs], this.chunkSize)) {
        const res = await tx.run(Q.ATTACHED_RELS, { ids });
        for (const rec of res.records) {
          const [id, r] = relEntry(rec.toObject() as unknown as RelRecord);
          if (!storedRel.has(id)) storedRel.set(id, r);
        }
      }
    }

    const storedRecord = new Map<string, StoredRecord>();
    for (const keys of chunks([...recordKeys.values()], this.chunkSize)) {
      const res = await tx.run(Q.READ_RECORDS, { keys });
      for (const rec of res.records) {
        const r = toRecord(rec.get('r') as Record<string, unknown>);
        storedRecord.set(recordKey(r.kind, r.id), r);
      }
    }
    return { cis: storedCI, relationships: storedRel, records: storedRecord, deletedCIs };
  }

  /** Writes the net difference between the snapshot and the replayed state, grouped per label / type, then the events. */
  private async writeDifference(
    tx: ManagedTransaction,
    stored: Snapshot,
    state: MemoryState,
    dirty: { cis: Set<string>; relationships: Set<string>; records: Set<string> },
    events: ChangeEvent[],
    batchSize: number,
    options: ApplyOptions,
  ): Promise<void> {
    const relDeletes = new Map<string, string[]>(); // type -> ids
    const relCreates = new Map<string, RelRow[]>();
    const relUpdates = new Map<string, RelRow[]>();
    for (const id of dirty.relationships) {
      const was = stored.relationships.get(id);
      const now = state.relationships.get(id) ?? null;
      // A relationship cannot change its type or endpoints in Neo4j: it is replaced.
      const moved = !!was && !!now && (was.type !== now.type || was.from !== now.from || was.to !== now.to);
      if (was && (!now || moved)) push(relDeletes, was.type, id);
      if (now) push(!was || moved ? relCreates : relUpdates, now.type, relRow(now));
    }
    const ciCreates = new Map<string, Record<string, unknown>[]>();
    const ciUpdates = new Map<string, Record<string, unknown>[]>();
    const labelRemovals = new Map<string, string[]>();
    const ciDeletes: string[] = [];
    for (const id of dirty.cis) {
      const was = stored.cis.get(id);
      const now = state.cis.get(id) ?? null;
      if (!now) {
        if (was) ciDeletes.push(id);
        continue;
      }
      if (!was) push(ciCreates, now.class, ciRow(now));
      else {
        if (was.class !== now.class) push(labelRemovals, was.class, id);
        push(ciUpdates, now.class, ciRow(now));
      }
    }

    const recordCreates: Record<string, unknown>[] = [];
    const recordUpdates: Record<string, unknown>[] = [];
    const recordDeletes: { kind: string; id: string }[] = [];
    for (const key of dirty.records) {
      const was = stored.records.get(key);
      const now = state.records.get(key) ?? null;
      if (now) (was ? recordUpdates : recordCreates).push(recordRow(now));
      else if (was) recordDeletes.push({ kind: was.kind, id: was.id });
    }

    // Progress over the rows written (the reads before are quick next to the writes).
    const total =
      [relDeletes, labelRemovals, ciCreates, ciUpdates, relCreates, relUpdates].reduce(
        (n, m) => n + [...m.values()].reduce((k, l) => k + l.length, 0),
        0,
      ) +
      ciDeletes.length +
      recordCreates.length +
      recordUpdates.length +
      recordDeletes.length +
      events.length;
    let written = 0;
    const progress = (rows: number) => {
      written += rows;
      options.onProgress?.(Math.min(batchSize, Math.floor((batchSize * written) / Math.max(1, total))), batchSize);
    };
    const run = async (stmt: string, key: 'ids' | 'rows' | 'keys', items: readonly unknown[]) => {
      for (const part of chunks(items, this.chunkSize)) {
        await tx.run(stmt, { [key]: part });
        progress(part.length);
      }
    };

    for (const [type, ids] of relDeletes) await run(Q.deleteRels(type), 'ids', ids);
    for (const [label, ids] of labelRemovals) await run(Q.removeClassLabel(label), 'ids', ids);
    for (const [label, rows] of ciCreates) await run(Q.createCIs(label), 'rows', rows);
    for (const [label, rows] of ciUpdates) await run(Q.updateCIs(label), 'rows', rows);
    for (const [type, rows] of relCreates) {
      for (const part of chunks(rows, this.chunkSize)) {
        const res = await tx.run(Q.createRels(type), { rows: part });
        const n = num(res.records[0]?.get('n'));
        if (n !== part.length) throw new Error(`neo4j: apply: created ${n} of ${part.length} ${type} relationships (an endpoint vanished)`);
        progress(part.length);
      }
    }
    for (const [type, rows] of relUpdates) await run(Q.updateRels(type), 'rows', rows);
    await run(Q.DELETE_CIS, 'ids', ciDeletes);
    await run(Q.CREATE_RECORDS, 'rows', recordCreates);
    await run(Q.UPDATE_RECORDS, 'rows', recordUpdates);
    await run(Q.DELETE_RECORDS, 'keys', recordDeletes);
    await run(Q.CREATE_EVENTS, 'rows', events.map(eventRow));
  }

  async getCI(id: string): Promise<CI | undefined> {
    const recs = await this.read('getCI', Q.GET_CI, { id });
    const n = recs[0]?.n;
    return n ? toCI(n as Record<string, unknown>) : undefined;
  }

  async getRelationship(id: string): Promise<Relationship | undefined> {
    const types = await this.typesInUse();
    if (types.length === 0) return undefined;
    await this.guard('getRelationship', () => this.ensureRelTypes(types));
    const recs = await this.read('getRelationship', Q.readRels(types), { ids: [id] });
    return recs[0] ? relEntry(recs[0] as unknown as RelRecord)[1] : undefined;
  }

  async *streamCIs(pageSize = DEFAULT_PAGE): AsyncIterable<CI[]> {
    let after = '';
    for (;;) {
      const recs = await this.read('streamCIs', Q.PAGE_CIS, { after, limit: neo4j.int(pageSize) });
      if (recs.length === 0) return;
      const page = recs.map((r) => toCI(r.n as Record<string, unknown>));
      yield page;
      after = page[page.length - 1]!.id;
      if (recs.length < pageSize) return;
    }
  }

  async *streamCISummaries(pageSize = DEFAULT_PAGE): AsyncIterable<CISummary[]> {
    let after = '';
    for (;;) {
      const recs = await this.read('streamCISummaries', Q.PAGE_CI_SUMMARIES, { after, limit: neo4j.int(pageSize) });
      if (recs.length === 0) return;
      const page = recs.map((r) => toSummary(r));
      yield page;
      after = page[page.length - 1]!.id;
      if (recs.length < pageSize) return;
    }
  }

  streamRelationships(pageSize = DEFAULT_PAGE): AsyncIterable<Relationship[]> {
    return this.mergedRelationshipPages('streamRelationships', Q.pageRels, (r) => relEntry(r as unknown as RelRecord)[1], pageSize);
  }

  streamRelationshipEnds(pageSize = DEFAULT_PAGE): AsyncIterable<RelationshipEnds[]> {
    return this.mergedRelationshipPages(
      'streamRelationshipEnds',
      Q.pageRelEnds,
      (r) => ({ id: String(r.id), type: String(r.type), from: String(r.from), to: String(r.to) }),
      pageSize,
    );
  }

  /**
   * Relationship ids are indexed per type, so each type is paged through its own index in id order
   * and the pages are merged here (one global ORDER BY would sort every relationship per page).
   */
  private async *mergedRelationshipPages<T extends { id: string }>(
    op: string,
    query: (type: string) => string,
    map: (rec: Record<string, unknown>) => T,
    pageSize: number,
  ): AsyncIterable<T[]> {
    const types = await this.typesInUse();
    await this.guard(op, () => this.ensureRelTypes(types));
    const cursors = types.map((type) => ({ type, after: '', buf: [] as T[], pos: 0, done: false }));
    let page: T[] = [];
    for (;;) {
      for (const c of cursors) {
        if (c.pos < c.buf.length || c.done) continue;
        const recs = await this.read(op, query(c.type), { after: c.after, limit: neo4j.int(pageSize) });
        c.buf = recs.map((r) => map(r));
        c.pos = 0;
        if (c.buf.length < pageSize) c.done = true;
        if (c.buf.length > 0) c.after = c.buf[c.buf.length - 1]!.id;
      }
      let best: (typeof cursors)[number] | undefined;
      for (const c of cursors) {
        if (c.pos < c.buf.length && (!best || compareIds(c.buf[c.pos]!.id, best.buf[best.pos]!.id) < 0)) best = c;
      }
      if (!best) break;
      page.push(best.buf[best.pos++]!);
      if (page.length === pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  async getRecord(kind: string, id: string): Promise<StoredRecord | undefined> {
    const recs = await this.read('getRecord', Q.GET_RECORD, { kind, id });
    const r = recs[0]?.r;
    return r ? toRecord(r as Record<string, unknown>) : undefined;
  }

  async listRecords(kind: string, query: { after?: string; limit?: number } = {}): Promise<StoredRecord[]> {
    const limit = query.limit ?? Number.MAX_SAFE_INTEGER;
    const recs = await this.read('listRecords', Q.PAGE_RECORDS, { kind, after: query.after ?? '', limit: neo4j.int(limit) });
    return recs.map((r) => toRecord(r.r as Record<string, unknown>));
  }

  async putCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    const { name, seq, parts } = checkpoint;
    // The driver sends an Int8Array as a Neo4j byte array; the body is safe to retry (delete, then create).
    const rows = parts.map((data, part) => ({ part: neo4j.int(part), data: new Int8Array(data.buffer, data.byteOffset, data.byteLength) }));
    await this.guard('putCheckpoint', () =>
      this.withSession('WRITE', (s) =>
        s.executeWrite(async (tx) => {
          await tx.run(Q.DELETE_CHECKPOINT, { name });
          await tx.run(Q.PUT_CHECKPOINT_PARTS, { name, seq: neo4j.int(seq), rows });
        }),
      ),
    );
  }

  async getCheckpoint(name: string): Promise<StoredCheckpoint | undefined> {
    const recs = await this.read('getCheckpoint', Q.GET_CHECKPOINT, { name });
    if (recs.length === 0) return undefined;
    const bytes = (v: unknown) => {
      const a = v as Int8Array;
      return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    };
    return { name, seq: num(recs[0]!.seq), parts: recs.map((r) => bytes(r.data)) };
  }

  async lastSeq(): Promise<number> {
    const recs = await this.read('lastSeq', Q.LAST_SEQ, { name: Q.SEQUENCE_NAME });
    return num(recs[0]?.value);
  }

  async counts(): Promise<StoreCounts> {
    const r = (await this.read('counts', Q.COUNTS, {}))[0] ?? {};
    return { cis: num(r.cis), relationships: num(r.relationships), events: num(r.events), records: num(r.records) };
  }

  async history(entity: EntityKind, id: string, query: HistoryQuery = {}): Promise<ChangeEvent[]> {
    const limit = query.limit ?? Number.MAX_SAFE_INTEGER;
    const recs = await this.read('history', Q.HISTORY, { entity, id, after: neo4j.int(query.after ?? 0), limit: neo4j.int(limit) });
    return recs.map((r) => toEvent(r.e as Record<string, unknown>));
  }

  async eventsAfter(seq: number, limit = 10_000): Promise<ChangeEvent[]> {
    const recs = await this.read('eventsAfter', Q.EVENTS_AFTER, { after: neo4j.int(seq), limit: neo4j.int(limit) });
    return recs.map((r) => toEvent(r.e as Record<string, unknown>));
  }

  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((res) => {
      timer = setTimeout(() => res(false), PING_TIMEOUT_MS);
    });
    const probe = this.withSession('READ', (s) => s.run('RETURN 1 AS one')).then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  // --- plumbing ---

  private async withSession<T>(mode: 'READ' | 'WRITE', fn: (s: Session) => Promise<T>): Promise<T> {
    const session = this.driver.session({
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.database ? { database: this.database } : {}),
    });
    try {
      return await fn(session);
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  private read(op: string, stmt: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    return this.guard(op, () =>
      this.withSession('READ', (s) =>
        s.executeRead(async (tx) => (await tx.run(stmt, params)).records.map((r) => r.toObject() as Record<string, unknown>)),
      ),
    );
  }

  /** Schema statements run in their own auto-commit transaction; a concurrent twin is fine. */
  private async schema(stmt: string): Promise<void> {
    try {
      await this.withSession('WRITE', (s) => s.run(stmt));
    } catch (err) {
      if (err instanceof Neo4jError && /AlreadyExists/.test(err.code)) return;
      throw err;
    }
  }

  private async ensureRelTypes(types: readonly string[]): Promise<void> {
    const missing = types.filter((t) => !this.indexedTypes.has(t));
    if (missing.length === 0) return;
    for (const t of missing) {
      try {
        await this.schema(Q.relIdConstraint(t));
      } catch (err) {
        if (!(err instanceof Neo4jError)) throw err;
        await this.schema(Q.relIdIndex(t));
      }
    }
    await this.withSession('WRITE', (s) => s.run(Q.AWAIT_INDEXES));
    for (const t of missing) this.indexedTypes.add(t);
  }

  private async typesInUse(): Promise<string[]> {
    const recs = await this.read('relationshipTypes', Q.REL_TYPES_IN_USE, {});
    return validTypes(strings(recs[0]?.types));
  }

  private async guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.toStoreError(op, err);
    }
  }

  /** Our own errors pass unchanged; connection and server failures become StoreUnavailableError. */
  private toStoreError(op: string, err: unknown, connecting = false): Error {
    if (err instanceof CmdbError) return err;
    const msg = err instanceof Error ? err.message : String(err);
    if (err instanceof Neo4jError) {
      const code = err.code;
      if (code === neo4j.error.SERVICE_UNAVAILABLE || code === neo4j.error.SESSION_EXPIRED || connecting) {
        return new StoreUnavailableError(`neo4j: cannot reach ${this.location} : ${msg}`, { code, op });
      }
      if (code.startsWith('Neo.ClientError.Security.')) {
        return new StoreUnavailableError(`neo4j: ${this.location} refused the credentials (NEO4J_USER / NEO4J_PASSWORD): ${msg}`, {
          code,
          op,
        });
      }
      if (code.startsWith('Neo.ClientError.Statement.') || code.startsWith('Neo.ClientError.Schema.')) {
        // A statement we built is wrong: a bug, not an outage.
        return new Error(`neo4j: ${op}: ${code}: ${msg}`, { cause: err });
      }
      return new StoreUnavailableError(`neo4j: ${op} failed on ${this.location}: ${code}: ${msg}`, { code, op });
    }
    return new StoreUnavailableError(`neo4j: ${op} failed on ${this.location}: ${msg}`, { op });
  }
}

// --- conversions at the boundary ---

interface RelRow {
  id: string;
  from: string;
  to: string;
  props: Record<string, unknown>;
}

function ciRow(c: CI): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: c.id,
    class: c.class,
    name: c.name,
    status: c.status,
    environment: c.environment,
    criticality: neo4j.int(c.criticality),
    attributes: JSON.stringify(c.attributes),
    tags: c.tags,
    redundancy: JSON.stringify(c.redundancy),
    version: neo4j.int(c.version),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
  if (c.owner !== undefined) row.owner = c.owner;
  return row;
}

function toSummary(p: Record<string, unknown>): CISummary {
  const out = {
    id: String(p.id),
    class: String(p.class),
    name: String(p.name),
    status: p.status,
    environment: p.environment,
    criticality: num(p.criticality),
    redundancy: JSON.parse(String(p.redundancy ?? '[]')) as CI['redundancy'],
  } as CISummary;
  if (p.owner !== undefined && p.owner !== null) out.owner = String(p.owner);
  return out;
}

function toCI(p: Record<string, unknown>): CI {
  const out = {
    id: String(p.id),
    class: String(p.class),
    name: String(p.name),
    status: p.status,
    environment: p.environment,
    criticality: num(p.criticality),
    attributes: JSON.parse(String(p.attributes ?? '{}')) as Record<string, unknown>,
    tags: Array.isArray(p.tags) ? p.tags.map(String) : [],
    redundancy: JSON.parse(String(p.redundancy ?? '[]')) as CI['redundancy'],
  } as CI;
  if (p.owner !== undefined && p.owner !== null) out.owner = String(p.owner);
  out.version = num(p.version);
  out.createdAt = String(p.createdAt);
  out.updatedAt = String(p.updatedAt);
  return out;
}

function relRow(r: Relationship): RelRow {
  return {
    id: r.id,
    from: r.from,
    to: r.to,
    props: {
      id: r.id,
      attributes: JSON.stringify(r.attributes),
      version: neo4j.int(r.version),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    },
  };
}

function relEntry(rec: RelRecord): [string, Relationship] {
  const p = rec.r;
  const id = String(p.id);
  return [
    id,
    {
      id,
      type: String(rec.type),
      from: String(rec.from),
      to: String(rec.to),
      attributes: JSON.parse(String(p.attributes ?? '{}')) as Record<string, unknown>,
      version: num(p.version),
      createdAt: String(p.createdAt),
      updatedAt: String(p.updatedAt),
    },
  ];
}

function recordRow(r: StoredRecord): Record<string, unknown> {
  return {
    kind: r.kind,
    id: r.id,
    doc: JSON.stringify(r.doc),
    version: neo4j.int(r.version),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toRecord(p: Record<string, unknown>): StoredRecord {
  return {
    kind: String(p.kind),
    id: String(p.id),
    version: num(p.version),
    createdAt: String(p.createdAt),
    updatedAt: String(p.updatedAt),
    doc: JSON.parse(String(p.doc ?? '{}')) as Record<string, unknown>,
  };
}

function eventRow(e: ChangeEvent): Record<string, unknown> {
  const row: Record<string, unknown> = {
    seq: neo4j.int(e.seq),
    at: e.at,
    actor: e.actor,
    op: e.op,
    entity: e.entity,
    id: e.id,
    before: e.before === null ? null : JSON.stringify(e.before),
    after: e.after === null ? null : JSON.stringify(e.after),
  };
  if (e.changeId !== undefined) row.changeId = e.changeId;
  if (e.hash !== undefined) row.hash = e.hash;
  if (e.prevHash !== undefined) row.prevHash = e.prevHash;
  return row;
}

function toEvent(p: Record<string, unknown>): ChangeEvent {
  const e: ChangeEvent = {
    seq: num(p.seq),
    at: String(p.at),
    actor: String(p.actor),
    op: p.op as ChangeEvent['op'],
    entity: p.entity as EntityKind,
    id: String(p.id),
    before: p.before == null ? null : (JSON.parse(String(p.before)) as ChangeEvent['before']),
    after: p.after == null ? null : (JSON.parse(String(p.after)) as ChangeEvent['after']),
  };
  if (p.changeId != null) e.changeId = String(p.changeId);
  if (p.hash != null) e.hash = String(p.hash);
  if (p.prevHash != null) e.prevHash = String(p.prevHash);
  return e;
}

/** A Neo4j integer (or a plain number) as a JS number. */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (neo4j.isInt(v)) return (v as { toNumber(): number }).toNumber();
  if (typeof v === 'bigint') return Number(v);
  return Number(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/** Types found in the database that we may interpolate (hand-made odd types are ignored). */
function validTypes(types: readonly string[]): string[] {
  return types.filter((t) => Q.REL_TYPE.test(t)).sort();
}

/** Same order as Neo4j's (and SQLite's) string ordering: by Unicode code point. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
