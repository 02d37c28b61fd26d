/** The signal processors, in report order; the score is the sum of their contributions. */
import { chronicNoise, chronicNoiseContribution } from './chronic-noise.ts';
import { coverage, coverageContribution } from './coverage.ts';
import { distance, distanceContribution } from './distance.ts';
import { naturalRoot, naturalRootContribution } from './natural-root.ts';
import { ownIncident, ownIncidentContribution } from './own-incident.ts';
import { recentChange, recentChangeContribution } from './recent-change.ts';
import { specificity, specificityContribution } from './specificity.ts';
import { timeOrder, timeOrderContribution } from './time-order.ts';
import type { CandidateStats, Signal, SignalContext } from './types.ts';
import type { Factor } from '../types.ts';

export const SIGNALS: readonly Signal[] = [
  coverage,
  specificity,
  distance,
  ownIncident,
  recentChange,
  timeOrder,
  naturalRoot,
  chronicNoise,
];

export function scoreCandidate(s: CandidateStats, ctx: SignalContext): { score: number; factors: Factor[] } {
  const factors = SIGNALS.map((signal) => signal(s, ctx));
  let score = 0;
  for (const f of factors) score += f.contribution;
  return { score, factors };
}

/**
 * The same score as `scoreCandidate` (the same contributions, added in the same order, so equal to
 * the last bit) without building the factors: the cover and the report rank hundreds of thousands
 * of candidates and only the reported ones need their breakdown.
 */
export function scoreValue(s: CandidateStats, ctx: SignalContext): number {
  let score = 0;
  score += coverageContribution(s, ctx);
  score += specificityContribution(s, ctx);
  score += distanceContribution(s, ctx);
  score += ownIncidentContribution(s, ctx);
  score += recentChangeContribution(s, ctx);
  score += timeOrderContribution(s, ctx);
  score += naturalRootContribution(s, ctx);
  score += chronicNoiseContribution(s, ctx);
  return score;
}

export { recentChangeValue } from './recent-change.ts';
export { chronicNoise, coverage, distance, naturalRoot, ownIncident, recentChange, specificity, timeOrder };
export { strengthFactor } from './own-incident.ts';
export { specificityLogLikelihood } from './specificity.ts';
export { chanceRate } from './coverage.ts';
export { timeOrderValue } from './time-order.ts';
export type { CandidateStats, Signal, SignalContext } from './types.ts';
