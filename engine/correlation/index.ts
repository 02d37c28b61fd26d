/**
 * Correlation of incidents on shared upstream CIs (DESIGN.md "Correlation → problem
 * identification"): a pure function over the impact index, signals as small processors.
 */
export { correlate } from './correlate.ts';
export { parseDuration, toMillis } from './duration.ts';
export { reachOf } from './reach.ts';
export { SIGNALS, chanceRate, scoreCandidate, scoreValue, specificityLogLikelihood, timeOrderValue, type CandidateStats, type Signal, type SignalContext } from './signals/index.ts';
export * from './types.ts';
export { CorrelationService, type CorrelationRunOptions } from './service.ts';
