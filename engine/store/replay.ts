/**
 * The store semantics of port.ts, written once: replays a mutation batch against the current state
 * and yields the change events it produces, in order. Both adapters only read what the replay asks
 * for and write what it yields (SqliteStore straight into its open transaction, Neo4jStore into a
 * MemoryState it then writes as the net difference); the audit's as-of reads rebuild state by
 * applying stored events to a MemoryState.
 *
 * What lives here and nowhere else: optimistic version checks, idempotent no-op upserts, version
 * bumps with `createdAt` kept, endpoint checks, the refusal to delete a CI that still has
 * relationships, record-kind checks, and the construction of events (`makeEvent`: the one place a
 * per-event field such as a hash chain is added).
 *
 * Pure: no I/O, no clock (the adapter passes `at`), no module state. The generator is write-through:
 * the state must reflect an event before the generator is resumed, because a later mutation of the
 * same batch reads what an earlier one wrote.
 */
import { canonicalCI, sortKeys, type CI } from '../model/ci.ts';
import { canonicalRelationship, type Relationship } from '../model/relationship.ts';
import { ConflictError, InputError, NotFoundError, SemanticError } from '../errors.ts';
import { eventHash, type HashableEvent } from '../audit/hash-chain.ts';
import { RECORD_KIND, type ChangeEvent, type EntityKind, type Mutation, type StoredRecord, type WriteContext } from './port.ts';

/** What the replay reads: the state before the mutation at hand, earlier events of the batch included. */
export interface ReplayState {
  getCI(id: string): CI | undefined;
  hasCI(id: string): boolean;
  getRelationship(id: string): Relationship | undefined;
  getRecord(kind: string, id: string): StoredRecord | undefined;
  /** The id of some relationship that still has the CI as an end, if any. */
  attachedRelationship(ciId: string): string | undefined;
}

export interface ReplayContext extends WriteContext {
  /** The store's last sequence number before the batch; events continue from it. */
  seq: number;
  /** The batch's timestamp, shared by every event and version of the batch. */
  at: string;
  /** The hash of the store's last event (GENESIS_HASH for an empty log): events are chained to it. */
  prevHash?: string;
  /** Called with the mutation index every 5,000 mutations (progress bars). */
  onMutation?: (index: number, total: number) => void;
}

/**
 * Replays `batch` in order, yielding one event per effective change; throws the typed error of the
 * first refused mutation (the caller's transaction then rolls back).
 */
export function* replay(batch: readonly Mutation[], state: ReplayState, ctx: ReplayContext): Generator<ChangeEvent, void, undefined> {
  let seq = ctx.seq;
  let prevHash = ctx.prevHash;
  const event = (op: ChangeEvent['op'], entity: EntityKind, id: string, before: ChangeEvent['before'], after: ChangeEvent['after']) => {
    const e = makeEvent(++seq, ctx, op, entity, id, before, after);
    if (prevHash !== undefined) prevHash = chain(e, prevHash);
    return e;
  };
  const next = (before: { version: number; createdAt: string } | undefined) => ({
    version: (before?.version ?? 0) + 1,
    createdAt: before?.createdAt ?? ctx.at,
    updatedAt: ctx.at,
  });

  for (let index = 0; index < batch.length; index++) {
    const m = batch[index]!;
    if (ctx.onMutation && index % 5000 === 0) ctx.onMutation(index, batch.length);
    const where = `apply: mutation ${index} (${m.op})`;
    switch (m.op) {
      case 'upsertCI': {
        const before = state.getCI(m.ci.id);
        checkVersion(where, 'CI', m.ci.id, before?.version, m.expectedVersion);
        const data = canonicalCI(m.ci);
        if (before && JSON.stringify(canonicalCI(before)) === JSON.stringify(data)) continue;
        const after: CI = { ...data, ...next(before) };
        yield event(before ? 'update' : 'create', 'ci', after.id, before ?? null, after);
        continue;
      }
      case 'deleteCI': {
        const before = state.getCI(m.id);
        if (!before) throw new NotFoundError(`${where}: CI "${m.id}" not found`, { id: m.id });
        checkVersion(where, 'CI', m.id, before.version, m.expectedVersion);
        const attached = state.attachedRelationship(m.id);
        if (attached !== undefined) {
          throw new SemanticError(`${where}: CI "${m.id}" still has relationships (e.g. "${attached}"); delete them first`, {
            id: m.id,
            relationship: attached,
          });
        }
        yield event('delete', 'ci', m.id, before, null);
        continue;
      }
      case 'upsertRelationship': {
        const r = m.relationship;
        const before = state.getRelationship(r.id);
        checkVersion(where, 'relationship', r.id, before?.version, m.expectedVersion);
        for (const end of [r.from, r.to]) {
          if (!state.hasCI(end)) {
            throw new SemanticError(`${where}: relationship "${r.id}" references missing CI "${end}"`, {
              id: r.id,
              path: [end === r.from ? 'from' : 'to'],
              value: end,
            });
          }
        }
        const data = canonicalRelationship(r);
        if (before && JSON.stringify(canonicalRelationship(before)) === JSON.stringify(data)) continue;
        const after: Relationship = { ...data, ...next(before) };
        yield event(before ? 'update' : 'create', 'relationship', after.id, before ?? null, after);
        continue;
      }
      case 'deleteRelationship': {
        const before = state.getRelationship(m.id);
        if (!before) throw new NotFoundError(`${where}: relationship "${m.id}" not found`, { id: m.id });
        checkVersion(where, 'relationship', m.id, before.version, m.expectedVersion);
        yield event('delete', 'relationship', m.id, before, null);
        continue;
      }
      case 'putRecord': {
        checkRecordKind(where, m.kind);
        const before = state.getRecord(m.kind, m.id);
        checkVersion(where, m.kind, m.id, before?.version, m.expectedVersion);
        const doc = sortKeys(m.doc);
        if (before && JSON.stringify(sortKeys(before.doc)) === JSON.stringify(doc)) continue;
        const after: StoredRecord = { kind: m.kind, id: m.id, ...next(before), doc };
        yield event(before ? 'update' : 'create', m.kind, m.id, before ?? null, after);
        continue;
      }
      case 'deleteRecord': {
        checkRecordKind(where, m.kind);
        const before = state.getRecord(m.kind, m.id);
        if (!before) throw new NotFoundError(`${where}: ${m.kind} "${m.id}" not found`, { kind: m.kind, id: m.id });
        checkVersion(where, m.kind, m.id, before.version, m.expectedVersion);
        yield event('delete', m.kind, m.id, before, null);
        continue;
      }
      default: {
        // The types make this unreachable; code that bypasses them (a hand-built batch, a stray
        // string in a record service's `extra`) must fail loudly rather than write a partial batch.
        const op: unknown = (m as { op?: unknown }).op;
        throw new InputError(`apply: mutation ${index}: unknown op ${JSON.stringify(op) ?? String(op)}`, [
          { path: [index, 'op'], code: 'invalid_value', message: 'unknown mutation op' },
        ]);
      }
    }
  }
  ctx.onMutation?.(batch.length, batch.length);
}

/** The one constructor of change events: every event of every store is built here. */
export function makeEvent(
  seq: number,
  ctx: WriteContext & { at: string },
  op: ChangeEvent['op'],
  entity: EntityKind,
  id: string,
  before: ChangeEvent['before'],
  after: ChangeEvent['after'],
): ChangeEvent {
  const e: ChangeEvent = { seq, at: ctx.at, actor: ctx.actor, op, entity, id, before, after };
  if (ctx.changeId !== undefined) e.changeId = ctx.changeId;
  return e;
}

/** Links an event into the hash chain (engine/audit/hash-chain.ts); returns its hash. */
export function chain(e: ChangeEvent, prevHash: string): string {
  e.prevHash = prevHash;
  e.hash = eventHash(e as unknown as HashableEvent, prevHash);
  return e.hash;
}

/** `expectedVersion: 0` means "must not exist yet"; undefined means "don't check". */
export function checkVersion(where: string, kind: string, id: string, stored: number | undefined, expected: number | undefined): void {
  if (expected === undefined) return;
  const actual = stored ?? 0;
  if (actual !== expected) {
    const message =
      expected === 0
        ? `${where}: ${kind} "${id}" already exists (version ${actual})`
        : stored === undefined
          ? `${where}: ${kind} "${id}" not found (expected version ${expected})`
          : `${where}: ${kind} "${id}" is at version ${actual}, not ${expected}`;
    throw new ConflictError(message, { id, expectedVersion: expected, actualVersion: actual });
  }
}

/** Record kinds are lower_snake and never a graph entity name (they share the event log's `entity`). */
export function checkRecordKind(where: string, kind: string): void {
  if (typeof kind !== 'string' || !RECORD_KIND.test(kind) || kind === 'ci' || kind === 'relationship') {
    throw new InputError(`${where}: "${kind}" is not a valid record kind (lower_snake, not ci or relationship)`, [
      { path: ['kind'], code: 'invalid_format', message: 'invalid record kind' },
    ]);
  }
}

/** Which kind of document an event is about. */
export function entityOf(e: Pick<ChangeEvent, 'entity'>): 'ci' | 'relationship' | 'record' {
  return e.entity === 'ci' ? 'ci' : e.entity === 'relationship' ? 'relationship' : 'record';
}

export function recordKey(kind: string, id: string): string {
  return `${kind}\u0000${id}`;
}

/**
 * State held in memory: a snapshot (what a store read for the batch, or nothing) plus the events
 * applied since. Neo4jStore replays a batch against it; the audit rebuilds past states with it.
 *
 * Attachments (which relationships reference a CI) are indexed only for the CIs named in
 * `watch` (`'all'` for every CI): a batch only asks about the CIs it deletes, and indexing every
 * relationship of a bulk import would cost memory for nothing.
 */
export class MemoryState implements ReplayState {
  readonly cis = new Map<string, CI>();
  readonly relationships = new Map<string, Relationship>();
  /** Keyed by `recordKey(kind, id)`. */
  readonly records = new Map<string, StoredRecord>();
  private readonly attached = new Map<string, Set<string>>();
  private readonly watchAll: boolean;

  // Stryker disable next-line ArrayDeclaration: equivalent: a default watch list naming some CI only indexes a CI that no caller of the default asks about
  constructor(watch: 'all' | Iterable<string> = []) {
    this.watchAll = watch === 'all';
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent: iterating 'all' only adds empty sets for CIs "a" and "l", and with every CI watched an empty set answers as no set does
    if (watch !== 'all') for (const id of watch) this.attached.set(id, new Set());
  }

  getCI(id: string): CI | undefined {
    return this.cis.get(id);
  }

  hasCI(id: string): boolean {
    return this.cis.has(id);
  }

  getRelationship(id: string): Relationship | undefined {
    return this.relationships.get(id);
  }

  getRecord(kind: string, id: string): StoredRecord | undefined {
    return this.records.get(recordKey(kind, id));
  }

  attachedRelationship(ciId: string): string | undefined {
    const set = this.attached.get(ciId);
    if (!set && !this.watchAll) throw new Error(`MemoryState: attachments of CI "${ciId}" are not indexed`);
    return set?.values().next().value;
  }

  /** Loads a stored document into the snapshot (before any event is applied). */
  loadCI(ci: CI): void {
    this.cis.set(ci.id, ci);
  }

  loadRelationship(r: Relationship): void {
    this.relationships.set(r.id, r);
    this.link(r, true);
  }

  loadRecord(r: StoredRecord): void {
    this.records.set(recordKey(r.kind, r.id), r);
  }

  /** Applies one event: its `after` replaces the document, or the document goes when `after` is null. */
  apply(e: ChangeEvent): void {
    switch (entityOf(e)) {
      case 'ci':
        if (e.after) this.cis.set(e.id, e.after as CI);
        else this.cis.delete(e.id);
        return;
      case 'relationship': {
        const before = this.relationships.get(e.id);
        if (before) this.link(before, false);
        if (e.after) {
          const r = e.after as Relationship;
          this.relationships.set(e.id, r);
          this.link(r, true);
        } else this.relationships.delete(e.id);
        return;
      }
      case 'record': {
        const key = recordKey(e.entity, e.id);
        if (e.after) this.records.set(key, e.after as StoredRecord);
        else this.records.delete(key);
        return;
      }
    }
  }

  private link(r: Relationship, add: boolean): void {
    for (const end of [r.from, r.to]) {
      let set = this.attached.get(end);
      if (!set) {
        if (!this.watchAll) continue;
        set = new Set();
        this.attached.set(end, set);
      }
      if (add) set.add(r.id);
      else set.delete(r.id);
    }
  }
}
