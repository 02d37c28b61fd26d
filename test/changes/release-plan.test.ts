/** Deployment plans: providers before dependents, a dependency cycle as one flagged step. */
import { describe, expect, it } from 'vitest';
import { deploymentPlan } from '../../engine/releases/plan.ts';
import { graphOf, indexOf, registry } from './helpers.ts';

describe('release deployment plan', () => {
  it('orders providers before dependents, through CIs outside the release, and flags a cycle as one step', () => {
    // web → app → z-db (app is not a target); a ⇄ b, a → z-db; member m MEMBER_OF cluster (the group depends on its members).
    const g = graphOf(
      { web: {}, app: {}, 'z-db': { class: 'Database' }, a: {}, b: {}, cluster: { class: 'Cluster' }, m: { class: 'Server' }, solo: {} },
      [
        ['web', 'DEPENDS_ON', 'app'],
        ['app', 'DEPENDS_ON', 'z-db'],
        ['a', 'DEPENDS_ON', 'b'],
        ['b', 'DEPENDS_ON', 'a'],
        ['a', 'DEPENDS_ON', 'z-db'],
        ['m', 'MEMBER_OF', 'cluster'],
      ],
    );
    const plan = deploymentPlan(indexOf(g), registry, [
      { ci: 'web', change: 'CHG-000003' },
      { ci: 'a', change: 'CHG-000002' },
      { ci: 'b', change: 'CHG-000002' },
      { ci: 'z-db', change: 'CHG-000001' },
      { ci: 'cluster', change: 'CHG-000004' },
      { ci: 'm', change: 'CHG-000004' },
      { ci: 'solo', change: 'CHG-000001' },
    ]);
    expect(plan.steps).toEqual([
      { step: 1, wave: 0, cis: ['m'], cycle: false, changes: ['CHG-000004'], after: [] },
      { step: 2, wave: 1, cis: ['cluster'], cycle: false, changes: ['CHG-000004'], after: [1] },
      { step: 3, wave: 0, cis: ['solo'], cycle: false, changes: ['CHG-000001'], after: [] },
      { step: 4, wave: 0, cis: ['z-db'], cycle: false, changes: ['CHG-000001'], after: [] },
      { step: 5, wave: 1, cis: ['a', 'b'], cycle: true, changes: ['CHG-000002'], after: [4] },
      { step: 6, wave: 1, cis: ['web'], cycle: false, changes: ['CHG-000003'], after: [4] },
    ]);
    expect(plan.cycles).toEqual([['a', 'b']]);
    expect(plan.dependencies).toContainEqual({ dependent: 'web', provider: 'z-db' });
  });

  it('does not depend on the order targets are given in', () => {
    const g = graphOf({ x: {}, y: {}, z: {} }, [
      ['x', 'DEPENDS_ON', 'y'],
      ['y', 'RUNS_ON', 'z'],
    ]);
    const t = [
      { ci: 'x', change: 'CHG-000001' },
      { ci: 'y', change: 'CHG-000001' },
      { ci: 'z', change: 'CHG-000002' },
    ];
    const a = deploymentPlan(indexOf(g), registry, t);
    expect(a.steps.map((s) => s.cis)).toEqual([['z'], ['y'], ['x']]);
    expect(deploymentPlan(indexOf(g), registry, [...t].reverse())).toEqual(a);
  });
});
