/** Problems: model and service (from correlation, RCA, known errors publishing workarounds). */
export * from './model.ts';
export { ProblemService, linkedIncidents, type ProblemServiceDeps } from './service.ts';
