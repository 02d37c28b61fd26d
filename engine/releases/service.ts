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
import { ForbiddenError, SemanticError } from '../errors.ts';
import { type Assessment, type ChangeDoc, type ChangeTarget, type ChangeType, type Principal, type TimeWindow } from '../changes/model.ts';
import { docOf, type ChangeService } from '../changes/service.ts';
import { levelRank, type RiskLevel } from '../policy/policy.ts';
import { Records } from '../records/index.ts';
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
  /** The release records (kind `release`, ids `REL-000123`). */
  readonly records: Records;

  constructor(
    private readonly cmdb: Cmdb,
    private readonly changes: ChangeService,
  ) {
    this.records = new Records(cmdb, RELEASE_KIND, 'REL');
  }

  async create(input: ReleaseCreate, principal: Principal): Promise<ReleaseView> {
    const allowed = this.changes.policy.roles.write as readonly string[];
    if (!allowed.includes(principal.role)) {
      throw new ForbiddenError(`create release: role "${principal.role}" may not create releases (allowed: ${allowed.join(', ')})`, {
        role: principal.role,
        allowed,
      });
    }
    for (const [i, id] of input.changes.entries()) {
      if (!(await this.changes.records.get(id)))
        throw new SemanticError(`create release: change "${id}" not found`, { path: ['changes', i], value: id });
    }
    const rec = await this.records.create(
      { actor: principal.name },
      (id) =>
        ({ id, name: input.name, description: input.description, changes: input.changes, createdBy: principal.name }) satisfies ReleaseDoc,
    );
    return toView(rec);
  }

  async get(id: string): Promise<ReleaseView> {
    return toView(await this.load(id));
  }

  async list(query: ReleaseListQuery): Promise<{ items: ReleaseView[]; next: string | null }> {
    return this.records.list(query, toView);
  }

  async plan(id: string): Promise<ReleasePlanView> {
    const release = toView(await this.load(id));
    const docs: ChangeDoc[] = [];
    for (const cid of release.changes) {
      const rec = await this.changes.records.get(cid);
      if (!rec) throw new SemanticError(`release plan: change "${cid}" of ${id} no longer exists`, { change: cid });
      docs.push(docOf(rec));
    }
    const source = this.changes.impactSource();
    const plan = deploymentPlan(
      source,
      this.cmdb.registry,
      docs.flatMap((c) => c.targets.map((t) => ({ ci: t.ci, change: c.id }))),
    );
    const assessment = await this.changes.computeAssessment(combine(release, docs), new Set(release.changes));
    const levels = docs.map((c) => (c.frozenAssessment ?? { assessment: c.assessment }).assessment?.risk.level ?? null);
    const level = [assessment.risk.level, ...levels.filter((l): l is RiskLevel => l !== null)].reduce((a, b) =>
      levelRank(b) > levelRank(a) ? b : a,
    );
    return {
      release,
      changes: docs.map((c, i) => ({ id: c.id, title: c.title, state: c.state, type: c.type, level: levels[i]! })),
      plan,
      assessment,
      level,
    };
  }

  private load(id: string): Promise<StoredRecord> {
    return this.records.load(id, { op: 'release', named: false });
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
  const window =
    windows.length === 0
      ? null
      : {
          start: windows.map((w) => w.start).sort()[0]!,
          end: windows
            .map((w) => w.end)
            .sort()
            .at(-1)!,
        };
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

function toView(rec: StoredRecord): ReleaseView {
  return { ...(rec.doc as unknown as ReleaseDoc), version: rec.version, createdAt: rec.createdAt, updatedAt: rec.updatedAt };
}
