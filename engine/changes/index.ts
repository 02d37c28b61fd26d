/** Change management: model, state machine, risk, conflicts, windows, and the shared service. */
export * from './model.ts';
export { TRANSITIONS, CANCELLABLE, allowedNext, canTransition, checkTransition } from './states.ts';
export { assessRisk, type RiskInput } from './risk.ts';
export { detectConflicts, footprint, overlap, type ChangeFootprint } from './conflicts.ts';
export { freezeHits, maintenanceCheck, scopeCoverage, type MaintenanceCheck } from './windows.ts';
export { quorum, votingRoles, approvalsRequired, type Quorum, type QuorumTally } from './approvals.ts';
export { assessChange, changeImpact, changeConflicts, type AssessmentContext } from './assessment.ts';
export { ChangeService, type ChangeServiceDeps, type AssessmentView } from './service.ts';
