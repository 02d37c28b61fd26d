/**
 * Impact analysis: blast radius, dependencies and single points of failure, as pure functions over
 * the mirror graph (or the compact impact index derived from it) and the registry.
 */
export {
  buildImpactIndex,
  ensureImpactIndex,
  isImpactIndexStale,
  refreshImpactIndexAttributes,
  idRank,
  isImpactIndex,
  resolveIndex,
  requiredAvailable,
  typeMask,
  stepOf,
  forEachNeighbour,
  type Direction,
  type ImpactIndex,
  type ImpactSource,
  type PathStep,
} from './adjacency.ts';
export {
  blastRadius,
  computeImpact,
  reportImpact,
  resolveOrigins,
  DOWN,
  DEGRADED,
  type BlastRadiusOptions,
  type BlastRadiusResult,
  type ImpactCore,
  type ImpactEffect,
  type ImpactOrigin,
  type ImpactState,
  type ImpactedCI,
  type ImpactedService,
  type RedundancyGroupReport,
  type StateCounts,
} from './blast-radius.ts';
export { dependencies, walkProviders, type DependenciesOptions, type DependenciesResult, type Dependency, type ProviderClosure } from './dependencies.ts';
export { singlePointsOfFailure, type SinglePointOfFailure, type SpofOptions, type SpofResult } from './spof.ts';
export { plainImpactStates } from './plain.ts';
export { DELETED_CI } from './core.ts';
