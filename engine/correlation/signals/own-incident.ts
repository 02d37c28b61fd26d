/**
 * Own incident: monitoring saw the candidate itself fail. Worth `ownIncident` nats, scaled by how
 * strong the alert is when it says so (severity, signal, anomaly score: 0.6× for the weakest,
 * 1.4× for the strongest, 1× when it carries none — the earlier format), by the CI's
 * chronic-noise weight (a CI that alerts in most windows says little by alerting again) and by its
 * share of an observed alert (observed.ts: "A's calls to B got slow" credits B, less so when A saw
 * its other callees slow too; the observer A gets none of it).
 */
import type { CandidateStats, Signal, SignalContext } from './types.ts';

export const strengthFactor = (strength: number): number => (Number.isNaN(strength) ? 1 : 0.6 + 0.8 * strength);

export const ownIncidentContribution = (s: CandidateStats, { weights }: SignalContext): number =>
  Number.isNaN(s.ownOpenedAt) ? 0 : weights.ownIncident * strengthFactor(s.ownStrength) * s.ownWeight * s.ownCredit;

export const ownIncident: Signal = (s, ctx) => {
  const has = !Number.isNaN(s.ownOpenedAt);
  const factor = { signal: 'own_incident' as const, value: has ? 1 : 0, contribution: ownIncidentContribution(s, ctx) };
  if (!has || (Number.isNaN(s.ownStrength) && s.ownWeight === 1 && s.ownCredit === 1)) return factor;
  return {
    ...factor,
    evidence: {
      ...(Number.isNaN(s.ownStrength) ? {} : { strength: Math.round(s.ownStrength * 1000) / 1000 }),
      chronicWeight: Math.round(s.ownWeight * 1000) / 1000,
      ...(s.ownCredit !== 1 && { observedShare: Math.round(s.ownCredit * 1000) / 1000 }),
    },
  };
};
