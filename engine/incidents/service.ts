/**
 * IncidentService: the incident use cases the HTTP API and the CLI share. Reads come from the
 * store (records) and the mirror (graph); every write is one `cmdb.apply` batch, with the caller as
 * actor, and optimistic concurrency on the version read. Every transition is an update event of the
 * incident record (status accounting), and is also kept in the document's `transitions`.
 *
 * Known errors: logging an incident (or changing its CIs) looks for problems in `known_error` whose
 * root cause is one of the incident's CIs or one of their transitive providers, and attaches their
 * workarounds (`knownErrors`).
 */
import type { Cmdb } from '../cmdb.ts';
import { ConflictError, InputError, NotFoundError } from '../errors.ts';
import { dependencies, type ImpactIndex } from '../impact/index.ts';
import { PROBLEM_KIND, type ProblemDoc } from '../problems/model.ts';
import {
  INCIDENT_KIND,
  OPEN_STATES,
  type IncidentCreate,
  type IncidentDoc,
  type IncidentListQuery,
  type IncidentPatch,
  type IncidentTransitionInput,
  type IncidentView,
  type KnownErrorOffer,
} from './model.ts';
import { ITIL_MATRIX, priorityOf, type PriorityMatrix } from './priority.ts';
import { Records, viewOf } from '../records/index.ts';
import { checkTransition } from './states.ts';

export interface Principal {
  name: string;
  role: string;
}

export interface IncidentServiceDeps {
  cmdb: Cmdb;
  matrix?: PriorityMatrix;
  now?: () => Date;
}

export class IncidentService {
  readonly cmdb: Cmdb;
  readonly matrix: PriorityMatrix;
  readonly now: () => Date;
  /** The incident records (kind `incident`, ids `INC-000123`). */
  readonly records: Records;
  private readonly problems: Records;

  constructor({ cmdb, matrix, now }: IncidentServiceDeps) {
    this.cmdb = cmdb;
    this.matrix = matrix ?? ITIL_MATRIX;
    this.now = now ?? (() => new Date());
    this.records = new Records(cmdb, INCIDENT_KIND, 'INC');
    this.problems = new Records(cmdb, PROBLEM_KIND, 'PRB');
  }

  /** The CMDB's one impact index (kept as a method: other services reach it through this one). */
  impactIndex(): ImpactIndex {
    return this.cmdb.impactIndex();
  }

  async get(id: string): Promise<IncidentView> {
    return viewOf<IncidentDoc>(await this.records.load(id, { op: 'incident' }));
  }

  async list(query: IncidentListQuery): Promise<{ items: IncidentView[]; next: string | null }> {
    return this.records.list(
      query,
      (rec) => viewOf<IncidentDoc>(rec),
      (v) =>
        (query.state === undefined || v.state === query.state) &&
        (query.open === undefined || OPEN_STATES.includes(v.state) === query.open) &&
        (query.ci === undefined || v.cis.includes(query.ci)) &&
        (query.priority === undefined || v.priority === query.priority) &&
        (query.problem === undefined || v.problem === query.problem),
    );
  }

  async all(): Promise<IncidentView[]> {
    return (await this.records.all()).map((r) => viewOf<IncidentDoc>(r));
  }

  async create(input: IncidentCreate, who: Principal): Promise<IncidentView> {
    this.checkCis(input.cis, 'incident');
    if (input.observedBy !== undefined) this.checkCis(input.observedBy, 'incident', 'observedBy');
    const now = this.now().toISOString();
    const openedAt = input.openedAt ?? now;
    const knownErrors = await this.knownErrorsFor(input.cis);
    const assigned = input.assignee !== undefined || input.assignmentGroup !== undefined;
    const rec = await this.records.create({ actor: who.name }, (id) => {
      const doc: IncidentDoc = {
        id,
        title: input.title,
        description: input.description,
        cis: input.cis,
        category: input.category,
        subcategory: input.subcategory ?? null,
        impact: input.impact,
        urgency: input.urgency,
        priority: priorityOf(input.impact, input.urgency, this.matrix),
        assignmentGroup: input.assignmentGroup ?? null,
        assignee: input.assignee ?? null,
        // Logging with an assignment is the dispatcher's first move: the incident starts assigned.
        state: assigned ? 'assigned' : 'new',
        reportedBy: who.name,
        openedAt,
        respondedAt: null,
        resolvedAt: null,
        closedAt: null,
        resolution: null,
        reopenCount: 0,
        problem: null,
        causedByChange: input.causedByChange ?? null,
        outage: input.outage ? { start: input.outage.start, end: input.outage.end ?? null, services: input.outage.services ?? null } : null,
        knownErrors,
        transitions: assigned ? [{ from: 'new', to: 'assigned', at: openedAt, by: who.name }] : [],
        ...(input.severity !== undefined && { severity: input.severity }),
        ...(input.signal !== undefined && { signal: input.signal }),
        ...(input.anomalyScore !== undefined && { anomalyScore: input.anomalyScore }),
        ...(input.observedBy !== undefined && { observedBy: input.observedBy }),
      };
      if (assigned) doc.respondedAt = openedAt;
      return doc as unknown as Record<string, unknown>;
    });
    return viewOf<IncidentDoc>(rec);
  }

  async update(id: string, patch: IncidentPatch, who: Principal, expectedVersion?: number): Promise<IncidentView> {
    const rec = await this.records.load(id, { op: 'incident update', expectedVersion });
    const doc = { ...(rec.doc as unknown as IncidentDoc) };
    if (doc.state === 'closed') throw new ConflictError(`incident update: ${id} is closed`, { id });
    for (const key of ['title', 'description', 'category'] as const) if (patch[key] !== undefined) doc[key] = patch[key];
    for (const key of ['subcategory', 'assignmentGroup', 'assignee', 'problem', 'causedByChange'] as const)
      if (patch[key] !== undefined) doc[key] = patch[key];
    if (patch.impact !== undefined) doc.impact = patch.impact;
    if (patch.urgency !== undefined) doc.urgency = patch.urgency;
    doc.priority = priorityOf(doc.impact, doc.urgency, this.matrix);
    if (patch.cis !== undefined) {
      this.checkCis(patch.cis, 'incident update');
      doc.cis = patch.cis;
      doc.knownErrors = await this.knownErrorsFor(patch.cis);
    }
    if (patch.outage !== undefined)
      doc.outage =
        patch.outage === null
          ? null
          : { start: patch.outage.start, end: patch.outage.end ?? null, services: patch.outage.services ?? null };
    if (patch.observedBy !== undefined) {
      // Cleared, the field goes away: a stored incident has observers or no `observedBy` at all.
      if (patch.observedBy === null || patch.observedBy.length === 0) delete doc.observedBy;
      else {
        this.checkCis(patch.observedBy, 'incident update', 'observedBy');
        doc.observedBy = patch.observedBy;
      }
    }
    // Checked on the incident as patched, and only when the patch touches either side, so an older
    // record edited into that state before observers were patchable still takes unrelated edits.
    if (patch.cis !== undefined || patch.observedBy !== undefined) {
      const own = doc.observedBy?.find((o) => doc.cis.includes(o));
      if (own !== undefined)
        throw new InputError(`incident update: ${id} observer "${own}" is one of its own CIs`, [
          { path: ['observedBy'], code: 'custom', message: "an observer may not be one of the incident's own CIs" },
        ]);
    }
    return this.write(rec.id, rec.version, doc, who);
  }

  async transition(id: string, input: IncidentTransitionInput, who: Principal, expectedVersion?: number): Promise<IncidentView> {
    const rec = await this.records.load(id, { op: 'incident transition', expectedVersion });
    const doc = { ...(rec.doc as unknown as IncidentDoc) };
    const from = doc.state;
    const to = input.to;
    checkTransition(id, from, to);
    const at = input.at ?? this.now().toISOString();
    const last = doc.transitions[doc.transitions.length - 1]?.at ?? doc.openedAt;
    if (at < last) throw new InputError(`incident transition: ${id} at ${at} is before its last change (${last})`, { id, at, last });
    if (input.assignee !== undefined) doc.assignee = input.assignee;
    if (input.assignmentGroup !== undefined) doc.assignmentGroup = input.assignmentGroup;
    if (to === 'assigned' && doc.assignee === null && doc.assignmentGroup === null) {
      throw new InputError(`incident transition: ${id} needs an assignee or an assignment group to be assigned`, { id });
    }
    if (to === 'on_hold' && !input.reason) throw new InputError(`incident transition: ${id} needs a reason to go on hold`, { id });
    if (to === 'resolved') {
      if (!input.resolution) throw new InputError(`incident transition: ${id} needs a resolution code to be resolved`, { id });
      doc.resolution = input.resolution;
      doc.resolvedAt = at;
      if (doc.outage && doc.outage.end === null) doc.outage = { ...doc.outage, end: at };
    }
    if (to === 'closed') doc.closedAt = at;
    if (from === 'resolved' && to !== 'closed') {
      doc.reopenCount += 1;
      doc.resolvedAt = null;
      doc.resolution = null;
    }
    if (doc.respondedAt === null && to !== 'on_hold') doc.respondedAt = at;
    doc.state = to;
    doc.transitions = [...doc.transitions, { from, to, at, by: who.name, ...(input.reason ? { reason: input.reason } : {}) }];
    return this.write(rec.id, rec.version, doc, who);
  }

  /** Known errors whose root cause is one of `cis` or one of their transitive providers. */
  async knownErrorsFor(cis: readonly string[]): Promise<KnownErrorOffer[]> {
    const problems = (await this.problems.all())
      .map((r) => r.doc as unknown as ProblemDoc)
      .filter((p) => p.state === 'known_error' && p.rootCause && p.workaround);
    if (problems.length === 0) return [];
    const own = new Set(cis);
    const providers = new Set<string>();
    const index = this.impactIndex();
    for (const ci of cis) {
      if (!index.idToIndex.has(ci)) continue;
      for (const d of dependencies(index, this.cmdb.registry, ci).dependencies) providers.add(d.id);
    }
    return problems
      .filter((p) => own.has(p.rootCause!) || providers.has(p.rootCause!))
      .map((p) => ({
        problem: p.id,
        title: p.title,
        rootCause: p.rootCause!,
        workaround: p.workaround!,
        via: own.has(p.rootCause!) ? ('ci' as const) : ('provider' as const),
      }))
      .sort((a, b) => (a.problem < b.problem ? -1 : 1));
  }

  /** Every CI of `cis` is in the CMDB; the error's details name the field (`cis` or `observedBy`). */
  private checkCis(cis: readonly string[], op: string, field: 'cis' | 'observedBy' = 'cis'): void {
    const g = this.cmdb.mirror.graph;
    const missing = cis.filter((c) => !g.hasNode(c));
    if (missing.length > 0) throw new NotFoundError(`${op}: CI "${missing[0]}" not found`, { [field]: missing });
  }

  private async write(id: string, version: number, doc: IncidentDoc, who: Principal): Promise<IncidentView> {
    return viewOf<IncidentDoc>(await this.records.write({ id, version }, doc as unknown as Record<string, unknown>, { actor: who.name }));
  }
}
