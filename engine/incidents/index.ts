/** Incidents: model, priority matrix, state machine and the service. */
export * from './model.ts';
export { ITIL_MATRIX, PriorityMatrix, loadPriorityMatrix, priorityOf } from './priority.ts';
export { TRANSITIONS, canTransition, checkTransition } from './states.ts';
export { IncidentService, type IncidentServiceDeps, type Principal } from './service.ts';
export { CorrelationService, type CorrelationRunOptions } from './correlation-service.ts';
