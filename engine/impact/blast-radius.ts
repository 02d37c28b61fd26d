/**
 * Blast radius (DESIGN.md "Blast radius"): which CIs go down or degraded when the origins fail.
 * Direction: 'dependents' — failure flows from a provider to the CIs that depend on it, i.e.
 * along the index's `dep*` arrays (for `A DEPENDS_ON B`, B's blast radius reaches A).
 *
 * Semantics, as a monotone fixpoint over states ok < degraded < down:
 *   - a hard dependency (a propagating type without a redundancy rule on the dependent): any one
 *     provider down → dependent down; degraded → degraded;
 *   - a redundancy group (the dependent's providers through type T, rule `minAvailable`): down when
 *     fewer than `minAvailable` members are available; degraded when some member is down but enough
 *     remain, or some member is degraded (a degraded member still counts as available);
 *   - `degraded` spreads as `degraded`, never as `down`; an origin's state is the stronger of its
 *     effect and what it receives.
 *
 * Because every impacted provider makes each of its dependents at least degraded, the impacted set
 * is exactly what is reachable from the origins along propagating relationships; only down vs.
 * degraded needs the fixpoint. So the computation is two linear passes:
 *   1. down-propagation worklist from the `down` origins (each node enters once; group members are
 *      counted per group, and a group's dependent goes down once `size - down < need`). The final
 *      counts, hence the final states, do not depend on the worklist order;
 *   2. a level-by-level breadth-first walk from all origins over the impacted set: `depth` is the
 *      shortest chain of impacted CIs (never visiting-order dependent — a CI that goes down late in
 *      pass 1 still has its shortest depth), and `via` is one shortest such chain.
 *
 * Choice of `via` among equally short chains (deterministic, insertion-order independent): prefer a
 * last step that explains the CI's state — for a down CI, a down hard provider (rank 3), then a down
 * member of a group that is below `minAvailable` (rank 2), then any down provider (1), then a
 * degraded one (0); ties go to the smaller provider id, then type. For a redundancy-triggered
 * outage, `via` is therefore the shortest path to one failed member of the breached group, and the
 * CI's `redundancy` entry lists the group (size, required, available) and every failed member as its
 * stored relationship (`failed`); each failed member is itself in `impacted` (or is an origin) with
 * its own `via`. `redundancy` is present on every reported CI with a group that has a down member,
 * breached or absorbed, so callers can read the redundancy margin left.
 *
 * `maxDepth` and `environments` filter what is reported (impacted, services, counts) — states always
 * come from the whole fixpoint. `relationshipTypes` restricts which types propagate (a what-if).
 *
 * Split by concern: fixpoint.ts runs the two passes, cycles.ts finds the cycles, report.ts builds the
 * answer, ordering.ts holds the orders large answers lean on; this module is the entry point.
 */
import type { Registry } from '../model/registry.ts';
import { checkMaxDepth, fixpoint, resolveOrigins, type ImpactOrigin } from './fixpoint.ts';
import { indexFor, typeMask, type ImpactIndex } from './impact-index.ts';
import { reportImpact, type BlastRadiusOptions, type BlastRadiusResult } from './report.ts';
import { acquireScratch, releaseScratch } from './scratch.ts';

/** Blast radius of `origins` over a ready index (`cmdb.impactIndex()`); the caller adds `seq`. */
export function blastRadius(
  index: ImpactIndex,
  registry: Registry,
  origins: readonly ImpactOrigin[],
  options: BlastRadiusOptions = {},
): BlastRadiusResult {
  indexFor(index, registry, 'impact');
  const resolved = resolveOrigins(index, origins);
  const maxDepth = checkMaxDepth(options.maxDepth, 'impact');
  const mask = typeMask(index, options.relationshipTypes, 'impact');
  const s = acquireScratch(index);
  try {
    const core = fixpoint(index, resolved, mask, s, false);
    return reportImpact(core, resolved, registry, options.environments, maxDepth);
  } finally {
    releaseScratch(s);
  }
}
