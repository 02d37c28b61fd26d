/**
 * Distance: the mean hop count from the covered incident CIs up to the candidate. Parsimony: of two
 * candidates explaining the same incidents, the nearer one needs fewer failures to propagate.
 */
import type { CandidateStats, Signal, SignalContext } from './types.ts';

const meanDistance = (s: CandidateStats) => (s.k > 0 ? s.sumDistance / s.k : 0);

export const distanceContribution = (s: CandidateStats, { weights }: SignalContext): number => -weights.distance * meanDistance(s);

export const distance: Signal = (s, ctx) => ({ signal: 'distance', value: meanDistance(s), contribution: distanceContribution(s, ctx) });
