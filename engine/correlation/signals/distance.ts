/**
 * Distance: the mean hop count from the covered incident CIs up to the candidate. Parsimony: of two
 * candidates explaining the same incidents, the nearer one needs fewer failures to propagate.
 */
import type { Signal } from './types.ts';

export const distance: Signal = (s, { weights }) => {
  const mean = s.k > 0 ? s.sumDistance / s.k : 0;
  return { signal: 'distance', value: mean, contribution: -weights.distance * mean };
};
