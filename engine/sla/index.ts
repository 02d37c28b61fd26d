/** SLAs: policy, incident timers, availability arithmetic and the report service. */
export { SlaPolicy, defaultSlaPolicy, loadSlaPolicy } from './policy.ts';
export { incidentSla, type IncidentSla, type SlaStatus, type SlaTimer } from './timers.ts';
export { mergeIntervals, monthBounds, monthlyAvailability, type Availability, type Interval } from './availability.ts';
export { SlaService, type ServiceAvailability, type SlaReport, type SlaServiceDeps } from './service.ts';
