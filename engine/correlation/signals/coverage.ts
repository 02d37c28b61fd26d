/**
 * Coverage: how many incident CIs the candidate explains through dependencies. Under the noise
 * model an unrelated incident lands on a given CI with probability 1/n, so each explained CI is
 * worth ln(n) nats of evidence. Value: the number of covered incident CIs.
 */
import type { Signal } from './types.ts';

export const coverage: Signal = (s, { weights }) => ({
  signal: 'coverage',
  value: s.k,
  contribution: weights.likelihood * s.k * Math.log(Math.max(s.n, 2)),
});
