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

/**
 * With the redundancy-aware reach (`s.alert`): two rates instead of one — the CIs the candidate's
 * failure takes down or deprives of a direct provider alert at one rate, the CIs it only degrades
 * through them (still served) at another, no higher — each at its maximum-likelihood value, the
 * extra rate paid for at ½·ln(reach) nats (BIC), and used only when it explains better. A PDU whose
 * two directly fed switches alerted then stands out from the router above them; where no redundancy
 * absorbs anything both sets coincide and this is the one-rate figure.
 */
export function specificityTwoRates(k: number, reach: number, alert: NonNullable<CandidateStats['alert']>): number {
  const one = specificityLogLikelihood(k, reach);
  const kA = Math.min(alert.k, k);
  if (kA <= 0) return one; // the second rate could only be higher than the first
  const penalty = 0.5 * Math.log(Math.max(2, reach));
  // On a lower bound of the reach: an upper bound (the other set's term is ≤ 0, the order not checked).
  if (!alert.exact) return Math.max(one, specificityLogLikelihood(kA, alert.reach) - penalty);
  const rA = Math.min(alert.reach, reach);
  const kT = k - kA;
  const rT = reach - rA;
  if (rT <= 0 || kT / rT >= kA / rA) return one;
  return Math.max(one, specificityLogLikelihood(kA, rA) + specificityLogLikelihood(kT, rT) - penalty);
}

export const specificityContribution = (s: CandidateStats, { weights }: SignalContext): number =>
  weights.likelihood * (s.alert === undefined ? specificityLogLikelihood(s.k, s.reach) : specificityTwoRates(s.k, s.reach, s.alert));

export const specificity: Signal = (s, ctx) => ({
  signal: 'specificity',
  value: s.k / Math.max(s.reach, s.k, 1),
  contribution: specificityContribution(s, ctx),
});
