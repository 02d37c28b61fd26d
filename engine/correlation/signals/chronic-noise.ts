/**
 * Chronic noise: a covered incident CI that alerts in most windows of the store's history is weak
 * evidence — its alert is likely by chance whatever the candidate does. Each covered CI u carries a
 * weight w_u = ln(1/max(c, q_u)) / ln(1/c) ∈ (0, 1], c the chance rate of coverage.ts and q_u the
 * CI's learned alert rate (correlate.ts), so an explained CI is worth ln(1/max(c, q_u)) nats
 * instead of ln(1/c): this factor is the difference, ≤ 0, and 0 without history. Value: the share
 * of the coverage discounted, (k − Σw) / k.
 */
import { chanceRate } from './coverage.ts';
import type { CandidateStats, Signal, SignalContext } from './types.ts';

export const chronicNoiseContribution = (s: CandidateStats, ctx: SignalContext): number => {
  const lost = s.k - s.weightSum;
  return lost > 1e-12 ? ctx.weights.likelihood * lost * Math.log(chanceRate(s.n, s.background, ctx)) : 0;
};

export const chronicNoise: Signal = (s, ctx) => ({
  signal: 'chronic_noise',
  value: s.k > 0 ? Math.max(0, (s.k - s.weightSum) / s.k) : 0,
  contribution: chronicNoiseContribution(s, ctx),
});
