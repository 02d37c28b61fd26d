/**
 * The store port (DESIGN.md "Stores"): one narrow interface, two adapters (SqliteStore,
 * Neo4jStore), one contract suite (test/store-contract.test.ts) proving both behave the same.
 *
 * Semantics every adapter must keep (the batch semantics are written once, in replay.ts, which
 * both adapters run):
 * - `apply` is atomic: every mutation of the batch commits, with its events, or none does.
 * - Optimistic concurrency: a mutation with `expectedVersion` fails with ConflictError when the
 *   stored version differs (`expectedVersion: 0` means "must not exist yet"); nothing is written.
 * - An upsert whose client fields equal the stored ones is a no-op: no event, no version bump
 *   (so re-importing a file is idempotent).
 * - Versions start at 1 and are bumped on every write; `createdAt` is kept across updates.
 * - Every committed change appends one event with a fresh, strictly increasing `seq`.
 * - A relationship's endpoints must exist (in the store or earlier in the batch), and a CI cannot
 *   be deleted while relationships still reference it: both are SemanticError.
 * - A store that cannot be reached or fails mid-write raises StoreUnavailableError.
 */
import type { CI, CIData } from '../model/ci.ts';
import type { Relationship, RelationshipData } from '../model/relationship.ts';

/**
 * Graph entities are `ci` and `relationship`; records (changes, incidents, tokens …) use their
 * record kind as entity, so one event log accounts for everything.
 */
export type EntityKind = string;

/** Record kinds are lower_snake: they are part of keys and event entities. */
export const RECORD_KIND = /^[a-z][a-z0-9_]*$/;

/** A non-graph document (change, incident, problem, token …) stored beside the graph. */
export interface StoredRecord<T = Record<string, unknown>> {
  kind: string;
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  doc: T;
}

export type Mutation =
  | { op: 'upsertCI'; ci: CIData; expectedVersion?: number }
  | { op: 'deleteCI'; id: string; expectedVersion?: number }
  | { op: 'upsertRelationship'; relationship: RelationshipData; expectedVersion?: number }
  | { op: 'deleteRelationship'; id: string; expectedVersion?: number }
  /** Records share the batch, so e.g. a change's approval and a CI update commit together. */
  | { op: 'putRecord'; kind: string; id: string; doc: Record<string, unknown>; expectedVersion?: number }
  | { op: 'deleteRecord'; kind: string; id: string; expectedVersion?: number };

export type EventOp = 'create' | 'update' | 'delete';

/** Status accounting: one per committed change, append-only. */
export interface ChangeEvent {
  seq: number;
  at: string;
  actor: string;
  op: EventOp;
  entity: EntityKind;
  id: string;
  before: CI | Relationship | StoredRecord | null;
  after: CI | Relationship | StoredRecord | null;
  changeId?: string;
  /**
   * Tamper evidence (engine/audit/hash-chain.ts): SHA-256 of the previous event's hash and this
   * event's canonical JSON; `prevHash` is the previous event's `hash` (64 zeros for the first).
   * Absent on events written before the chain existed.
   */
  hash?: string;
  prevHash?: string;
}

export interface WriteContext {
  actor: string;
  changeId?: string;
}

export interface ApplyOptions {
  /** Called now and then during a long batch (done mutations of total), for progress bars. */
  onProgress?: (done: number, total: number) => void;
}

export interface ApplyResult {
  /** The store's last sequence number after the batch (unchanged when the batch was all no-ops). */
  seq: number;
  /** The events written, in order; no-op upserts write none. */
  events: ChangeEvent[];
}

/** What the mirror holds of a CI: hydration reads only this, not whole documents. */
export type CISummary = Pick<CI, 'id' | 'class' | 'name' | 'status' | 'environment' | 'criticality' | 'owner' | 'redundancy'>;

/** What the mirror holds of a relationship. */
export type RelationshipEnds = Pick<Relationship, 'id' | 'type' | 'from' | 'to'>;

export interface StoreCounts {
  cis: number;
  relationships: number;
  events: number;
  records: number;
}

export interface HistoryQuery {
  /** Only events with seq > after. */
  after?: number;
  limit?: number;
}

/**
 * A replay checkpoint as the store keeps it: opaque bytes in parts, under a name (a baseline's).
 * The store neither reads nor trusts them; engine/verification/checkpoints.ts encodes them and
 * checks them against the hash the hash-chained log recorded before using them.
 */
export interface StoredCheckpoint {
  name: string;
  seq: number;
  parts: Uint8Array[];
}

export interface GraphStore {
  /** `sqlite` or `neo4j`, for messages and metrics. */
  readonly kind: string;
  /** Human-readable location (file path or Bolt URL), never with credentials. */
  readonly location: string;

  /** Creates tables / constraints / indexes when missing. Idempotent. */
  init(): Promise<void>;
  apply(batch: readonly Mutation[], ctx: WriteContext, options?: ApplyOptions): Promise<ApplyResult>;

  getCI(id: string): Promise<CI | undefined>;
  getRelationship(id: string): Promise<Relationship | undefined>;

  /** Streams every CI, in pages, ordered by id, for hydration and export. */
  streamCIs(pageSize?: number): AsyncIterable<CI[]>;
  /** Streams every relationship, in pages, ordered by id. */
  streamRelationships(pageSize?: number): AsyncIterable<Relationship[]>;
  /** Streams the mirror's view of every CI, in pages, ordered by id (hydration, checks). */
  streamCISummaries(pageSize?: number): AsyncIterable<CISummary[]>;
  /** Streams id, type and ends of every relationship, in pages, ordered by id. */
  streamRelationshipEnds(pageSize?: number): AsyncIterable<RelationshipEnds[]>;

  getRecord(kind: string, id: string): Promise<StoredRecord | undefined>;
  /** Records of one kind ordered by id, a page at a time (keyset: ids > after). */
  listRecords(kind: string, query?: { after?: string; limit?: number }): Promise<StoredRecord[]>;

  /**
   * Stores a replay checkpoint (replacing one of the same name), outside the event log: it is a
   * cache of what the log already says, so writing it appends no event and bumps no seq.
   */
  putCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  /** The checkpoint stored under `name`, its parts in order; undefined when there is none. */
  getCheckpoint(name: string): Promise<StoredCheckpoint | undefined>;

  lastSeq(): Promise<number>;
  counts(): Promise<StoreCounts>;
  /** Events of one entity, oldest first. */
  history(entity: EntityKind, id: string, query?: HistoryQuery): Promise<ChangeEvent[]>;
  /** Events of any entity after a sequence number, oldest first (mirror catch-up). */
  eventsAfter(seq: number, limit?: number): Promise<ChangeEvent[]>;

  /** Answers whether the store is reachable now (readiness). Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
