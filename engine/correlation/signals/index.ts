/** The signal processors, in report order; the score is the sum of their contributions. */
import { coverage } from './coverage.ts';
import { distance } from './distance.ts';
import { ownIncident } from './own-incident.ts';
import { recentChange } from './recent-change.ts';
import { specificity } from './specificity.ts';
import { timeOrder } from './time-order.ts';
import type { CandidateStats, Signal, SignalContext } from './types.ts';
import type { Factor } from '../types.ts';

export const SIGNALS: readonly Signal[] = [coverage, specificity, distance, ownIncident, recentChange, timeOrder];

export function scoreCandidate(s: CandidateStats, ctx: SignalContext): { score: number; factors: Factor[] } {
  const factors = SIGNALS.map((signal) => signal(s, ctx));
  let score = 0;
  for (const f of factors) score += f.contribution;
  return { score, factors };
}

export { coverage, distance, ownIncident, recentChange, specificity, timeOrder };
export { specificityLogLikelihood } from './specificity.ts';
export { chanceRate } from './coverage.ts';
export { timeOrderValue } from './time-order.ts';
export type { CandidateStats, Signal, SignalContext } from './types.ts';
