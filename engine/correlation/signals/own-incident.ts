/** Own incident: monitoring saw the candidate itself fail. */
import type { CandidateStats, Signal, SignalContext } from './types.ts';

export const ownIncidentContribution = (s: CandidateStats, { weights }: SignalContext): number => (Number.isNaN(s.ownOpenedAt) ? 0 : weights.ownIncident);

export const ownIncident: Signal = (s, ctx) => ({ signal: 'own_incident', value: Number.isNaN(s.ownOpenedAt) ? 0 : 1, contribution: ownIncidentContribution(s, ctx) });
