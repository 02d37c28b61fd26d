/**
 * The graph as of a sequence number, folded from events (DESIGN.md: "the graph can be read as of
 * any past time"), and the attribute-by-attribute diff of two such snapshots (baselines). Pure: the
 * caller reads the events; creates, updates and deletes are replayed exactly as the log recorded
 * them (`after` is the whole new document, null for a delete), so no store logic is repeated here.
 */
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import { canonicalJson, sha256Hex } from './hash-chain.ts';

export interface Snapshot {
  seq: number;
  cis: Map<string, CI>;
  relationships: Map<string, Relationship>;
}

/** The event fields a snapshot needs (ChangeEvent has them). */
export interface SnapshotEvent {
  seq: number;
  at: string;
  entity: string;
  id: string;
  after: unknown;
}

export function emptySnapshot(): Snapshot {
  return { seq: 0, cis: new Map(), relationships: new Map() };
}

/**
 * Applies events in seq order up to and including `upTo`; returns false once an event beyond it is
 * met (the caller stops reading). Record events only advance `seq`: records are not the graph.
 */
export function applyToSnapshot(s: Snapshot, events: readonly SnapshotEvent[], upTo = Number.POSITIVE_INFINITY): boolean {
  for (const e of events) {
    if (e.seq <= s.seq) continue;
    if (e.seq > upTo) return false;
    s.seq = e.seq;
    if (e.entity === 'ci') {
      if (e.after) s.cis.set(e.id, e.after as CI);
      else s.cis.delete(e.id);
    } else if (e.entity === 'relationship') {
      if (e.after) s.relationships.set(e.id, e.after as Relationship);
      else s.relationships.delete(e.id);
    }
  }
  return true;
}

/** One attribute that differs: a top-level field (`status`) or one attribute (`attributes.serialNumber`). */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface EntityDiff {
  added: string[];
  removed: string[];
  changed: { id: string; fields: FieldChange[] }[];
}

export interface SnapshotDiff {
  from: { seq: number };
  to: { seq: number };
  cis: EntityDiff;
  relationships: EntityDiff;
}

/** Bookkeeping the store sets on every write: a changed version is not a changed CI. */
const SYSTEM = new Set(['version', 'createdAt', 'updatedAt']);

/** Field-by-field differences, `attributes` compared key by key (canonical JSON per value). */
export function fieldChanges(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const k of keys) {
    if (SYSTEM.has(k)) continue;
    if (k === 'attributes') {
      const a = (before.attributes ?? {}) as Record<string, unknown>;
      const b = (after.attributes ?? {}) as Record<string, unknown>;
      for (const ak of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        if (canonicalJson(a[ak]) !== canonicalJson(b[ak]))
          out.push({ field: `attributes.${ak}`, before: a[ak] ?? null, after: b[ak] ?? null });
      }
      continue;
    }
    if (canonicalJson(before[k]) !== canonicalJson(after[k])) out.push({ field: k, before: before[k] ?? null, after: after[k] ?? null });
  }
  return out;
}

/**
 * True only when two JSON values are the same tree: same types, same keys, equal scalars. Then
 * their canonical JSON is the same, so this can only skip work, never hide a difference; anything
 * it is unsure of (a non-finite number, `undefined` against a missing key) answers false and is
 * left to the canonical comparison. Documents are compared whole, system fields included: an
 * unchanged entity keeps its version and timestamps, so only a system-field-only write falls back.
 * Each mutant that only makes it answer false more often is equivalent (same diff, more work):
 * those are marked; the ones that make it answer true wrongly are pinned by snapshot.test.ts.
 */
// Stryker disable next-line BlockStatement: equivalent — an empty body answers undefined (falsy): every pair is compared field by field
function sameTree(a: unknown, b: unknown): boolean {
  // Stryker disable next-line StringLiteral: equivalent — '' sends objects to the scalar test, where distinct objects are not ===
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent — the variants that answer false more often (the `true` ones, which say "same" wrongly, were killed in the run before this mark)
    return a === b && (typeof a !== 'number' || Number.isFinite(a));
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameTree(a[i], b[i])) return false;
    // Stryker disable next-line BooleanLiteral: equivalent — answers false (compare field by field)
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !sameTree(x[k], y[k])) return false;
    // Stryker disable next-line UpdateOperator: equivalent — the count can then only miss 0 (answers false) unless both are empty
    n++;
  }
  // Stryker disable next-line UpdateOperator: equivalent — as above
  for (const _k in y) n--;
  return n === 0;
}

/**
 * Added, removed and changed ids from `a` to `b`. Snapshots replayed from one log hold their ids in
 * first-creation order, and a copy keeps its original's order, so the two maps are walked in step
 * and an id is looked up in the other map only where the orders part (a removal, a re-creation):
 * on a million-CI pair, a million hash lookups saved. Where they part, the id is settled by lookup
 * and remembered, so the walk over `b` skips it when it gets there.
 */
export function diffEntities<T extends object>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>): EntityDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: { id: string; fields: FieldChange[] }[] = [];
  const compare = (id: string, x: T, y: T) => {
    // Replayed snapshots share the documents of unchanged entities: one reference compare each;
    // documents of separate replays (two checkpoints) are walked once before any field is listed.
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent — the variants left only compare more pairs field by field (`true`, which skips all, was killed before this mark)
    if (y === x || sameTree(x, y)) return;
    const fields = fieldChanges(x as Record<string, unknown>, y as Record<string, unknown>);
    if (fields.length > 0) changed.push({ id, fields });
  };
  /** Ids of `b` already settled from `a`'s side, out of step. */
  const early = new Set<string>();
  const cursor = b.entries();
  let at = cursor.next();
  for (const [id, x] of a) {
    // Step `b` over what cannot be `id`: ids settled earlier, and ids `a` lacks (added).
    // The in-step walk only saves lookups: every mutant that stops it stepping settles ids by lookup
    // instead (same answer), hence the marks in this loop.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — see above
    while (!at.done && at.value[0] !== id) {
      const kb = at.value[0];
      // Stryker disable next-line ConditionalExpression: equivalent — an id left unskipped blocks the step; the final loop skips it
      if (early.delete(kb)) at = cursor.next();
      // Stryker disable next-line ConditionalExpression: equivalent — an added id left unpushed blocks the step; the final loop pushes it
      else if (!a.has(kb)) {
        added.push(kb);
        at = cursor.next();
      } else break;
    }
    // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent — without the in-step match the id is settled by lookup
    if (!at.done && at.value[0] === id) {
      compare(id, x, at.value[1]);
      at = cursor.next();
      continue;
    }
    const y = b.get(id);
    if (y === undefined) removed.push(id);
    else {
      compare(id, x, y);
      early.add(id);
    }
  }
  // Every id of `a` was settled, so what is left of `b` and was not settled early is new.
  for (; !at.done; at = cursor.next()) if (!early.delete(at.value[0])) added.push(at.value[0]);
  const byId = (p: string, q: string): number => {
    if (p < q) return -1;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — V8's sort only asks whether the answer is below 0, so 1 and 0 sort alike
    return p > q ? 1 : 0;
  };
  return { added: added.sort(byId), removed: removed.sort(byId), changed: changed.sort((p, q) => byId(p.id, q.id)) };
}

/** What changed from `a` to `b`: whole graph, every hop, no cap. */
export function diffSnapshots(a: Snapshot, b: Snapshot): SnapshotDiff {
  return {
    from: { seq: a.seq },
    to: { seq: b.seq },
    cis: diffEntities(a.cis, b.cis),
    relationships: diffEntities(a.relationships, b.relationships),
  };
}

/**
 * SHA-256 of a snapshot's client content (system fields left out), in id order: a baseline records
 * it, so a later replay of the (hash-chained) log can prove it rebuilt the same graph.
 */
export function snapshotHash(s: Snapshot): string {
  const strip = (doc: object) => {
    const { version: _v, createdAt: _c, updatedAt: _u, ...rest } = doc as Record<string, unknown>;
    return rest;
  };
  const h = (m: ReadonlyMap<string, object>) => [...m.keys()].sort().map((id) => canonicalJson(strip(m.get(id)!)));
  return sha256Hex(`${h(s.cis).join('\n')}\n--\n${h(s.relationships).join('\n')}`);
}
