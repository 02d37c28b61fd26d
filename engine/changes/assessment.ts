/**
 * A change's full assessment, composed from the pure parts: blast radius of its targets
 * (engine/impact), conflicts with other changes, freeze and maintenance windows, and risk. Pure:
 * the caller (ChangeService) gathers the records and passes the graph it read them against, and
 * `seq` says which mirror state the result describes.
 */
import { SemanticError } from '../errors.ts';
import { blastRadius, indexFor, type BlastRadiusResult, type ImpactIndex } from '../impact/index.ts';
import type { Registry } from '../model/registry.ts';
import type { Policy } from '../policy/policy.ts';
import { approvalsRequired } from './approvals.ts';
import { detectConflicts, footprint, overlap } from './conflicts.ts';
import type { Assessment, ChangeDoc, ChangeTarget, Conflict, IncidentLike, ProblemLike, WindowDoc } from './model.ts';
import { assessRisk } from './risk.ts';
import { freezeHits, maintenanceCheck } from './windows.ts';

export interface AssessmentContext {
  source: ImpactIndex;
  registry: Registry;
  policy: Policy;
  seq: number;
  now: Date;
  /** Every other change (any state): conflicts use those in `policy.conflictStates`, the failure rate the reviewed ones. */
  changes: readonly ChangeDoc[];
  freezes: readonly WindowDoc[];
  maintenance: readonly WindowDoc[];
  incidents: readonly IncidentLike[];
  problems: readonly ProblemLike[];
}

const EMPTY_IMPACT: BlastRadiusResult = {
  origins: [],
  impacted: [],
  services: [],
  counts: { down: 0, degraded: 0, byClass: {} },
  cycles: [],
};

/** The blast radius of a change: its targets with effect `down`/`degraded` are the origins; `none` targets originate nothing. */
export function changeImpact(source: ImpactIndex, registry: Registry, targets: readonly ChangeTarget[], op = 'assess'): BlastRadiusResult {
  const index = indexFor(source, registry, op);
  for (const t of targets) {
    if (!index.idToIndex.has(t.ci)) throw new SemanticError(`${op}: target CI "${t.ci}" not found`, { ci: t.ci });
  }
  const origins = targets.filter((t) => t.effect !== 'none').map((t) => ({ ci: t.ci, effect: t.effect as 'down' | 'degraded' }));
  if (origins.length === 0) return structuredClone(EMPTY_IMPACT);
  return blastRadius(index, registry, origins);
}

/** Conflicts of `change` against the others in conflict-relevant states whose windows overlap its own. */
export function changeConflicts(
  change: ChangeDoc,
  impact: BlastRadiusResult,
  ctx: Pick<AssessmentContext, 'source' | 'registry' | 'policy' | 'changes'>,
): Conflict[] {
  const index = indexFor(ctx.source, ctx.registry, 'conflicts');
  const states = new Set(ctx.policy.conflictStates);
  const others = ctx.changes
    .filter((c) => c.id !== change.id && states.has(c.state) && overlap(change.window, c.window) !== null)
    // A target deleted since the other change was approved originates nothing any more.
    .map((c) =>
      footprint(
        c,
        changeImpact(
          index,
          ctx.registry,
          c.targets.filter((t) => index.idToIndex.has(t.ci)),
        ),
      ),
    );
  return detectConflicts(footprint(change, impact), others);
}

export function assessChange(change: ChangeDoc, ctx: AssessmentContext): Assessment {
  const index = indexFor(ctx.source, ctx.registry, 'assess');
  const impact = changeImpact(index, ctx.registry, change.targets);
  const conflicts = changeConflicts(change, impact, { ...ctx, source: index });
  const targetIds = change.targets.map((t) => t.ci);
  const freezes = freezeHits(change.window, targetIds, ctx.freezes, index, ctx.registry);
  const maintenance = maintenanceCheck(change.window, targetIds, ctx.maintenance, index, ctx.registry);
  const risk = assessRisk(
    {
      id: change.id,
      type: change.type,
      targets: change.targets,
      impact,
      conflicts,
      freezes,
      maintenance,
      incidents: ctx.incidents,
      problems: ctx.problems,
      pastChanges: ctx.changes,
    },
    ctx.policy,
  );
  return {
    computedAt: ctx.now.toISOString(),
    seq: ctx.seq,
    risk,
    approvalsRequired: approvalsRequired(risk.level, ctx.policy),
    blastRadius: impact,
    conflicts,
    freezes,
  };
}
