/**
 * Blast radius details a reader of the report relies on and the main suite leaves open: which
 * equally short chain `via` names (the one that explains the CI's state), a CI counted once toward
 * its dependents' redundancy, repeated origins, queries on a shared index not seeing each other,
 * the order of redundancy groups, services and cycles, and the refusals of bad origins.
 */
import { describe, expect, it } from 'vitest';
import { InputError, NotFoundError } from '../../engine/errors.ts';
import { blastRadius, computeImpact, resolveOrigins, typeMask, type BlastRadiusResult } from '../../engine/impact/index.ts';
import { graphOf, indexOf, registry, step } from './helpers.ts';

const viaOf = (r: BlastRadiusResult, id: string) => r.impacted.find((i) => i.id === id)!.via;
const itemOf = (r: BlastRadiusResult, id: string) => r.impacted.find((i) => i.id === id)!;

describe('blast radius: which chain `via` names among equally short ones', () => {
  it('explains a degraded CI by its down provider rather than a degraded one with a smaller id', () => {
    // svc tolerates losing one of z, m (DEPENDS_ON, minAvailable 1) and runs on a, which is degraded.
    const g = graphOf({ svc: { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] }, z: {}, m: {}, a: { class: 'Server' } }, [
      ['svc', 'DEPENDS_ON', 'z'],
      ['svc', 'DEPENDS_ON', 'm'],
      ['svc', 'RUNS_ON', 'a'],
    ]);
    const r = blastRadius(indexOf(g), registry, [
      { ci: 'a', effect: 'degraded' },
      { ci: 'z', effect: 'down' },
    ]);
    expect(itemOf(r, 'svc')).toMatchObject({ state: 'degraded', depth: 1 });
    expect(viaOf(r, 'svc')).toEqual([step('svc', 'DEPENDS_ON', 'z')]);
  });

  it('explains a down CI by a down hard provider rather than a down member of a group that absorbed the loss', () => {
    const g = graphOf({ svc: { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] }, a: {}, m: {}, z: { class: 'Server' } }, [
      ['svc', 'DEPENDS_ON', 'a'],
      ['svc', 'DEPENDS_ON', 'm'],
      ['svc', 'RUNS_ON', 'z'],
    ]);
    const r = blastRadius(indexOf(g), registry, [
      { ci: 'a', effect: 'down' },
      { ci: 'z', effect: 'down' },
    ]);
    expect(itemOf(r, 'svc')).toMatchObject({ state: 'down', depth: 1 });
    expect(viaOf(r, 'svc')).toEqual([step('svc', 'RUNS_ON', 'z')]);
  });

  it('explains a down CI by a down hard provider rather than a member of its breached group', () => {
    const g = graphOf({ svc: { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 2 }] }, a: {}, y: {}, z: { class: 'Server' } }, [
      ['svc', 'DEPENDS_ON', 'a'],
      ['svc', 'DEPENDS_ON', 'y'],
      ['svc', 'RUNS_ON', 'z'],
    ]);
    const r = blastRadius(indexOf(g), registry, [
      { ci: 'a', effect: 'down' },
      { ci: 'z', effect: 'down' },
    ]);
    expect(itemOf(r, 'svc').redundancy).toMatchObject([{ relationship: 'DEPENDS_ON', breached: true }]);
    expect(viaOf(r, 'svc')).toEqual([step('svc', 'RUNS_ON', 'z')]);
  });

  it('explains a down CI by a member of the breached group rather than one of a group that absorbed its loss, and lists both groups by type', () => {
    // DEPENDS_ON needs both of z, y (breached when z fails); RUNS_ON needs one of a, b (absorbs a).
    const g = graphOf(
      {
        svc: {
          redundancy: [
            { relationship: 'RUNS_ON', minAvailable: 1 },
            { relationship: 'DEPENDS_ON', minAvailable: 2 },
          ],
        },
        z: {},
        y: {},
        a: { class: 'Server' },
        b: { class: 'Server' },
      },
      [
        ['svc', 'RUNS_ON', 'a'],
        ['svc', 'RUNS_ON', 'b'],
        ['svc', 'DEPENDS_ON', 'z'],
        ['svc', 'DEPENDS_ON', 'y'],
      ],
    );
    const r = blastRadius(indexOf(g), registry, [
      { ci: 'a', effect: 'down' },
      { ci: 'z', effect: 'down' },
    ]);
    expect(itemOf(r, 'svc')).toMatchObject({ state: 'down', depth: 1 });
    expect(viaOf(r, 'svc')).toEqual([step('svc', 'DEPENDS_ON', 'z')]);
    expect(itemOf(r, 'svc').redundancy).toEqual([
      {
        relationship: 'DEPENDS_ON',
        minAvailable: 2,
        members: 2,
        required: 2,
        available: 1,
        breached: true,
        failed: [step('svc', 'DEPENDS_ON', 'z')],
      },
      {
        relationship: 'RUNS_ON',
        minAvailable: 1,
        members: 2,
        required: 1,
        available: 1,
        breached: false,
        failed: [step('svc', 'RUNS_ON', 'a')],
      },
    ]);
  });

  it("names the registry's first type when one provider is reached by two propagating types", () => {
    // DEPENDS_ON comes before RUNS_ON in the registry.
    const g = graphOf({ app: {}, vm: { class: 'VirtualMachine' } }, [
      ['app', 'RUNS_ON', 'vm'],
      ['app', 'DEPENDS_ON', 'vm'],
    ]);
    const r = blastRadius(indexOf(g), registry, [{ ci: 'vm', effect: 'down' }]);
    expect(viaOf(r, 'app')).toEqual([step('app', 'DEPENDS_ON', 'vm')]);
  });
});

describe('blast radius: counting and repeated origins', () => {
  it("counts a CI once toward its dependents' redundancy, however many of its own failed members took it down", () => {
    // cl needs 2 of 3 members: all three fail. app runs on one of cl, cl2: losing cl leaves cl2.
    const g = graphOf(
      {
        cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
        cl2: { class: 'Cluster' },
        m1: { class: 'Server' },
        m2: { class: 'Server' },
        m3: { class: 'Server' },
        app: { redundancy: [{ relationship: 'RUNS_ON', minAvailable: 1 }] },
      },
      [
        ['m1', 'MEMBER_OF', 'cl'],
        ['m2', 'MEMBER_OF', 'cl'],
        ['m3', 'MEMBER_OF', 'cl'],
        ['app', 'RUNS_ON', 'cl'],
        ['app', 'RUNS_ON', 'cl2'],
      ],
    );
    const r = blastRadius(indexOf(g), registry, [
      { ci: 'm1', effect: 'down' },
      { ci: 'm2', effect: 'down' },
      { ci: 'm3', effect: 'down' },
    ]);
    expect(itemOf(r, 'cl').state).toBe('down');
    expect(itemOf(r, 'app')).toMatchObject({ state: 'degraded', depth: 2 });
    expect(itemOf(r, 'app').redundancy).toEqual([
      {
        relationship: 'RUNS_ON',
        minAvailable: 1,
        members: 2,
        required: 1,
        available: 1,
        breached: false,
        failed: [step('app', 'RUNS_ON', 'cl')],
      },
    ]);
  });

  it('reports an origin given twice once, with the stronger effect, whichever order the two come in', () => {
    const g = graphOf({ db: { class: 'Database' }, app: {} }, [['app', 'DEPENDS_ON', 'db']]);
    const index = indexOf(g);
    for (const origins of [
      [
        { ci: 'db', effect: 'down' as const },
        { ci: 'db', effect: 'degraded' as const },
      ],
      [
        { ci: 'db', effect: 'degraded' as const },
        { ci: 'db', effect: 'down' as const },
      ],
    ]) {
      const r = blastRadius(index, registry, origins);
      expect(r.origins).toEqual([{ id: 'db', effect: 'down', state: 'down' }]);
      expect(r.impacted.map((i) => [i.id, i.state, i.depth])).toEqual([['app', 'down', 1]]);
    }
  });

  it('leaves no key `redundancy` on a CI without a group that lost a member, even when another CI has one', () => {
    const g = graphOf({ app: { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] }, db1: {}, db2: {}, web: {} }, [
      ['app', 'DEPENDS_ON', 'db1'],
      ['app', 'DEPENDS_ON', 'db2'],
      ['web', 'DEPENDS_ON', 'app'],
    ]);
    const r = blastRadius(indexOf(g), registry, [{ ci: 'db1', effect: 'down' }]);
    expect(r.impacted.map((i) => [i.id, 'redundancy' in i])).toEqual([
      ['app', true],
      ['web', false],
    ]);
  });
});

describe('blast radius: one index, many queries', () => {
  it('starts every origin at depth 0 even where an earlier query on the same index left deeper CIs', () => {
    const g = graphOf({ a: {}, b: {}, c: {}, d: {}, x: {}, y: {}, z: {}, xd: {}, yd: {}, zd: {} }, [
      ['b', 'DEPENDS_ON', 'a'],
      ['c', 'DEPENDS_ON', 'b'],
      ['d', 'DEPENDS_ON', 'c'],
      ['xd', 'DEPENDS_ON', 'x'],
      ['yd', 'DEPENDS_ON', 'y'],
      ['zd', 'DEPENDS_ON', 'z'],
    ]);
    const index = indexOf(g);
    expect(blastRadius(index, registry, [{ ci: 'a', effect: 'down' }]).impacted.map((i) => i.depth)).toEqual([1, 2, 3]);
    const r = blastRadius(index, registry, [
      { ci: 'x', effect: 'down' },
      { ci: 'y', effect: 'down' },
      { ci: 'z', effect: 'down' },
    ]);
    expect(r.impacted.map((i) => [i.id, i.depth, i.via.length])).toEqual([
      ['xd', 1, 1],
      ['yd', 1, 1],
      ['zd', 1, 1],
    ]);
  });

  it("keeps a CI's via when an origin of a later query sat deeper in an earlier one", () => {
    const g = graphOf({ a: {}, b: {}, x: {}, u: {}, d1: {} }, [
      ['b', 'DEPENDS_ON', 'a'],
      ['x', 'DEPENDS_ON', 'a'],
      ['x', 'DEPENDS_ON', 'u'],
      ['d1', 'DEPENDS_ON', 'x'],
    ]);
    const index = indexOf(g);
    expect(blastRadius(index, registry, [{ ci: 'a', effect: 'down' }]).impacted.map((i) => i.id)).toEqual(['b', 'x', 'd1']);
    const r = blastRadius(index, registry, [
      { ci: 'x', effect: 'down' },
      { ci: 'u', effect: 'down' },
    ]);
    expect(r.impacted.map((i) => [i.id, i.depth, i.via])).toEqual([['d1', 1, [step('d1', 'DEPENDS_ON', 'x')]]]);
  });

  it('places an origin given twice once in the computed order', () => {
    const g = graphOf({ db: {}, app: {} }, [['app', 'DEPENDS_ON', 'db']]);
    const index = indexOf(g);
    const core = computeImpact(
      index,
      resolveOrigins(index, [
        { ci: 'db', effect: 'degraded' },
        { ci: 'db', effect: 'down' },
      ]),
      typeMask(index, undefined, 'impact'),
    );
    expect({ size: core.size, originCount: core.originCount, order: Array.from(core.order, (n) => index.nodeIds[n]) }).toEqual({
      size: 2,
      originCount: 1,
      order: ['db', 'app'],
    });
    expect(Array.from(core.state)).toEqual([2, 2]);
  });

  it('answers computeImpact with arrays of its own that a later query on the same index does not overwrite', () => {
    const g = graphOf({ a: {}, b: {}, c: {}, x: {}, xd: {} }, [
      ['b', 'DEPENDS_ON', 'a'],
      ['c', 'DEPENDS_ON', 'b'],
      ['xd', 'DEPENDS_ON', 'x'],
    ]);
    const index = indexOf(g);
    const mask = typeMask(index, undefined, 'impact');
    const first = computeImpact(index, resolveOrigins(index, [{ ci: 'a', effect: 'down' }]), mask);
    const ids = (core: typeof first) => Array.from(core.order, (n) => index.nodeIds[n]);
    expect(ids(first)).toEqual(['a', 'b', 'c']);
    expect(Array.from(first.depth)).toEqual([0, 1, 2]);
    const second = computeImpact(index, resolveOrigins(index, [{ ci: 'x', effect: 'degraded' }]), mask);
    expect(ids(second)).toEqual(['x', 'xd']);
    expect(ids(first)).toEqual(['a', 'b', 'c']);
    expect(Array.from(first.depth)).toEqual([0, 1, 2]);
    expect(Array.from(first.parentPos)).toEqual([-1, 0, 1]);
    expect(Array.from(first.parentType.subarray(1), (t) => index.typeNames[t])).toEqual(['DEPENDS_ON', 'DEPENDS_ON']);
  });
});

describe('blast radius: order of services and cycles', () => {
  it('lists services by criticality before id', () => {
    const g = graphOf(
      {
        db: { class: 'Database' },
        'a-svc': { class: 'BusinessService', criticality: 3 },
        'z-svc': { class: 'BusinessService', criticality: 1 },
      },
      [
        ['a-svc', 'DEPENDS_ON', 'db'],
        ['z-svc', 'DEPENDS_ON', 'db'],
      ],
    );
    const r = blastRadius(indexOf(g), registry, [{ ci: 'db', effect: 'down' }]);
    expect(r.services.map((s) => s.id)).toEqual(['z-svc', 'a-svc']);
  });

  for (const order of ['as-given', 'reversed'] as const) {
    it(`lists several cycles each sorted and in order of their first id, graph built ${order}`, () => {
      const g = graphOf(
        { o: {}, q: {}, p: {}, c: {}, b: {} },
        [
          ['q', 'DEPENDS_ON', 'o'],
          ['p', 'DEPENDS_ON', 'q'],
          ['q', 'DEPENDS_ON', 'p'],
          ['c', 'DEPENDS_ON', 'o'],
          ['b', 'DEPENDS_ON', 'c'],
          ['c', 'DEPENDS_ON', 'b'],
        ],
        order,
      );
      const r = blastRadius(indexOf(g), registry, [{ ci: 'o', effect: 'down' }]);
      expect(r.cycles).toEqual([
        ['b', 'c'],
        ['p', 'q'],
      ]);
    });
  }
});

describe('blast radius: refused origins', () => {
  it('refuses an effect other than down or degraded, naming it and the CI', () => {
    const g = graphOf({ a: {} }, []);
    const bad = [{ ci: 'a', effect: 'sideways' as never }];
    expect(() => blastRadius(indexOf(g), registry, bad)).toThrow(InputError);
    expect(() => blastRadius(indexOf(g), registry, bad)).toThrow('impact: effect "sideways" of CI "a" must be down or degraded');
  });

  it('names the unknown CI in the error details clients read', () => {
    const g = graphOf({ a: {} }, []);
    expect(() => blastRadius(indexOf(g), registry, [{ ci: 'nope', effect: 'down' }])).toThrow(
      expect.objectContaining({ constructor: NotFoundError, details: { ci: 'nope' } }),
    );
  });
});
