/**
 * Risk assessment (DESIGN.md "Risk assessment"): a pure, deterministic function from what a change
 * touches to a score, a level and every factor with its evidence. Weights and thresholds come from
 * the policy (engine/policy/default-policy.json, documented in docs/changes.md). Every factor is
 * reported, with 0 points when it does not apply, so a CAB sees what was considered, not only what
 * scored.
 */
import { levelOf, type Policy } from '../policy/policy.ts';
import type { BlastRadiusResult } from '../impact/index.ts';
import {
  CLOSED_INCIDENT_STATES,
  CLOSED_PROBLEM_STATES,
  type BlastRadiusSnapshot,
  type ChangeDoc,
  type ChangeTarget,
  type ChangeType,
  type Conflict,
  type FreezeHit,
  type IncidentLike,
  type ProblemLike,
  type Risk,
  type RiskFactor,
} from './model.ts';
import type { MaintenanceCheck } from './windows.ts';

export interface RiskInput {
  /** The change's own id, so that it never counts in its own failure rate. */
  id?: string;
  type: ChangeType;
  targets: readonly ChangeTarget[];
  impact: BlastRadiusResult | BlastRadiusSnapshot;
  conflicts: readonly Conflict[];
  freezes: readonly FreezeHit[];
  maintenance: MaintenanceCheck;
  incidents: readonly IncidentLike[];
  problems: readonly ProblemLike[];
  /** Other changes; only those with a post-implementation review count toward the failure rate. */
  pastChanges: readonly Pick<ChangeDoc, 'id' | 'targets' | 'review'>[];
}

const SAMPLE = 20;

export function assessRisk(input: RiskInput, policy: Policy): Risk {
  const w = policy.weights;
  const factors: RiskFactor[] = [];
  const add = (id: string, label: string, points: number, evidence: Record<string, unknown>[]) =>
    factors.push({ id, label, points, evidence });
  const { impact } = input;

  // Impacted business services, by criticality tier and state.
  {
    const evidence = impact.services.map((s) => {
      const tier = String(Math.min(4, Math.max(1, Math.round(s.criticality)))) as '1' | '2' | '3' | '4';
      const points = (s.state === 'down' ? w.serviceDown : w.serviceDegraded)[tier];
      return { service: s.id, name: s.name, criticality: s.criticality, state: s.state, owner: s.owner, points };
    });
    add('business_services', 'Impacted business services by criticality', sum(evidence.map((e) => e.points)), evidence);
  }

  // Outage vs degradation: every CI that goes down or degraded, origins included.
  {
    const down = impact.origins.filter((o) => o.state === 'down').map((o) => o.id);
    const degraded = impact.origins.filter((o) => o.state === 'degraded').map((o) => o.id);
    for (const i of impact.impacted) (i.state === 'down' ? down : degraded).push(i.id);
    const raw = down.length * w.downCI + degraded.length * w.degradedCI;
    const points = Math.min(w.impactCap, raw);
    add('outage', 'CIs taken down vs. degraded', points, [
      { state: 'down', count: down.length, points: down.length * w.downCI, cis: down.slice(0, SAMPLE) },
      { state: 'degraded', count: degraded.length, points: degraded.length * w.degradedCI, cis: degraded.slice(0, SAMPLE) },
      ...(raw > points ? [{ capped: true, raw, cap: w.impactCap }] : []),
    ]);
  }

  // Redundancy margin left: groups that absorbed a failure, and how many more failures each tolerates.
  {
    const evidence: Record<string, unknown>[] = [];
    for (const i of impact.impacted) {
      for (const g of i.redundancy ?? []) {
        if (g.breached) continue;
        const margin = g.available - g.required;
        evidence.push({
          ci: i.id,
          relationship: g.relationship,
          members: g.members,
          required: g.required,
          available: g.available,
          margin,
          points: w.redundancyMargin[String(margin)] ?? 0,
        });
      }
    }
    add('redundancy_margin', 'Redundancy margin left in degraded groups', sum(evidence.map((e) => e.points as number)), evidence);
  }

  add(
    'conflicts',
    'Conflicting changes in overlapping windows',
    input.conflicts.length * w.conflict,
    input.conflicts.map((c) => ({ change: c.change, overlap: c.overlap, reasons: c.reasons.map((r) => r.kind), points: w.conflict })),
  );

  add(
    'freeze_windows',
    'Freeze windows the change falls into',
    input.freezes.length * w.freezeWindow,
    input.freezes.map((f) => ({
      window: f.window,
      name: f.name,
      global: f.global,
      cis: f.cis.map((c) => c.ci),
      override: input.type === 'emergency',
      points: w.freezeWindow,
    })),
  );

  add(
    'maintenance_window',
    'Targets planned outside their maintenance windows',
    input.maintenance.outside.length > 0 ? w.outsideMaintenanceWindow : 0,
    input.maintenance.outside.map((o) => ({ ci: o.ci, windows: o.windows })),
  );

  // Open incidents and problems on anything the change touches.
  {
    const touched = new Set<string>(input.targets.map((t) => t.ci));
    for (const o of impact.origins) touched.add(o.id);
    for (const i of impact.impacted) touched.add(i.id);
    const incidents = input.incidents
      .filter((i) => !CLOSED_INCIDENT_STATES.includes(i.state))
      .map((i) => ({ incident: i.id ?? null, state: i.state, cis: i.cis.filter((c) => touched.has(c)).sort() }))
      .filter((e) => e.cis.length > 0)
      .sort(byKey('incident'));
    add(
      'open_incidents',
      'Open incidents on impacted CIs',
      incidents.length * w.openIncident,
      incidents.map((e) => ({ ...e, points: w.openIncident })),
    );
    const problems = input.problems
      .filter((p) => !CLOSED_PROBLEM_STATES.includes(p.state))
      .map((p) => {
        const cis = new Set(p.cis);
        if (p.rootCause) cis.add(p.rootCause);
        return {
          problem: p.id ?? null,
          state: p.state,
          rootCause: p.rootCause ?? null,
          cis: [...cis].filter((c) => touched.has(c)).sort(),
        };
      })
      .filter((e) => e.cis.length > 0)
      .sort(byKey('problem'));
    add(
      'open_problems',
      'Open problems on impacted CIs',
      problems.length * w.openProblem,
      problems.map((e) => ({ ...e, points: w.openProblem })),
    );
  }

  // Failure rate of past reviewed changes that shared a target.
  {
    const targets = new Set(input.targets.map((t) => t.ci));
    const past = input.pastChanges
      .filter((c) => c.id !== input.id && c.review !== null && c.targets.some((t) => targets.has(t.ci)))
      .map((c) => ({
        change: c.id,
        outcome: c.review!.outcome,
        cis: c.targets
          .map((t) => t.ci)
          .filter((t) => targets.has(t))
          .sort(),
      }))
      .sort(byKey('change'));
    const failures = past.filter((p) => p.outcome !== 'successful').length;
    const rate = past.length === 0 ? 0 : failures / past.length;
    const counts = past.length >= w.failureRateMinSamples;
    const points = counts ? Math.round(w.failureRate * rate) : 0;
    add('failure_rate', 'Failure rate of past changes on the targets', points, [
      { samples: past.length, failures, rate: round3(rate), minSamples: w.failureRateMinSamples, points },
      ...past,
    ]);
  }

  add(
    'emergency',
    'Emergency change',
    input.type === 'emergency' ? w.emergency : 0,
    input.type === 'emergency' ? [{ type: 'emergency', points: w.emergency }] : [],
  );

  const score = sum(factors.map((f) => f.points));
  return { score, level: levelOf(score, policy), factors, policyVersion: policy.version };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function byKey<K extends string>(k: K) {
  return (a: Record<K, unknown>, b: Record<K, unknown>) => {
    const x = String(a[k]);
    const y = String(b[k]);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}
