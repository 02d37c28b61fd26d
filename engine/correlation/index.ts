/**
 * Correlation of incidents on shared upstream CIs (DESIGN.md "Correlation → problem
 * identification"): a pure function over the impact index, signals as small processors. It reads
 * only what it is handed; the store side (`CorrelationService`) is engine/incidents/correlation-service.ts.
 */
export { correlate } from './correlate.ts';
export { parseDuration, toMillis } from './duration.ts';
export { reachOf } from './reach.ts';
export { strengthOf } from './correlate.ts';
export {
  SIGNALS,
  chanceRate,
  scoreCandidate,
  scoreValue,
  specificityLogLikelihood,
  timeOrderValue,
  type CandidateStats,
  type Signal,
  type SignalContext,
} from './signals/index.ts';
export * from './types.ts';
