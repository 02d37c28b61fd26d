/**
 * Coverage: how many incident CIs the candidate explains through dependencies. Under the noise
 * model an unrelated incident lands on a given CI with probability min(1/n, noiseRate) — 1/n on a
 * large estate; on a small one, the prior rate of an unrelated incident on one CI within the
 * window (default 1e-4) — so each explained CI is worth −ln of that in nats. Value: the number of
 * covered incident CIs.
 */
import type { Signal } from './types.ts';

export const coverage: Signal = (s, { weights, noiseRate }) => ({
  signal: 'coverage',
  value: s.k,
  contribution: weights.likelihood * s.k * Math.max(Math.log(Math.max(s.n, 2)), -Math.log(noiseRate)),
});
