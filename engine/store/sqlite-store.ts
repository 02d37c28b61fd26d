/**
 * SqliteStore: the embedded default store (one file, WAL), so that `npm start` works on a fresh
 * machine with no server. Same behaviour as Neo4jStore, proven by test/store-contract.test.ts.
 *
 * Documents are kept as JSON with the columns the queries need beside them. A batch is one
 * SQLite transaction: a crash (even SIGKILL) mid-batch leaves the file as it was before it. The
 * semantics of a batch are the shared replay's (replay.ts); this adapter reads rows for it and
 * writes the rows and events it yields.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import { CmdbError, StoreUnavailableError } from '../errors.ts';
import { entityOf, replay, type ReplayContext, type ReplayState } from './replay.ts';
import { GENESIS_HASH } from '../audit/hash-chain.ts';
import { scanInWorker } from './sqlite-scan-worker.ts';
import type {
  ApplyOptions,
  ApplyResult,
  ChangeEvent,
  EntityKind,
  GraphStore,
  HistoryQuery,
  Mutation,
  StoreCounts,
  CISummary,
  RelationshipEnds,
  StoredRecord,
  StoredCheckpoint,
  WriteContext,
} from './port.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cis (
  id TEXT PRIMARY KEY,
  class TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS relationships (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS relationships_from ON relationships(from_id);
CREATE INDEX IF NOT EXISTS relationships_to ON relationships(to_id);
CREATE TABLE IF NOT EXISTS records (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  op TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  before TEXT,
  after TEXT,
  change_id TEXT,
  hash TEXT,
  prev_hash TEXT
);
-- Replay checkpoints (a baseline's graph at its seq, engine/verification/checkpoints.ts): opaque
-- parts outside the event log, checked against the hash the log recorded before use.
CREATE TABLE IF NOT EXISTS checkpoints (
  name TEXT NOT NULL,
  part INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (name, part)
);
-- Index entries are (entity_id, seq): seq is the rowid, so history comes out in order for free.
CREATE INDEX IF NOT EXISTS events_by_entity ON events(entity_id);
`;

// SQLite extracts the few fields the mirror needs, so hydration never parses whole documents.
const PAGE_CI_SUMMARIES =
  "SELECT id, class, doc ->> '$.name' AS name, doc ->> '$.status' AS status, doc ->> '$.environment' AS environment, doc ->> '$.criticality' AS criticality, doc ->> '$.owner' AS owner, doc -> '$.redundancy' AS redundancy FROM cis WHERE id > ? ORDER BY id LIMIT ?";
const PAGE_RELATIONSHIP_ENDS = 'SELECT id, type, from_id AS "from", to_id AS "to" FROM relationships WHERE id > ? ORDER BY id LIMIT ?';

export interface SqliteStoreOptions {
  /**
   * Hydration scans tables of at least this many rows in a worker thread (sqlite-scan-worker.ts),
   * overlapping the reads with the mirror's graph building (default 100,000; tests pass 0).
   */
  scanInWorkerMinRows?: number;
}

interface EventRow {
  seq: number;
  at: string;
  actor: string;
  op: ChangeEvent['op'];
  entity: EntityKind;
  entity_id: string;
  before: string | null;
  after: string | null;
  change_id: string | null;
  hash?: string | null;
  prev_hash?: string | null;
}

export class SqliteStore implements GraphStore {
  readonly kind = 'sqlite';
  readonly location: string;
  private readonly scanInWorkerMinRows: number;
  private db: Database.Database | undefined;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.location = path;
    this.scanInWorkerMinRows = options.scanInWorkerMinRows ?? 100_000;
  }

  async init(): Promise<void> {
    if (this.db) return;
    try {
      if (this.location !== ':memory:') mkdirSync(dirname(this.location), { recursive: true });
      const db = new Database(this.location);
      db.pragma('journal_mode = WAL');
      // NORMAL is durable in WAL mode against process crashes; only power loss may drop the last commits.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('cache_size = -65536');
      db.exec(SCHEMA);
      // Files from before the hash chain: add its columns; their old events stay unchained (verify names the first).
      const columns = new Set((db.prepare('PRAGMA table_info(events)').all() as { name: string }[]).map((c) => c.name));
      if (!columns.has('hash')) db.exec('ALTER TABLE events ADD COLUMN hash TEXT; ALTER TABLE events ADD COLUMN prev_hash TEXT;');
      this.db = db;
    } catch (err) {
      throw new StoreUnavailableError(`sqlite: cannot open "${this.location}": ${(err as Error).message}`);
    }
  }

  private get conn(): Database.Database {
    if (!this.db) throw new StoreUnavailableError(`sqlite: store "${this.location}" is not open`);
    return this.db;
  }

  async apply(batch: readonly Mutation[], ctx: WriteContext, options: ApplyOptions = {}): Promise<ApplyResult> {
    const db = this.conn;
    const st = this.statements(db);
    const run = db.transaction((): ApplyResult => {
      const seq0 = (st.lastSeq.get() as { seq: number | null }).seq ?? 0;
      // Write-through: each event is written before the replay reads for the next mutation, so
      // the state the replay sees is this open transaction's.
      const state = new TransactionState(st);
      const events: ChangeEvent[] = [];
      const prevHash = seq0 === 0 ? GENESIS_HASH : ((st.lastHash.get() as { hash: string | null } | undefined)?.hash ?? GENESIS_HASH);
      const replayCtx: ReplayContext = { ...ctx, seq: seq0, at: new Date().toISOString(), prevHash };
      if (options.onProgress) replayCtx.onMutation = options.onProgress;
      for (const e of replay(batch, state, replayCtx)) {
        const afterJson = e.after === null ? null : JSON.stringify(e.after);
        const kind = entityOf(e);
        if (kind === 'ci') {
          if (afterJson === null) st.deleteCI.run(e.id);
          else st.putCI.run(e.id, (e.after as CI).class, afterJson);
        } else if (kind === 'relationship') {
          if (afterJson === null) st.deleteRel.run(e.id);
          else {
            const r = e.after as Relationship;
            st.putRel.run(e.id, r.type, r.from, r.to, afterJson);
          }
        } else if (afterJson === null) st.deleteRecord.run(e.entity, e.id);
        else st.putRecord.run(e.entity, e.id, afterJson);
        st.insertEvent.run(
          e.seq,
          e.at,
          e.actor,
          e.op,
          e.entity,
          e.id,
          state.jsonOf(e.before),
          afterJson,
          e.changeId ?? null,
          e.hash ?? null,
          e.prevHash ?? null,
        );
        events.push(e);
      }
      return { seq: events.length > 0 ? events[events.length - 1]!.seq : seq0, events };
    });
    try {
      return run.immediate();
    } catch (err) {
      throw asStoreError(err, this.location);
    }
  }

  async getCI(id: string): Promise<CI | undefined> {
    return read<CI>(this.statements(this.conn).getCI, id);
  }

  async getRelationship(id: string): Promise<Relationship | undefined> {
    return read<Relationship>(this.statements(this.conn).getRel, id);
  }

  async *streamCIs(pageSize = 10_000): AsyncIterable<CI[]> {
    yield* this.pages<CI>(this.statements(this.conn).pageCIs, pageSize);
  }

  async *streamRelationships(pageSize = 10_000): AsyncIterable<Relationship[]> {
    yield* this.pages<Relationship>(this.statements(this.conn).pageRels, pageSize);
  }

  async *streamCISummaries(pageSize = 10_000): AsyncIterable<CISummary[]> {
    for await (const rows of this.hydrationPages<SummaryRow>('cis', 'pageCISummaries', pageSize)) yield rows.map(toSummary);
  }

  async *streamRelationshipEnds(pageSize = 10_000): AsyncIterable<RelationshipEnds[]> {
    yield* this.hydrationPages<RelationshipEnds>('relationships', 'pageRelationshipEnds', pageSize);
  }

  /** The keyset pages of a hydration scan: read in a worker thread for a big table in a file, else here. */
  private async *hydrationPages<Row extends { id: string }>(
    table: 'cis' | 'relationships',
    query: 'pageCISummaries' | 'pageRelationshipEnds',
    pageSize: number,
  ): AsyncGenerator<Row[]> {
    const st = this.statements(this.conn);
    const size = (table === 'cis' ? st.maxCIRowid : st.maxRelRowid).get() as { n: number | null };
    if (this.location !== ':memory:' && (size.n ?? 0) >= this.scanInWorkerMinRows) {
      try {
        yield* scanInWorker<Row>(this.location, st[query].source, pageSize);
      } catch (err) {
        throw new StoreUnavailableError(`sqlite: reading "${this.location}" failed: ${(err as Error).message}`);
      }
      return;
    }
    let after = '';
    for (;;) {
      const page = st[query].all(after, pageSize) as Row[];
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1]!.id;
      if (page.length < pageSize) return;
    }
  }

  /** Keyset pagination: each page is its own short read, so a long export never blocks writers. */
  private *pages<T extends { id: string }>(stmt: Database.Statement, pageSize: number): Generator<T[]> {
    let after = '';
    for (;;) {
      const rows = stmt.all(after, pageSize) as { doc: string }[];
      if (rows.length === 0) return;
      const page = rows.map((r) => JSON.parse(r.doc) as T);
      yield page;
      after = page[page.length - 1]!.id;
      if (rows.length < pageSize) return;
    }
  }

  async getRecord(kind: string, id: string): Promise<StoredRecord | undefined> {
    return read<StoredRecord>(this.statements(this.conn).getRecord, kind, id);
  }

  async listRecords(kind: string, query: { after?: string; limit?: number } = {}): Promise<StoredRecord[]> {
    const rows = this.statements(this.conn).pageRecords.all(kind, query.after ?? '', query.limit ?? -1) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as StoredRecord);
  }

  async putCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    const db = this.conn;
    const st = this.statements(db);
    db.transaction(() => {
      st.deleteCheckpoint.run(checkpoint.name);
      checkpoint.parts.forEach((data, part) => st.putCheckpointPart.run(checkpoint.name, part, checkpoint.seq, Buffer.from(data)));
    })();
  }

  async getCheckpoint(name: string): Promise<StoredCheckpoint | undefined> {
    const rows = this.statements(this.conn).getCheckpoint.all(name) as { seq: number; data: Buffer }[];
    if (rows.length === 0) return undefined;
    return { name, seq: rows[0]!.seq, parts: rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)) };
  }

  async lastSeq(): Promise<number> {
    return (this.statements(this.conn).lastSeq.get() as { seq: number | null }).seq ?? 0;
  }

  async counts(): Promise<StoreCounts> {
    const db = this.conn;
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      cis: one('SELECT count(*) AS n FROM cis'),
      relationships: one('SELECT count(*) AS n FROM relationships'),
      events: one('SELECT count(*) AS n FROM events'),
      records: one('SELECT count(*) AS n FROM records'),
    };
  }

  async history(entity: EntityKind, id: string, query: HistoryQuery = {}): Promise<ChangeEvent[]> {
    const rows = this.statements(this.conn).history.all(entity, id, query.after ?? 0, query.limit ?? -1) as EventRow[];
    return rows.map(toEvent);
  }

  async eventsAfter(seq: number, limit = 10_000): Promise<ChangeEvent[]> {
    const rows = this.statements(this.conn).eventsAfter.all(seq, limit) as EventRow[];
    return rows.map(toEvent);
  }

  async ping(): Promise<boolean> {
    try {
      this.conn.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.cache = undefined;
  }

  private cache: ReturnType<typeof prepare> | undefined;
  private statements(db: Database.Database): ReturnType<typeof prepare> {
    this.cache ??= prepare(db);
    return this.cache;
  }
}

function prepare(db: Database.Database) {
  return {
    lastSeq: db.prepare('SELECT max(seq) AS seq FROM events'),
    getCI: db.prepare('SELECT doc FROM cis WHERE id = ?').pluck(),
    ciExists: db.prepare('SELECT 1 FROM cis WHERE id = ?').pluck(),
    putCI: db.prepare(
      'INSERT INTO cis (id, class, doc) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET class = excluded.class, doc = excluded.doc',
    ),
    deleteCI: db.prepare('DELETE FROM cis WHERE id = ?'),
    relsOf: db.prepare('SELECT id FROM relationships WHERE from_id = ? UNION ALL SELECT id FROM relationships WHERE to_id = ? LIMIT 1'),
    getRel: db.prepare('SELECT doc FROM relationships WHERE id = ?').pluck(),
    putRel: db.prepare(
      'INSERT INTO relationships (id, type, from_id, to_id, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET type = excluded.type, from_id = excluded.from_id, to_id = excluded.to_id, doc = excluded.doc',
    ),
    deleteRel: db.prepare('DELETE FROM relationships WHERE id = ?'),
    getRecord: db.prepare('SELECT doc FROM records WHERE kind = ? AND id = ?').pluck(),
    putRecord: db.prepare('INSERT INTO records (kind, id, doc) VALUES (?, ?, ?) ON CONFLICT(kind, id) DO UPDATE SET doc = excluded.doc'),
    deleteRecord: db.prepare('DELETE FROM records WHERE kind = ? AND id = ?'),
    pageRecords: db.prepare('SELECT doc FROM records WHERE kind = ? AND id > ? ORDER BY id LIMIT ?'),
    insertEvent: db.prepare(
      'INSERT INTO events (seq, at, actor, op, entity, entity_id, before, after, change_id, hash, prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    lastHash: db.prepare('SELECT hash FROM events ORDER BY seq DESC LIMIT 1'),
    pageCIs: db.prepare('SELECT doc FROM cis WHERE id > ? ORDER BY id LIMIT ?'),
    pageRels: db.prepare('SELECT doc FROM relationships WHERE id > ? ORDER BY id LIMIT ?'),
    pageCISummaries: db.prepare(PAGE_CI_SUMMARIES),
    deleteCheckpoint: db.prepare('DELETE FROM checkpoints WHERE name = ?'),
    putCheckpointPart: db.prepare('INSERT INTO checkpoints (name, part, seq, data) VALUES (?, ?, ?, ?)'),
    getCheckpoint: db.prepare('SELECT seq, data FROM checkpoints WHERE name = ? ORDER BY part'),
    pageRelationshipEnds: db.prepare(PAGE_RELATIONSHIP_ENDS),
    // Row count estimates (O(log n)) that choose where a hydration scan runs.
    maxCIRowid: db.prepare('SELECT max(rowid) AS n FROM cis'),
    maxRelRowid: db.prepare('SELECT max(rowid) AS n FROM relationships'),
    history: db.prepare('SELECT * FROM events WHERE entity = ? AND entity_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    eventsAfter: db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
  };
}

interface SummaryRow extends Omit<CISummary, 'redundancy' | 'owner'> {
  owner: string | null;
  redundancy: string;
}

function toSummary(r: SummaryRow): CISummary {
  const s: CISummary = {
    id: r.id,
    class: r.class,
    name: r.name,
    status: r.status,
    environment: r.environment,
    criticality: r.criticality,
    redundancy: r.redundancy === '[]' ? [] : JSON.parse(r.redundancy),
  };
  if (r.owner !== null) s.owner = r.owner;
  return s;
}

/**
 * The replay's view of an open write transaction. It keeps the text of the document it read last,
 * so the event's `before` reuses the stored row instead of serialising the document again (the
 * replay reads an entity right before it yields that entity's event).
 */
class TransactionState implements ReplayState {
  private lastDoc: object | undefined;
  private lastJson = '';

  constructor(private readonly st: ReturnType<typeof prepare>) {}

  getCI(id: string): CI | undefined {
    return this.read<CI>(this.st.getCI, id);
  }

  hasCI(id: string): boolean {
    return this.st.ciExists.get(id) !== undefined;
  }

  getRelationship(id: string): Relationship | undefined {
    return this.read<Relationship>(this.st.getRel, id);
  }

  getRecord(kind: string, id: string): StoredRecord | undefined {
    return this.read<StoredRecord>(this.st.getRecord, kind, id);
  }

  attachedRelationship(ciId: string): string | undefined {
    return (this.st.relsOf.get(ciId, ciId) as { id: string } | undefined)?.id;
  }

  /** The JSON of a document, reusing the row text when it is the one read last. */
  jsonOf(doc: object | null): string | null {
    if (doc === null) return null;
    return doc === this.lastDoc ? this.lastJson : JSON.stringify(doc);
  }

  private read<T extends object>(stmt: Database.Statement, ...key: string[]): T | undefined {
    const json = stmt.get(...key) as string | undefined;
    if (json === undefined) return undefined;
    const doc = JSON.parse(json) as T;
    this.lastDoc = doc;
    this.lastJson = json;
    return doc;
  }
}

function read<T>(stmt: Database.Statement, ...key: string[]): T | undefined {
  const json = stmt.get(...key) as string | undefined;
  return json === undefined ? undefined : (JSON.parse(json) as T);
}

function toEvent(r: EventRow): ChangeEvent {
  const e: ChangeEvent = {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    op: r.op,
    entity: r.entity,
    id: r.entity_id,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
  };
  if (r.change_id !== null) e.changeId = r.change_id;
  if (r.hash !== null && r.hash !== undefined) e.hash = r.hash;
  if (r.prev_hash !== null && r.prev_hash !== undefined) e.prevHash = r.prev_hash;
  return e;
}

function asStoreError(err: unknown, location: string): Error {
  if (err instanceof CmdbError) return err;
  return new StoreUnavailableError(`sqlite: write to "${location}" failed: ${(err as Error).message}`);
}
