/**
 * Specificity: penalises hubs whose dependents mostly have no incident. If the candidate failed,
 * its `reach` dependents each raise an incident with some rate; the maximum-likelihood rate is
 * k / reach and the log-likelihood of seeing exactly k of them is
 *   k·ln(k/reach) + (reach − k)·ln(1 − k/reach)   (≤ 0, and 0 when every dependent has one).
 * A data-centre that "explains" three incidents among 50,000 quiet CIs scores far below the VM
 * whose five dependents all alerted. Value: k / reach.
 */
import type { CandidateStats, Signal, SignalContext } from './types.ts';

export function specificityLogLikelihood(k: number, reach: number): number {
  const r = Math.max(reach, k);
  if (k <= 0) return 0; // then r ≥ k > 0
  const rate = k / r;
  return k * Math.log(rate) + (r - k > 0 ? (r - k) * Math.log(1 - rate) : 0);
}

export const specificityContribution = (s: CandidateStats, { weights }: SignalContext): number =>
  weights.likelihood * specificityLogLikelihood(s.k, s.reach);

export const specificity: Signal = (s, ctx) => ({
  signal: 'specificity',
  value: s.k / Math.max(s.reach, s.k, 1),
  contribution: specificityContribution(s, ctx),
});
