/**
 * Impact analysis: blast radius, dependencies and single points of failure, as pure functions over
 * a ready impact index (the compact adjacency derived from the mirror graph) and the registry.
 *
 * Module map — the index: impact-index.ts (what algorithms read), state.ts (its state and full
 * build), delta.ts (incremental maintenance), journal.ts (the graph's change log), keeper.ts (who
 * owns a maintained index: the Cmdb), edge-lists.ts (one adjacency direction), tuning.ts (capacities
 * and thresholds). Query support: scratch.ts (per-query memory), ordering.ts (id rank, topological
 * order, radix sort), path-step.ts (relationships as reported). Algorithms: blast-radius.ts
 * (fixpoint.ts + cycles.ts + report.ts), dependencies.ts, spof.ts.
 */
export {
  buildImpactIndex,
  forEachNeighbour,
  indexFor,
  typeMask,
  type BuildIndexOptions,
  type Direction,
  type ImpactIndex,
} from './impact-index.ts';
export { ImpactIndexKeeper } from './keeper.ts';
export { DELETED_CI, requiredAvailable } from './state.ts';
export { DEFAULT_TUNING, type Capacity, type IndexTuning, type ReportTuning, type TuningOptions } from './tuning.ts';
export { idRank, topoOrder } from './ordering.ts';
export { stepOf, type PathStep } from './path-step.ts';
export { blastRadius } from './blast-radius.ts';
export {
  computeImpact,
  resolveOrigins,
  DOWN,
  DEGRADED,
  type ImpactCore,
  type ImpactEffect,
  type ImpactOrigin,
  type ImpactState,
} from './fixpoint.ts';
export {
  reportImpact,
  type BlastRadiusOptions,
  type BlastRadiusResult,
  type ImpactedCI,
  type ImpactedService,
  type RedundancyGroupReport,
  type StateCounts,
} from './report.ts';
export {
  dependencies,
  walkProviders,
  type DependenciesOptions,
  type DependenciesResult,
  type Dependency,
  type ProviderClosure,
} from './dependencies.ts';
export { singlePointsOfFailure, singlePointsOfFailureAmong, type SinglePointOfFailure, type SpofOptions, type SpofResult } from './spof.ts';
