/**
 * ReleaseService: bundles changes into releases and answers their deployment plan, combined impact
 * and combined risk. Writes go through `cmdb.apply` (putRecord), like ChangeService's.
 *
 * Combined impact is the blast radius of every change's targets at once — the union of the
 * individual blast radii, and more where the changes together breach a redundancy group that
 * each alone would not (two cluster members patched in one release). Combined risk is the risk
 * of one synthetic change: all targets (strongest effect per CI), the span of the windows, the
 * strongest type; conflicts are with changes outside the release.
 */
import type { Cmdb } from '../cmdb.ts';
import { ConflictError, ForbiddenError, NotFoundError, SemanticError } from '../errors.ts';
import { CHANGE_KIND, type Assessment, type ChangeDoc, type ChangeTarget, type ChangeType, type Principal, type TimeWindow } from '../changes/model.ts';
import { docOf, SEQUENCE_KIND, type ChangeService } from '../changes/service.ts';
import { levelRank, type RiskLevel } from '../policy/policy.ts';
import type { StoredRecord } from '../store/port.ts';
import { deploymentPlan, type DeploymentPlan } from './plan.ts';
import { RELEASE_KIND, type ReleaseCreate, type ReleaseDoc, type ReleaseListQuery, type ReleaseView } from './model.ts';

export interface ReleasePlanView {
  release: ReleaseView;
  changes: { id: string; title: string; state: string; type: ChangeType; level: RiskLevel | null }[];
  plan: DeploymentPlan;
  /** Combined assessment: impact, conflicts with outside changes, freezes and risk of all changes at once. */
  assessment: Assessment;
  /** The stronger of the combined level and every change's own assessed level. */
  level: RiskLevel;
}

export class ReleaseService {
  constructor(
    private readonly cmdb: Cmdb,
    private readonly changes: ChangeService,
  ) {}

  async create(input: ReleaseCreate, principal: Principal): Promise<ReleaseView> {
    const allowed = this.changes.policy.roles.write as readonly string[];
    if (!allowed.includes(principal.role)) {
      throw new ForbiddenError(`create release: role "${principal.role}" may not create releases (allowed: ${allowed.join(', ')})`, { role: principal.role, allowed });
    }
    for (const [i, id] of input.changes.entries()) {
      if (!(await this.cmdb.store.getRecord(CHANGE_KIND, id))) throw new SemanticError(`create release: change "${id}" not found`, { path: ['changes', i], value: id });
    }
    for (let attempt = 1; ; attempt++) {
      const counter = await this.cmdb.store.getRecord(SEQUENCE_KIND, RELEASE_KIND);
      let n = typeof counter?.doc.next === 'number' ? counter.doc.next : 1;
      while (await this.cmdb.store.getRecord(RELEASE_KIND, relId(n))) n++;
      const id = relId(n);
      const doc: ReleaseDoc = { id, name: input.name, description: input.description, changes: input.changes, createdBy: principal.name };
      try {
        const result = await this.cmdb.apply(
          [
            { op: 'putRecord', kind: SEQUENCE_KIND, id: RELEASE_KIND, doc: { next: n + 1 }, expectedVersion: counter?.version ?? 0 },
            { op: 'putRecord', kind: RELEASE_KIND, id, doc: doc as unknown as Record<string, unknown>, expectedVersion: 0 },
          ],
          { actor: principal.name },
        );
        const rec = result.events.find((e) => e.entity === RELEASE_KIND && e.id === id)?.after as StoredRecord | undefined;
        return toView(rec ?? (await this.load(id)));
      } catch (err) {
        if (err instanceof ConflictError && attempt < 20) continue;
        throw err;
      }
    }
  }

  async get(id: string): Promise<ReleaseView> {
    return toView(await this.load(id));
  }

  async list(query: ReleaseListQuery): Promise<{ items: ReleaseView[]; next: string | null }> {
    const page = await this.cmdb.store.listRecords(RELEASE_KIND, { after: query.after, limit: query.limit + 1 });
    const items = page.slice(0, query.limit).map(toView);
    return { items, next: page.length > query.limit ? items[items.length - 1]!.id : null };
  }

  async plan(id: string): Promise<ReleasePlanView> {
    const release = toView(await this.load(id));
    const docs: ChangeDoc[] = [];
    for (const cid of release.changes) {
      const rec = await this.cmdb.store.getRecord(CHANGE_KIND, cid);
      if (!rec) throw new SemanticError(`release plan: change "${cid}" of ${id} no longer exists`, { change: cid });
      docs.push(docOf(rec));
    }
    const source = this.changes.impactSource();
    const plan = deploymentPlan(source, this.cmdb.registry, docs.flatMap((c) => c.targets.map((t) => ({ ci: t.ci, change: c.id }))));
    const assessment = await this.changes.computeAssessment(combine(release, docs), new Set(release.changes));
    const levels = docs.map((c) => (c.frozenAssessment ?? { assessment: c.assessment }).assessment?.risk.level ?? null);
    const level = [assessment.risk.level, ...levels.filter((l): l is RiskLevel => l !== null)].reduce((a, b) => (levelRank(b) > levelRank(a) ? b : a));
    return {
      release,
      changes: docs.map((c, i) => ({ id: c.id, title: c.title, state: c.state, type: c.type, level: levels[i]! })),
      plan,
      assessment,
      level,
    };
  }

  private async load(id: string): Promise<StoredRecord> {
    const rec = await this.cmdb.store.getRecord(RELEASE_KIND, id);
    if (!rec) throw new NotFoundError(`release: "${id}" not found`, { id });
    return rec;
  }
}

const TYPE_STRENGTH: Record<ChangeType, number> = { standard: 0, normal: 1, emergency: 2 };
const EFFECT_STRENGTH = { none: 0, degraded: 1, down: 2 } as const;

/** One change doing what all the release's changes do. */
function combine(release: ReleaseView, docs: readonly ChangeDoc[]): ChangeDoc {
  const targets = new Map<string, ChangeTarget>();
  for (const c of docs) {
    for (const t of c.targets) {
      const prev = targets.get(t.ci);
      if (!prev || EFFECT_STRENGTH[t.effect] > EFFECT_STRENGTH[prev.effect]) targets.set(t.ci, t);
    }
  }
  const windows = docs.map((c) => c.window).filter((w): w is TimeWindow => w !== null);
  const window = windows.length === 0 ? null : { start: windows.map((w) => w.start).sort()[0]!, end: windows.map((w) => w.end).sort().at(-1)! };
  const type = docs.map((c) => c.type).reduce<ChangeType>((a, b) => (TYPE_STRENGTH[b] > TYPE_STRENGTH[a] ? b : a), 'standard');
  return {
    id: release.id,
    type,
    title: release.name,
    description: release.description,
    targets: [...targets.values()].sort((a, b) => (a.ci < b.ci ? -1 : a.ci > b.ci ? 1 : 0)),
    window,
    implementationPlan: '',
    backoutPlan: '',
    requester: release.createdBy,
    assignee: null,
    state: 'assessed',
    approvals: [],
    transitions: [],
    assessment: null,
    frozenAssessment: null,
    freezeOverride: null,
    outcome: null,
    review: null,
  };
}

function relId(n: number): string {
  return `REL-${String(n).padStart(6, '0')}`;
}

function toView(rec: StoredRecord): ReleaseView {
  return { ...(rec.doc as unknown as ReleaseDoc), version: rec.version, createdAt: rec.createdAt, updatedAt: rec.updatedAt };
}
