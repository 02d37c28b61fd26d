/**
 * ChangeService: the change-management use cases the HTTP API and the CLI share. Reads come from
 * the store (records) and the mirror (graph); every write is one `cmdb.apply` batch of `putRecord`
 * mutations, with the principal as actor and the change id as `changeId`, and optimistic
 * concurrency on the version read (so two CAB members voting at once cannot lose a vote).
 *
 * The route table checks each caller's permission; what a permission cannot say lives here:
 * which roles vote at a change's risk level, and separation of duties (policy
 * `separationOfDuties`): the requester is the caller, never a body field, and may not approve;
 * one vote per principal; an approver does not implement.
 */
import type { Cmdb } from '../cmdb.ts';
import { ConflictError, ForbiddenError, SemanticError } from '../errors.ts';
import { type ImpactIndex } from '../impact/index.ts';
import { defaultPolicy, levelRank, type Policy } from '../policy/policy.ts';
import { Records, SEQUENCE_KIND } from '../records/index.ts';
import type { ChangeEvent, StoredRecord, WriteContext } from '../store/port.ts';
import { quorum, votingRoles } from './approvals.ts';
import { assessChange, changeConflicts, changeImpact } from './assessment.ts';
import {
  CHANGE_KIND,
  FREEZE_KIND,
  IncidentLike,
  MAINTENANCE_KIND,
  PATCHABLE_AFTER_DRAFT,
  ProblemLike,
  type ApprovalInput,
  type Assessment,
  type ChangeCreate,
  type ChangeDoc,
  type ChangeListQuery,
  type ChangePatch,
  type ChangeState,
  type ChangeTarget,
  type ChangeView,
  type Conflict,
  type FreezeOverride,
  type FrozenAssessment,
  type Principal,
  type TransitionInput,
  type WindowDoc,
  type WindowInput,
  type WindowKind,
  type WindowListQuery,
} from './model.ts';
import { checkTransition, IMPLEMENTATION_OUTCOME } from './states.ts';

export interface ChangeServiceDeps {
  cmdb: Cmdb;
  policy?: Policy;
  now?: () => Date;
}

export interface AssessmentView {
  id: string;
  state: ChangeState;
  version: number;
  assessment: Assessment;
  frozen: FrozenAssessment | null;
}

/** Record kind of the id counters (kept here for existing importers; engine/records owns it). */
export { SEQUENCE_KIND };

export class ChangeService {
  readonly cmdb: Cmdb;
  readonly policy: Policy;
  readonly now: () => Date;
  /** The change records (kind `change`, ids `CHG-000123`). */
  readonly records: Records;
  private readonly windows: Record<WindowKind, Records>;
  private readonly incidents: Records;
  private readonly problems: Records;
  constructor({ cmdb, policy, now }: ChangeServiceDeps) {
    this.cmdb = cmdb;
    this.policy = policy ?? defaultPolicy();
    this.now = now ?? (() => new Date());
    this.records = new Records(cmdb, CHANGE_KIND, 'CHG');
    this.windows = { freeze: new Records(cmdb, FREEZE_KIND, 'FRZ'), maintenance: new Records(cmdb, MAINTENANCE_KIND, 'MW') };
    // Read loosely (readLoose): these kinds belong to the ITSM services.
    this.incidents = new Records(cmdb, 'incident', 'INC');
    this.problems = new Records(cmdb, 'problem', 'PRB');
  }

  /** The CMDB's shared impact index, current with the mirror. */
  impactSource(): ImpactIndex {
    return this.cmdb.impactIndex();
  }

  // ---- reads -------------------------------------------------------------------------------

  async get(id: string): Promise<ChangeView> {
    return toView(await this.load(id));
  }

  async list(query: ChangeListQuery): Promise<{ items: ChangeView[]; next: string | null }> {
    return this.records.list(
      query,
      toView,
      (v) =>
        (query.state === undefined || v.state === query.state) &&
        (query.type === undefined || v.type === query.type) &&
        (query.ci === undefined || v.targets.some((t) => t.ci === query.ci)),
    );
  }

  /** The change's event history (status accounting), oldest first. */
  async history(id: string): Promise<ChangeEvent[]> {
    await this.load(id);
    return this.cmdb.store.history(CHANGE_KIND, id);
  }

  /** A fresh assessment on the current graph (not stored) beside the frozen one. */
  async assessment(id: string): Promise<AssessmentView> {
    const rec = await this.load(id);
    const doc = docOf(rec);
    return { id, state: doc.state, version: rec.version, assessment: await this.computeAssessment(doc), frozen: doc.frozenAssessment };
  }

  /** Recomputes and stores the assessment (state unchanged). The frozen assessment is never touched. */
  async reassess(id: string, principal: Principal, expectedVersion?: number): Promise<AssessmentView> {
    this.checkWrite(principal, 'assess');
    const rec = await this.load(id, expectedVersion);
    const doc = docOf(rec);
    if (doc.state === 'draft' || doc.state === 'closed' || doc.state === 'cancelled') {
      throw new ConflictError(`assess: ${id} is ${doc.state}; assessments are made from submission until closure`, {
        id,
        state: doc.state,
      });
    }
    const assessment = await this.computeAssessment(doc);
    const saved = await this.write(rec, { ...doc, assessment }, principal);
    return { id, state: saved.state, version: saved.version, assessment, frozen: saved.frozenAssessment };
  }

  /** Conflicts with approved / scheduled / in-progress changes on the current graph. */
  async conflicts(id: string): Promise<Conflict[]> {
    const doc = docOf(await this.load(id));
    const source = this.impactSource();
    const impact = changeImpact(source, this.cmdb.registry, doc.targets, 'conflicts');
    return changeConflicts(doc, impact, { source, registry: this.cmdb.registry, policy: this.policy, changes: await this.allChanges() });
  }

  // ---- writes ------------------------------------------------------------------------------

  async create(input: ChangeCreate, principal: Principal): Promise<ChangeView> {
    this.checkWrite(principal, 'create change');
    this.checkTargets(input.targets, 'create change');
    const doc: Omit<ChangeDoc, 'id'> = {
      type: input.type,
      title: input.title,
      description: input.description,
      targets: input.targets,
      window: input.window ?? null,
      implementationPlan: input.implementationPlan,
      backoutPlan: input.backoutPlan,
      // Separation of duties rests on this: the requester is who asked, never what a body says.
      requester: principal.name,
      assignee: input.assignee ?? null,
      state: 'draft',
      approvals: [],
      transitions: [],
      assessment: null,
      frozenAssessment: null,
      freezeOverride: null,
      outcome: null,
      review: null,
    };
    const rec = await this.records.create(
      (id) => ctxOf(principal, id),
      (id) => ({ id, ...doc }),
    );
    return toView(rec);
  }

  /** Edits a change. In `draft` every field; later only fields that do not change what it does. */
  async update(id: string, patch: ChangePatch, principal: Principal, expectedVersion?: number): Promise<ChangeView> {
    this.checkWrite(principal, 'update change');
    const rec = await this.load(id, expectedVersion);
    const doc = docOf(rec);
    const fields = Object.keys(patch).filter((k) => patch[k as keyof ChangePatch] !== undefined);
    const allowed: readonly string[] =
      doc.state === 'draft' ? Object.keys(patch) : doc.state === 'closed' || doc.state === 'cancelled' ? [] : PATCHABLE_AFTER_DRAFT;
    const refused = fields.filter((f) => !allowed.includes(f));
    if (refused.length > 0) {
      throw new ConflictError(`update change: ${id} is ${doc.state}; ${refused.join(', ')} can only change in draft`, {
        id,
        state: doc.state,
        fields: refused,
        editable: [...allowed],
      });
    }
    if (patch.targets) this.checkTargets(patch.targets, 'update change');
    const next: ChangeDoc = { ...doc };
    if (patch.type !== undefined) next.type = patch.type;
    if (patch.title !== undefined) next.title = patch.title;
    if (patch.description !== undefined) next.description = patch.description;
    if (patch.targets !== undefined) next.targets = patch.targets;
    if (patch.window !== undefined) next.window = patch.window;
    if (patch.implementationPlan !== undefined) next.implementationPlan = patch.implementationPlan;
    if (patch.backoutPlan !== undefined) next.backoutPlan = patch.backoutPlan;
    if (patch.assignee !== undefined) next.assignee = patch.assignee;
    return this.write(rec, next, principal);
  }

  async transition(id: string, input: TransitionInput, principal: Principal, expectedVersion?: number): Promise<ChangeView> {
    const rec = await this.load(id, expectedVersion);
    const doc = docOf(rec);
    checkTransition(id, doc.state, input.to);
    if (input.to === 'rejected') {
      return this.castVote(rec, { decision: 'reject', reason: input.reason ?? '' }, principal);
    }
    this.checkWrite(principal, `change transition to ${input.to}`);
    if (IMPLEMENTATION_STEPS.has(input.to)) this.checkImplementer(doc, principal, `change transition to ${input.to}`);
    const at = this.now().toISOString();
    let next: ChangeDoc = { ...doc };
    switch (input.to) {
      case 'submitted':
        this.checkComplete(doc);
        break;
      case 'assessed':
        next.assessment = await this.computeAssessment(doc);
        break;
      case 'approved':
        next = await this.approve(doc, principal, input.reason, at);
        break;
      case 'draft':
        // Rework after rejection: the votes and the assessment were about the old plan.
        next.approvals = [];
        next.assessment = null;
        break;
      case 'implemented':
      case 'failed':
      case 'rolled_back':
        next.outcome = IMPLEMENTATION_OUTCOME[input.to];
        break;
      case 'reviewed':
        next.review = {
          outcome: input.review?.outcome ?? doc.outcome ?? 'successful',
          notes: input.review?.notes ?? input.reason ?? '',
          by: principal.name,
          at,
        };
        break;
      default:
        break;
    }
    next.state = input.to;
    next.transitions = [...doc.transitions, transitionRecord(doc.state, input.to, principal.name, at, input.reason)];
    return this.write(rec, next, principal);
  }

  /** A CAB vote. Quorum reached → approved (assessment frozen); a rejection → rejected. */
  async vote(id: string, input: ApprovalInput, principal: Principal, expectedVersion?: number): Promise<ChangeView> {
    return this.castVote(await this.load(id, expectedVersion), input, principal);
  }

  /** Post-implementation review: `reviewed` with its outcome, which feeds later failure rates. */
  async review(id: string, review: { outcome?: ChangeDoc['outcome']; notes?: string }, principal: Principal): Promise<ChangeView> {
    return this.transition(id, { to: 'reviewed', review: { outcome: review.outcome ?? undefined, notes: review.notes ?? '' } }, principal);
  }

  async createWindow(kind: WindowKind, input: WindowInput, principal: Principal): Promise<WindowDoc> {
    const op = `create ${kind} window`;
    if (!this.policy.roles.windows.includes(principal.role as never)) {
      throw new ForbiddenError(
        `${op}: role "${principal.role}" may not create windows (allowed: ${this.policy.roles.windows.join(', ')})`,
        { role: principal.role, allowed: this.policy.roles.windows },
      );
    }
    const g = this.cmdb.mirror.graph;
    for (const [field, ids] of [
      ['services', input.scope.services],
      ['cis', input.scope.cis],
    ] as const) {
      ids.forEach((ci, i) => {
        if (!g.hasNode(ci)) throw new SemanticError(`${op}: CI "${ci}" not found`, { path: ['scope', field, i], value: ci });
      });
    }
    const rec = await this.windows[kind].create({ actor: principal.name }, (id) => ({
      id,
      kind,
      name: input.name,
      start: input.start,
      end: input.end,
      scope: input.scope,
      reason: input.reason,
      createdBy: principal.name,
    }));
    return rec.doc as unknown as WindowDoc;
  }

  async listWindows(kind: WindowKind, query: WindowListQuery = {}): Promise<WindowDoc[]> {
    const docs = (await this.windows[kind].all()).map((r) => r.doc as unknown as WindowDoc);
    return query.from === undefined ? docs : docs.filter((w) => w.end > query.from!);
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * Gathers everything an assessment reads and computes it on the mirror as it is now. `exclude`:
   * changes not to compare with (default: the change itself; a release passes its own changes).
   */
  async computeAssessment(doc: ChangeDoc, exclude: ReadonlySet<string> = new Set([doc.id])): Promise<Assessment> {
    const [changes, freezes, maintenance, incidents, problems] = await Promise.all([
      this.allChanges(),
      this.listWindows('freeze'),
      this.listWindows('maintenance'),
      this.readLoose(this.incidents, IncidentLike),
      this.readLoose(this.problems, ProblemLike),
    ]);
    // Read the mirror after the awaits, so `seq` is the state the blast radius is computed on.
    const source = this.impactSource();
    return assessChange(doc, {
      source,
      registry: this.cmdb.registry,
      policy: this.policy,
      seq: this.cmdb.seq,
      now: this.now(),
      changes: changes.filter((c) => !exclude.has(c.id) && c.id !== doc.id),
      freezes,
      maintenance,
      incidents,
      problems,
    });
  }

  private async castVote(rec: StoredRecord, input: ApprovalInput, principal: Principal): Promise<ChangeView> {
    const doc = docOf(rec);
    const op = `${input.decision} ${doc.id}`;
    if (doc.state !== 'cab_review') {
      throw new ConflictError(`${op}: votes are taken in cab_review, and the change is ${doc.state}`, { id: doc.id, state: doc.state });
    }
    if (this.policy.separationOfDuties.requesterCannotApprove && principal.name === doc.requester) {
      throw new ForbiddenError(`${op}: ${principal.name} requested this change and may not vote on it (separation of duties)`, {
        id: doc.id,
        by: principal.name,
        rule: 'requesterCannotApprove',
      });
    }
    const assessment = doc.assessment!;
    const roles = votingRoles(assessment.approvalsRequired);
    if (!roles.includes(principal.role)) {
      throw new ForbiddenError(
        `${op}: role "${principal.role}" cannot vote on a ${assessment.risk.level}-risk change (voting roles: ${roles.join(', ') || 'none'})`,
        {
          id: doc.id,
          role: principal.role,
          level: assessment.risk.level,
          roles,
        },
      );
    }
    if (input.decision === 'reject' && input.reason.trim() === '') {
      throw new SemanticError(`${op}: a rejection needs a reason`, { path: ['reason'] });
    }
    const earlier = doc.approvals.find((a) => a.by === principal.name);
    if (earlier) {
      // One vote per user: the same vote again counts once; changing it is refused.
      if (earlier.decision === input.decision) return toView(rec);
      throw new ConflictError(`${op}: ${principal.name} already voted ${earlier.decision}`, {
        id: doc.id,
        by: principal.name,
        decision: earlier.decision,
      });
    }
    const at = this.now().toISOString();
    let next: ChangeDoc = {
      ...doc,
      approvals: [...doc.approvals, { by: principal.name, role: principal.role, decision: input.decision, reason: input.reason, at }],
    };
    if (input.decision === 'reject') {
      next.state = 'rejected';
      next.transitions = [...doc.transitions, transitionRecord(doc.state, 'rejected', principal.name, at, input.reason)];
    } else if (quorum(next.approvals, assessment.approvalsRequired).met) {
      // The quorum was reached on the stored assessment; re-check on the graph as it is now.
      const fresh = await this.computeAssessment(next);
      if (quorum(next.approvals, fresh.approvalsRequired).met) {
        next = await this.approve({ ...next, assessment: fresh }, principal, input.reason, at, fresh);
        next.state = 'approved';
        next.transitions = [
          ...doc.transitions,
          transitionRecord(doc.state, 'approved', principal.name, at, `quorum reached (${describeTally(next)})`),
        ];
      } else {
        // The risk rose since the CAB started: more approvals are needed, the vote still counts.
        next.assessment = fresh;
      }
    }
    return this.write(rec, next, principal);
  }

  /**
   * The guards of `→ approved`, and what approving does: the quorum (or a CAB shortcut) must hold
   * on a fresh assessment, a freeze blocks all but emergency changes (whose override is recorded),
   * and the assessment is frozen into the change with the seq it was computed on.
   */
  private async approve(
    doc: ChangeDoc,
    principal: Principal,
    reason: string | undefined,
    at: string,
    computed?: Assessment,
  ): Promise<ChangeDoc> {
    const op = `approve ${doc.id}`;
    const assessment = computed ?? (await this.computeAssessment(doc));
    const required = assessment.approvalsRequired;
    const level = assessment.risk.level;
    if (doc.state === 'assessed') {
      const skip = this.policy.standardChange.skipCabUpTo;
      const standardOk = doc.type === 'standard' && skip !== null && levelRank(level) <= levelRank(skip);
      if (required.length > 0 && !standardOk) {
        throw new ConflictError(
          `${op}: a ${level}-risk ${doc.type} change needs CAB review (${required.map((r) => `${r.count} ${r.role}`).join(' + ')})`,
          {
            id: doc.id,
            level,
            required,
            allowed: ['cab_review', 'cancelled'],
          },
        );
      }
      // Approving from `assessed` (no CAB needed) is an approval by the caller, so not by the
      // requester — unless it is a standard change within its pre-approved level.
      if (this.policy.separationOfDuties.requesterCannotApprove && principal.name === doc.requester && !standardOk) {
        throw new ForbiddenError(`${op}: ${principal.name} requested this change and may not approve it (separation of duties)`, {
          id: doc.id,
          by: principal.name,
          rule: 'requesterCannotApprove',
        });
      }
    } else {
      const q = quorum(doc.approvals, required);
      if (!q.met) {
        throw new ConflictError(
          `${op}: quorum not reached for a ${level}-risk change (${q.tally.map((t) => `${t.have}/${t.count} ${t.role}`).join(', ')})`,
          { id: doc.id, level, tally: q.tally },
        );
      }
    }
    let freezeOverride: FreezeOverride | null = doc.freezeOverride;
    if (assessment.freezes.length > 0) {
      const windows = assessment.freezes.map((f) => f.window);
      if (doc.type !== 'emergency') {
        throw new ConflictError(`${op}: blocked by freeze window ${windows.join(', ')}; only emergency changes may pass a freeze`, {
          id: doc.id,
          freezes: assessment.freezes,
        });
      }
      freezeOverride = {
        windows,
        by: principal.name,
        at,
        reason: reason && reason.trim() !== '' ? reason : 'emergency change approved during a freeze',
      };
    }
    return { ...doc, assessment, frozenAssessment: { frozenAt: at, frozenBy: principal.name, assessment }, freezeOverride };
  }

  private checkWrite(principal: Principal, op: string): void {
    if (!this.policy.roles.write.includes(principal.role as never)) {
      throw new ForbiddenError(`${op}: role "${principal.role}" may not change changes (allowed: ${this.policy.roles.write.join(', ')})`, {
        role: principal.role,
        allowed: this.policy.roles.write,
      });
    }
  }

  /** `implementerNotApprover`: who approved a change (a vote, or approving it without CAB) does not implement it. */
  private checkImplementer(doc: ChangeDoc, principal: Principal, op: string): void {
    if (!this.policy.separationOfDuties.implementerNotApprover) return;
    if (approversOf(doc).has(principal.name)) {
      throw new ForbiddenError(`${op}: ${principal.name} approved ${doc.id} and may not implement it (separation of duties)`, {
        id: doc.id,
        by: principal.name,
        rule: 'implementerNotApprover',
      });
    }
  }

  private checkTargets(targets: readonly ChangeTarget[], op: string): void {
    const g = this.cmdb.mirror.graph;
    targets.forEach((t, i) => {
      if (!g.hasNode(t.ci)) throw new SemanticError(`${op}: target CI "${t.ci}" not found`, { path: ['targets', i, 'ci'], value: t.ci });
    });
  }

  /** What a change needs before the CAB can look at it. */
  private checkComplete(doc: ChangeDoc): void {
    const missing: { path: string[]; code: string; message: string }[] = [];
    if (doc.targets.length === 0) missing.push({ path: ['targets'], code: 'missing', message: 'at least one target CI' });
    if (doc.window === null) missing.push({ path: ['window'], code: 'missing', message: 'a planned window' });
    if (doc.implementationPlan.trim() === '')
      missing.push({ path: ['implementationPlan'], code: 'missing', message: 'an implementation plan' });
    if (doc.backoutPlan.trim() === '') missing.push({ path: ['backoutPlan'], code: 'missing', message: 'a back-out plan' });
    if (missing.length > 0) {
      throw new SemanticError(`submit ${doc.id}: the change needs ${missing.map((m) => m.message).join(', ')}`, missing);
    }
    this.checkTargets(doc.targets, `submit ${doc.id}`);
  }

  private load(id: string, expectedVersion?: number): Promise<StoredRecord> {
    return this.records.load(id, { op: 'change', expectedVersion, named: false });
  }

  /** Writes the new document over the version read; a concurrent writer makes this a ConflictError. */
  private async write(rec: StoredRecord, doc: ChangeDoc, principal: Principal): Promise<ChangeView> {
    return toView(await this.records.write(rec, doc as unknown as Record<string, unknown>, ctxOf(principal, rec.id)));
  }

  async allChanges(): Promise<ChangeDoc[]> {
    return (await this.records.all()).map(docOf);
  }

  /** Records owned by other modules (incidents, problems): unreadable ones are skipped, not fatal. */
  private async readLoose<T>(
    records: Records,
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  ): Promise<T[]> {
    const out: T[] = [];
    for (const rec of await records.all()) {
      const parsed = schema.safeParse({ id: rec.id, ...rec.doc });
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }
}

/** The states an implementer moves a change to. */
const IMPLEMENTATION_STEPS: ReadonlySet<ChangeState> = new Set(['in_progress', 'implemented', 'failed', 'rolled_back']);

/**
 * Who approved a change: its approving voters, and whoever froze the assessment when that was an
 * approval by a person (a standard change's pre-approval names nobody).
 */
export function approversOf(doc: ChangeDoc): Set<string> {
  const out = new Set(doc.approvals.filter((a) => a.decision === 'approve').map((a) => a.by));
  if (doc.frozenAssessment && doc.type !== 'standard') out.add(doc.frozenAssessment.frozenBy);
  return out;
}

function ctxOf(principal: Principal, changeId: string): WriteContext {
  return { actor: principal.name, changeId };
}

function transitionRecord(from: ChangeState, to: ChangeState, by: string, at: string, reason: string | undefined) {
  return reason === undefined || reason === '' ? { from, to, by, at } : { from, to, by, at, reason };
}

function describeTally(doc: ChangeDoc): string {
  const a = doc.assessment!;
  return (
    quorum(doc.approvals, a.approvalsRequired)
      .tally.map((t) => `${t.have}/${t.count} ${t.role}`)
      .join(', ') || `no approvals needed at ${a.risk.level} risk`
  );
}

/** Stored documents are written only by this service, after validation. */
export function docOf(rec: StoredRecord): ChangeDoc {
  return rec.doc as unknown as ChangeDoc;
}

export function toView(rec: StoredRecord): ChangeView {
  return { ...docOf(rec), version: rec.version, createdAt: rec.createdAt, updatedAt: rec.updatedAt };
}
