/** Release management: bundles of changes, their deployment plan, combined impact and risk. */
export * from './model.ts';
export { deploymentPlan, type DeploymentPlan, type PlanStep, type PlanTarget } from './plan.ts';
export { ReleaseService, type ReleasePlanView } from './service.ts';
