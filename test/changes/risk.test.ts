/** Risk factors one at a time on tiny graphs, with the points checked by hand against the default policy. */
import { describe, expect, it } from 'vitest';
import { assessRisk } from '../../engine/changes/risk.ts';
import type { ChangeDoc, Conflict, FreezeHit } from '../../engine/changes/model.ts';
import { defaultPolicy, levelOf, loadPolicy } from '../../engine/policy/policy.ts';
import { factorOf as factor, riskInput as input, type NodeSpec } from './helpers.ts';

const policy = defaultPolicy();

// shop (tier 1) and blog (tier 3) both depend on db.
const twoServices: [Record<string, NodeSpec>, [string, string, string][]] = [
  { shop: { class: 'BusinessService', criticality: 1 }, blog: { class: 'BusinessService', criticality: 3 }, db: { class: 'Database' } },
  [
    ['shop', 'DEPENDS_ON', 'db'],
    ['blog', 'DEPENDS_ON', 'db'],
  ],
];

describe('risk assessment', () => {
  it('scores impacted business services by criticality tier: tier 1 down 40 + tier 3 down 10', () => {
    const r = assessRisk(input(...twoServices, [{ ci: 'db', effect: 'down' }]), policy);
    const f = factor(r, 'business_services');
    expect(f.points).toBe(50);
    expect(f.evidence).toEqual([
      { service: 'shop', name: 'shop name', criticality: 1, state: 'down', owner: null, points: 40 },
      { service: 'blog', name: 'blog name', criticality: 3, state: 'down', owner: null, points: 10 },
    ]);
    // outage: db + shop + blog down, 3 × 2 = 6; total 56 → high (40 ≤ 56 < 70)
    expect(factor(r, 'outage').points).toBe(6);
    expect(r.score).toBe(56);
    expect(r.level).toBe('high');
  });

  it('scores a degradation lower than an outage: tier 1 degraded 20 + tier 3 degraded 5 + 3 degraded CIs', () => {
    const r = assessRisk(input(...twoServices, [{ ci: 'db', effect: 'degraded' }]), policy);
    expect(factor(r, 'business_services').points).toBe(25);
    expect(factor(r, 'outage').points).toBe(3);
    expect(factor(r, 'outage').evidence.slice(0, 2)).toEqual([
      { state: 'down', count: 0, points: 0, cis: [] },
      { state: 'degraded', count: 3, points: 3, cis: ['db', 'blog', 'shop'] },
    ]);
    expect(r.score).toBe(28);
    expect(r.level).toBe('medium');
  });

  it('caps the outage factor at impactCap (16 CIs down would be 32 points)', () => {
    const nodes: Record<string, NodeSpec> = { db: { class: 'Database' } };
    const edges: [string, string, string][] = [];
    for (let i = 0; i < 15; i++) {
      nodes[`app-${String(i).padStart(2, '0')}`] = {};
      edges.push([`app-${String(i).padStart(2, '0')}`, 'DEPENDS_ON', 'db']);
    }
    const r = assessRisk(input(nodes, edges, [{ ci: 'db', effect: 'down' }]), policy);
    expect(factor(r, 'outage').points).toBe(20);
    expect(factor(r, 'outage').evidence[2]).toEqual({ capped: true, raw: 32, cap: 20 });
  });

  it('scores the redundancy margin left: a 3-member group needing 2 that lost one tolerates no more failure (15)', () => {
    const nodes = {
      cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
      m1: { class: 'Server' },
      m2: { class: 'Server' },
      m3: { class: 'Server' },
    };
    const edges: [string, string, string][] = [
      ['m1', 'MEMBER_OF', 'cl'],
      ['m2', 'MEMBER_OF', 'cl'],
      ['m3', 'MEMBER_OF', 'cl'],
    ];
    const r = assessRisk(input(nodes, edges, [{ ci: 'm1', effect: 'down' }]), policy);
    expect(factor(r, 'redundancy_margin')).toMatchObject({
      points: 15,
      evidence: [{ ci: 'cl', relationship: 'MEMBER_OF', members: 3, required: 2, available: 2, margin: 0, points: 15 }],
    });
    // m1 down (2) + cl degraded (1)
    expect(factor(r, 'outage').points).toBe(3);
    expect(r.score).toBe(18);

    const loose = { ...nodes, cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 1 }] } };
    const r1 = assessRisk(input(loose, edges, [{ ci: 'm1', effect: 'down' }]), policy);
    expect(factor(r1, 'redundancy_margin')).toMatchObject({ points: 5, evidence: [{ margin: 1, points: 5 }] });
  });

  it('does not score a breached group as margin: the outage already counts it', () => {
    const nodes = {
      cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
      m1: { class: 'Server' },
      m2: { class: 'Server' },
    };
    const r = assessRisk(
      input(
        nodes,
        [
          ['m1', 'MEMBER_OF', 'cl'],
          ['m2', 'MEMBER_OF', 'cl'],
        ],
        [{ ci: 'm1', effect: 'down' }],
      ),
      policy,
    );
    expect(factor(r, 'redundancy_margin').points).toBe(0);
    expect(factor(r, 'outage').points).toBe(4);
  });

  it('scores 15 per conflicting change and 40 per freeze window, flagging an emergency override', () => {
    const conflict = (change: string): Conflict => ({
      change,
      title: change,
      state: 'approved',
      overlap: { start: 'a', end: 'b' },
      reasons: [{ kind: 'shared_target', cis: ['db'], message: 'x' }],
    });
    const freeze: FreezeHit = {
      window: 'FRZ-000001',
      name: 'year end',
      start: 'a',
      end: 'b',
      global: true,
      cis: [{ ci: 'db', via: 'global' }],
    };
    const base = input({ db: { class: 'Database' } }, [], [{ ci: 'db', effect: 'none' }], {
      conflicts: [conflict('CHG-000001'), conflict('CHG-000002')],
      freezes: [freeze],
    });
    const r = assessRisk(base, policy);
    expect(factor(r, 'conflicts').points).toBe(30);
    expect(factor(r, 'conflicts').evidence[0]).toEqual({
      change: 'CHG-000001',
      overlap: { start: 'a', end: 'b' },
      reasons: ['shared_target'],
      points: 15,
    });
    expect(factor(r, 'freeze_windows')).toMatchObject({ points: 40, evidence: [{ window: 'FRZ-000001', override: false }] });
    const e = assessRisk({ ...base, type: 'emergency' }, policy);
    expect(factor(e, 'freeze_windows').evidence[0]).toMatchObject({ override: true });
    expect(factor(e, 'emergency').points).toBe(15);
    expect(e.score).toBe(85);
    expect(e.level).toBe('critical');
  });

  it('scores open incidents and problems on impacted CIs only (5 each), ignoring closed ones and unrelated CIs', () => {
    const r = assessRisk(
      input(...twoServices, [{ ci: 'db', effect: 'degraded' }], {
        incidents: [
          { id: 'INC-1', cis: ['shop'], state: 'in_progress' },
          { id: 'INC-2', cis: ['db', 'elsewhere'], state: 'new' },
          { id: 'INC-3', cis: ['db'], state: 'resolved' },
          { id: 'INC-4', cis: ['elsewhere'], state: 'new' },
        ],
        problems: [
          { id: 'PRB-1', rootCause: 'db', cis: [], state: 'known_error' },
          { id: 'PRB-2', rootCause: 'db', cis: [], state: 'closed' },
          { id: 'PRB-3', rootCause: 'elsewhere', cis: ['blog'], state: 'investigating' },
        ],
      }),
      policy,
    );
    expect(factor(r, 'open_incidents')).toMatchObject({
      points: 10,
      evidence: [
        { incident: 'INC-1', cis: ['shop'] },
        { incident: 'INC-2', cis: ['db'] },
      ],
    });
    expect(factor(r, 'open_problems')).toMatchObject({
      points: 10,
      evidence: [
        { problem: 'PRB-1', cis: ['db'] },
        { problem: 'PRB-3', cis: ['blog'] },
      ],
    });
  });

  it('scores the failure rate of past reviewed changes on the same targets: 2 of 3 failed → round(30 × 2/3) = 20', () => {
    const past = (
      id: string,
      ci: string,
      outcome: 'successful' | 'failed' | 'rolled_back' | null,
    ): Pick<ChangeDoc, 'id' | 'targets' | 'review'> => ({
      id,
      targets: [{ ci, effect: 'down' }],
      review: outcome === null ? null : { outcome, notes: '' },
    });
    const r = assessRisk(
      input({ db: { class: 'Database' }, other: {} }, [], [{ ci: 'db', effect: 'none' }], {
        pastChanges: [
          past('CHG-000001', 'db', 'failed'),
          past('CHG-000002', 'db', 'rolled_back'),
          past('CHG-000003', 'db', 'successful'),
          past('CHG-000004', 'db', null),
          past('CHG-000005', 'other', 'failed'),
          past('CHG-000100', 'db', 'failed'),
        ],
      }),
      policy,
    );
    const f = factor(r, 'failure_rate');
    expect(f.points).toBe(20);
    expect(f.evidence[0]).toEqual({ samples: 3, failures: 2, rate: 0.667, minSamples: 1, points: 20 });
    expect(f.evidence.slice(1).map((e) => e.change)).toEqual(['CHG-000001', 'CHG-000002', 'CHG-000003']);
  });

  it('waits for failureRateMinSamples before scoring a failure rate', () => {
    const p = loadPolicy({ weights: { failureRateMinSamples: 2 } });
    const r = assessRisk(
      input({ db: {} }, [], [{ ci: 'db', effect: 'none' }], {
        pastChanges: [{ id: 'CHG-000001', targets: [{ ci: 'db', effect: 'down' }], review: { outcome: 'failed', notes: '' } }],
      }),
      p,
    );
    expect(factor(r, 'failure_rate').points).toBe(0);
  });

  it('scores the failure rate once exactly failureRateMinSamples reviewed changes exist', () => {
    const p = loadPolicy({ weights: { failureRateMinSamples: 2 } });
    const reviewed = (id: string, outcome: 'failed' | 'successful') => ({
      id,
      targets: [{ ci: 'db', effect: 'down' as const }],
      review: { outcome, notes: '' },
    });
    const r = assessRisk(
      input({ db: {} }, [], [{ ci: 'db', effect: 'none' }], {
        pastChanges: [reviewed('CHG-000001', 'failed'), reviewed('CHG-000002', 'successful')],
      }),
      p,
    );
    // 1 of 2 failed → round(30 × 0.5) = 15
    expect(factor(r, 'failure_rate').points).toBe(15);
    expect(factor(r, 'failure_rate').evidence[0]).toEqual({ samples: 2, failures: 1, rate: 0.5, minSamples: 2, points: 15 });
  });

  it('ignores open problems whose root cause and CIs all lie outside what the change touches', () => {
    const r = assessRisk(
      input(...twoServices, [{ ci: 'db', effect: 'degraded' }], {
        problems: [
          { id: 'PRB-7', rootCause: 'elsewhere', cis: ['far-away'], state: 'investigating' },
          { id: 'PRB-8', cis: ['shop', 'far-away'], state: 'new' },
        ],
      }),
      policy,
    );
    expect(factor(r, 'open_problems')).toEqual({
      id: 'open_problems',
      label: 'Open problems on impacted CIs',
      points: 5,
      evidence: [{ problem: 'PRB-8', state: 'new', rootCause: null, cis: ['shop'], points: 5 }],
    });
  });

  it('scores 5 when targets are planned outside their maintenance windows', () => {
    const r = assessRisk(
      input({ db: {} }, [], [{ ci: 'db', effect: 'none' }], {
        maintenance: { outside: [{ ci: 'db', windows: ['MW-000001'] }], inside: [] },
      }),
      policy,
    );
    expect(factor(r, 'maintenance_window')).toEqual({
      id: 'maintenance_window',
      label: 'Targets planned outside their maintenance windows',
      points: 5,
      evidence: [{ ci: 'db', windows: ['MW-000001'] }],
    });
  });

  it('reports every factor in a fixed order, with 0 points when it does not apply', () => {
    const r = assessRisk(input({ db: {} }, [], [{ ci: 'db', effect: 'none' }]), policy);
    expect(r.factors.map((f) => [f.id, f.points])).toEqual([
      ['business_services', 0],
      ['outage', 0],
      ['redundancy_margin', 0],
      ['conflicts', 0],
      ['freeze_windows', 0],
      ['maintenance_window', 0],
      ['open_incidents', 0],
      ['open_problems', 0],
      ['failure_rate', 0],
      ['emergency', 0],
    ]);
    expect(r).toMatchObject({ score: 0, level: 'low', policyVersion: policy.version });
  });

  it('maps scores to levels at the policy thresholds 15 / 40 / 70', () => {
    expect([0, 14, 15, 39, 40, 69, 70].map((s) => levelOf(s, policy))).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
    ]);
  });

  it('is deterministic: the same input gives the same result', () => {
    const a = assessRisk(input(...twoServices, [{ ci: 'db', effect: 'down' }]), policy);
    const b = assessRisk(input(...twoServices, [{ ci: 'db', effect: 'down' }]), policy);
    expect(a).toEqual(b);
  });

  it('refuses a policy override with thresholds out of order', () => {
    expect(() => loadPolicy({ thresholds: { medium: 50, high: 40 } })).toThrow(/not a valid policy/);
  });
});
