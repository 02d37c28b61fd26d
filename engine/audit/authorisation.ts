/**
 * Changes authorise writes (DESIGN.md "Unauthorised changes"). A change authorises a CI or
 * relationship write while it is approved, scheduled or in progress, for the CIs it targets (a
 * relationship is in scope when either end is). Two uses, one definition:
 * - at write time, a batch carrying a change id is refused unless the change authorises every
 *   graph mutation in it now (`checkChangeScope`);
 * - afterwards, every CI or relationship event of a period that no change authorised at its time is
 *   listed with who, what, when and why (`unauthorisedEvents`), from the change's own transition
 *   history — so a change approved later does not retroactively cover an earlier write.
 * Pure: the caller hands the change documents and the events.
 */
import { ForbiddenError, SemanticError } from '../errors.ts';

/** States in which a change authorises writes on its targets. */
export const AUTHORISING = new Set(['approved', 'scheduled', 'in_progress']);

/** What this module reads of a change record. */
export interface ChangeDoc {
  id: string;
  state: string;
  targets: { ci: string }[];
  transitions?: { from: string; to: string; at: string }[];
}

/** The graph mutations this module checks (port.ts Mutation, narrowed). */
export type GraphMutation =
  | { op: 'upsertCI'; ci: { id: string } }
  | { op: 'deleteCI'; id: string }
  | { op: 'upsertRelationship'; relationship: { id: string; from: string; to: string } }
  | { op: 'deleteRelationship'; id: string }
  | { op: 'putRecord' | 'deleteRecord' };
type GraphWrite = Exclude<GraphMutation, { op: 'putRecord' | 'deleteRecord' }>;

/**
 * Refuses a batch carrying `changeId` unless the change exists, is approved / scheduled / in
 * progress, and targets every CI the batch writes (relationship writes: either end).
 * `endsOf` gives a deleted relationship's ends (the mirror knows them).
 */
export function checkChangeScope(
  changeId: string,
  change: ChangeDoc | undefined,
  batch: readonly GraphMutation[],
  endsOf: (relId: string) => { from: string; to: string } | undefined,
): void {
  const graph = batch.filter((m): m is GraphWrite => m.op !== 'putRecord' && m.op !== 'deleteRecord');
  if (graph.length === 0) return;
  // A change id naming nothing is bad input (422), not a refusal of an existing authority (403).
  if (!change)
    throw new SemanticError(`apply: change "${changeId}" does not exist; the write is not authorised`, {
      changeId,
      reason: 'unknown_change',
    });
  if (!AUTHORISING.has(change.state)) {
    throw new ForbiddenError(`apply: change "${changeId}" is ${change.state}; writes need it approved, scheduled or in progress`, {
      changeId,
      state: change.state,
      reason: 'change_not_authorised',
    });
  }
  const scope = new Set(change.targets.map((t) => t.ci));
  for (const m of graph) {
    const cis =
      m.op === 'upsertCI'
        ? [m.ci.id]
        : m.op === 'deleteCI'
          ? [m.id]
          : m.op === 'upsertRelationship'
            ? [m.relationship.from, m.relationship.to]
            : relEnds(m.id, endsOf);
    if (cis.some((c) => scope.has(c))) continue;
    const what =
      m.op === 'upsertCI'
        ? `CI "${m.ci.id}"`
        : m.op === 'deleteCI'
          ? `CI "${m.id}"`
          : `relationship "${m.op === 'upsertRelationship' ? m.relationship.id : m.id}"`;
    throw new ForbiddenError(
      `apply: ${what} is not in the scope of change "${changeId}" (targets: ${[...scope].slice(0, 10).join(', ') || 'none'})`,
      { changeId, cis, reason: 'out_of_scope' },
    );
  }
}

function relEnds(id: string, endsOf: (relId: string) => { from: string; to: string } | undefined): string[] {
  const e = endsOf(id);
  return e ? [e.from, e.to] : [];
}

/** Periods `[from, to)` in which the change authorised writes, from its transition history. */
export function authorisingPeriods(change: ChangeDoc): { from: string; to: string | null }[] {
  const out: { from: string; to: string | null }[] = [];
  let open: string | null = null;
  // Stryker disable next-line ArrayDeclaration: a non-transition entry has no `to` in AUTHORISING and opens nothing
  for (const t of change.transitions ?? []) {
    const inside = AUTHORISING.has(t.to);
    if (inside && open === null) open = t.at;
    else if (!inside && open !== null) {
      out.push({ from: open, to: t.at });
      open = null;
    }
  }
  if (open !== null) out.push({ from: open, to: null });
  return out;
}

export type UnauthorisedReason = 'no_change' | 'unknown_change' | 'change_not_authorised' | 'out_of_scope';

export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  op: string;
  entity: string;
  id: string;
  changeId?: string;
  before: unknown;
  after: unknown;
}

export interface UnauthorisedEvent {
  seq: number;
  at: string;
  actor: string;
  op: string;
  entity: string;
  id: string;
  changeId: string | null;
  reason: UnauthorisedReason;
  message: string;
}

/** The CIs an event touches: the CI, or both ends of the relationship (before or after). */
function touched(e: AuditEvent): string[] {
  if (e.entity === 'ci') return [e.id];
  const r = (e.after ?? e.before) as { from?: string; to?: string } | null;
  // Stryker disable next-line ArrayDeclaration: a made-up CI id is in no change's targets either, so the event stays out of scope
  return r && r.from && r.to ? [r.from, r.to] : [];
}

/** Every CI or relationship event among `events` that no change authorised when it was written. */
export function unauthorisedEvents(events: Iterable<AuditEvent>, changes: ReadonlyMap<string, ChangeDoc>): UnauthorisedEvent[] {
  const periods = new Map<string, { from: number; to: number }[]>();
  const periodsOf = (c: ChangeDoc) => {
    let p = periods.get(c.id);
    // Stryker disable next-line ConditionalExpression: a cache; recomputing gives the same periods
    if (!p)
      periods.set(
        c.id,
        (p = authorisingPeriods(c).map((x) => ({
          from: Date.parse(x.from),
          to: x.to === null ? Number.POSITIVE_INFINITY : Date.parse(x.to),
        }))),
      );
    return p;
  };
  const out: UnauthorisedEvent[] = [];
  for (const e of events) {
    if (e.entity !== 'ci' && e.entity !== 'relationship') continue;
    const base = { seq: e.seq, at: e.at, actor: e.actor, op: e.op, entity: e.entity, id: e.id, changeId: e.changeId ?? null };
    const what = `${e.op} of ${e.entity} "${e.id}" by ${e.actor}`;
    if (e.changeId === undefined) {
      out.push({ ...base, reason: 'no_change', message: `${what} carries no change` });
      continue;
    }
    const change = changes.get(e.changeId);
    if (!change) {
      out.push({ ...base, reason: 'unknown_change', message: `${what} names change "${e.changeId}", which does not exist` });
      continue;
    }
    const t = Date.parse(e.at);
    if (!periodsOf(change).some((p) => t >= p.from && t < p.to)) {
      out.push({
        ...base,
        reason: 'change_not_authorised',
        message: `${what} under change "${change.id}", which was not approved, scheduled or in progress then`,
      });
      continue;
    }
    const scope = new Set(change.targets.map((x) => x.ci));
    if (!touched(e).some((c) => scope.has(c)))
      out.push({ ...base, reason: 'out_of_scope', message: `${what} is outside the targets of change "${change.id}"` });
  }
  return out;
}
