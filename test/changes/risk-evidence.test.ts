/**
 * The evidence a CAB reads beside each risk factor: labels, per-state points, samples, ordering and
 * the empty cases — pinned in full, since the CAB reads the evidence, not only the score.
 */
import { describe, expect, it } from 'vitest';
import { assessRisk } from '../../engine/changes/risk.ts';
import type { ChangeDoc, FreezeHit } from '../../engine/changes/model.ts';
import { defaultPolicy, loadPolicy } from '../../engine/policy/policy.ts';
import { factorOf as factor, riskInput as input, type NodeSpec } from './helpers.ts';

const policy = defaultPolicy();

/** n applications depending on db, ids app-00 … */
function fan(n: number): [Record<string, NodeSpec>, [string, string, string][]] {
  const nodes: Record<string, NodeSpec> = { db: { class: 'Database' } };
  const edges: [string, string, string][] = [];
  for (let i = 0; i < n; i++) {
    const id = `app-${String(i).padStart(2, '0')}`;
    nodes[id] = {};
    edges.push([id, 'DEPENDS_ON', 'db']);
  }
  return [nodes, edges];
}

describe('risk evidence', () => {
  it('labels every factor for the CAB', () => {
    const r = assessRisk(input({ db: {} }, [], [{ ci: 'db', effect: 'none' }]), policy);
    expect(r.factors.map((f) => [f.id, f.label])).toEqual([
      ['business_services', 'Impacted business services by criticality'],
      ['outage', 'CIs taken down vs. degraded'],
      ['redundancy_margin', 'Redundancy margin left in degraded groups'],
      ['conflicts', 'Conflicting changes in overlapping windows'],
      ['freeze_windows', 'Freeze windows the change falls into'],
      ['maintenance_window', 'Targets planned outside their maintenance windows'],
      ['open_incidents', 'Open incidents on impacted CIs'],
      ['open_problems', 'Open problems on impacted CIs'],
      ['failure_rate', 'Failure rate of past changes on the targets'],
      ['emergency', 'Emergency change'],
    ]);
    expect(r.policyVersion).toBe(policy.version);
  });

  it('gives per-state points with the policy weights and samples at most 20 CIs per state', () => {
    const p = loadPolicy({ weights: { downCI: 3, degradedCI: 2, impactCap: 1000 } });
    const [nodes, edges] = fan(24);
    const r = assessRisk(input(nodes, edges, [{ ci: 'db', effect: 'down' }]), p);
    const [down, degraded, ...rest] = factor(r, 'outage').evidence as { state: string; count: number; points: number; cis: string[] }[];
    expect(down).toMatchObject({ state: 'down', count: 25, points: 75 });
    expect(down!.cis).toHaveLength(20);
    expect(down!.cis[0]).toBe('db');
    expect(degraded).toEqual({ state: 'degraded', count: 0, points: 0, cis: [] });
    expect(rest).toEqual([]);
    expect(factor(r, 'outage').points).toBe(75);
    const deg = assessRisk(input(nodes, edges, [{ ci: 'db', effect: 'degraded' }]), p);
    expect(factor(deg, 'outage').evidence[1]).toMatchObject({ state: 'degraded', count: 25, points: 50 });
    expect((factor(deg, 'outage').evidence[1] as { cis: string[] }).cis).toHaveLength(20);
    expect(factor(deg, 'outage').points).toBe(50);
  });

  it('does not flag a cap when the raw score equals it', () => {
    const [nodes, edges] = fan(9); // db + 9 apps down: 10 × 2 = 20 = impactCap
    const r = assessRisk(input(nodes, edges, [{ ci: 'db', effect: 'down' }]), policy);
    expect(factor(r, 'outage').points).toBe(20);
    expect(factor(r, 'outage').evidence).toHaveLength(2);
  });

  it('lists no redundancy evidence for impacted CIs without groups, nor for breached groups', () => {
    const [nodes, edges] = fan(2);
    expect(factor(assessRisk(input(nodes, edges, [{ ci: 'db', effect: 'down' }]), policy), 'redundancy_margin')).toMatchObject({
      points: 0,
      evidence: [],
    });
    const cl = {
      cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
      m1: { class: 'Server' },
      m2: { class: 'Server' },
    };
    const breached = assessRisk(
      input(
        cl,
        [
          ['m1', 'MEMBER_OF', 'cl'],
          ['m2', 'MEMBER_OF', 'cl'],
        ],
        [{ ci: 'm1', effect: 'down' }],
      ),
      policy,
    );
    expect(factor(breached, 'redundancy_margin')).toMatchObject({ points: 0, evidence: [] });
  });

  it('lists the CIs a freeze window covers, and the emergency override', () => {
    const freeze: FreezeHit = {
      window: 'FRZ-000002',
      name: 'peak',
      start: 'a',
      end: 'b',
      global: false,
      cis: [{ ci: 'db', via: 'service' } as FreezeHit['cis'][number]],
    };
    const r = assessRisk(input({ db: {} }, [], [{ ci: 'db', effect: 'none' }], { freezes: [freeze] }), policy);
    expect(factor(r, 'freeze_windows').evidence).toEqual([
      { window: 'FRZ-000002', name: 'peak', global: false, cis: ['db'], override: false, points: 40 },
    ]);
  });

  it('counts incidents on a target whose effect is none, sorted by id, with their touched CIs sorted', () => {
    const r = assessRisk(
      input(
        { db: {}, web: {} },
        [['web', 'DEPENDS_ON', 'db']],
        [
          { ci: 'db', effect: 'none' },
          { ci: 'web', effect: 'none' },
        ],
        {
          incidents: [
            { id: 'INC-9', cis: ['web', 'db', 'far'], state: 'new' },
            { id: 'INC-1', cis: ['db'], state: 'on_hold' },
          ],
          problems: [
            { id: 'PRB-9', cis: ['web', 'db'], state: 'new' },
            { id: 'PRB-1', rootCause: 'db', cis: [], state: 'investigating' },
          ],
        },
      ),
      policy,
    );
    expect(factor(r, 'open_incidents').evidence).toEqual([
      { incident: 'INC-1', state: 'on_hold', cis: ['db'], points: 5 },
      { incident: 'INC-9', state: 'new', cis: ['db', 'web'], points: 5 },
    ]);
    expect(factor(r, 'open_problems').evidence).toEqual([
      { problem: 'PRB-1', state: 'investigating', rootCause: 'db', cis: ['db'], points: 5 },
      { problem: 'PRB-9', state: 'new', rootCause: null, cis: ['db', 'web'], points: 5 },
    ]);
  });

  it('counts a past change that shared any target, lists the shared targets sorted, past changes by id', () => {
    const past = (id: string, cis: string[], outcome: 'failed' | 'successful'): Pick<ChangeDoc, 'id' | 'targets' | 'review'> => ({
      id,
      targets: cis.map((ci) => ({ ci, effect: 'down' as const })),
      review: { outcome, notes: '' },
    });
    const r = assessRisk(
      input(
        { db: {}, cache: {}, zz: {} },
        [],
        [
          { ci: 'db', effect: 'none' },
          { ci: 'cache', effect: 'none' },
        ],
        {
          pastChanges: [
            past('CHG-000009', ['zz', 'db', 'cache'], 'failed'),
            past('CHG-000002', ['cache'], 'successful'),
            past('CHG-000005', ['zz'], 'failed'),
          ],
        },
      ),
      policy,
    );
    expect(factor(r, 'failure_rate').evidence).toEqual([
      { samples: 2, failures: 1, rate: 0.5, minSamples: 1, points: 15 },
      { change: 'CHG-000002', outcome: 'successful', cis: ['cache'] },
      { change: 'CHG-000009', outcome: 'failed', cis: ['cache', 'db'] },
    ]);
  });

  it('reports a zero rate, not NaN, when no past change shared a target', () => {
    const r = assessRisk(input({ db: {} }, [], [{ ci: 'db', effect: 'none' }]), policy);
    expect(factor(r, 'failure_rate').evidence).toEqual([{ samples: 0, failures: 0, rate: 0, minSamples: 1, points: 0 }]);
  });

  it('gives emergency evidence only for an emergency change', () => {
    const normal = assessRisk(input({ db: {} }, [], [{ ci: 'db', effect: 'none' }]), policy);
    expect(factor(normal, 'emergency')).toEqual({ id: 'emergency', label: 'Emergency change', points: 0, evidence: [] });
    const emergency = assessRisk({ ...input({ db: {} }, [], [{ ci: 'db', effect: 'none' }]), type: 'emergency' }, policy);
    expect(factor(emergency, 'emergency')).toEqual({
      id: 'emergency',
      label: 'Emergency change',
      points: 15,
      evidence: [{ type: 'emergency', points: 15 }],
    });
  });
});
