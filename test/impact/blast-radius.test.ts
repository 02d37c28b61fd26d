import { describe, expect, it } from 'vitest';
import { blastRadius, buildImpactIndex, type BlastRadiusResult } from '../../engine/impact/index.ts';
import { InputError, NotFoundError } from '../../engine/errors.ts';
import { graphOf, indexOf, registry, step } from './helpers.ts';

const brief = (r: BlastRadiusResult) => r.impacted.map((i) => [i.id, i.state, i.depth]);
const viaOf = (r: BlastRadiusResult, id: string) => r.impacted.find((i) => i.id === id)!.via;

describe('blastRadius', () => {
  it('takes every dependent of a down provider down through hard dependencies, one hop per relationship', () => {
    const g = graphOf({ app: {}, db: { class: 'Database' }, vm: { class: 'VirtualMachine' }, esx: { class: 'Hypervisor' } }, [
      ['app', 'DEPENDS_ON', 'db'],
      ['db', 'RUNS_ON', 'vm'],
      ['vm', 'HOSTED_ON', 'esx'],
    ]);
    const r = blastRadius(indexOf(g), registry, [{ ci: 'esx', effect: 'down' }]);
    expect(r.origins).toEqual([{ id: 'esx', effect: 'down', state: 'down' }]);
    expect(r.impacted).toEqual([
      {
        id: 'vm',
        class: 'VirtualMachine',
        name: 'vm name',
        environment: 'production',
        state: 'down',
        depth: 1,
        via: [step('vm', 'HOSTED_ON', 'esx')],
      },
      {
        id: 'db',
        class: 'Database',
        name: 'db name',
        environment: 'production',
        state: 'down',
        depth: 2,
        via: [step('vm', 'HOSTED_ON', 'esx'), step('db', 'RUNS_ON', 'vm')],
      },
      {
        id: 'app',
        class: 'Application',
        name: 'app name',
        environment: 'production',
        state: 'down',
        depth: 3,
        via: [step('vm', 'HOSTED_ON', 'esx'), step('db', 'RUNS_ON', 'vm'), step('app', 'DEPENDS_ON', 'db')],
      },
    ]);
    expect(r.cycles).toEqual([]);
  });

  describe('a k-of-n redundancy group (count)', () => {
    const g = graphOf(
      {
        cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
        m1: { class: 'Server' },
        m2: { class: 'Server' },
        m3: { class: 'Server' },
        app: {},
      },
      [
        ['m1', 'MEMBER_OF', 'cl'],
        ['m2', 'MEMBER_OF', 'cl'],
        ['m3', 'MEMBER_OF', 'cl'],
        ['app', 'RUNS_ON', 'cl'],
      ],
    );

    it('absorbs a failure that leaves exactly minAvailable members: the group is degraded', () => {
      const r = blastRadius(indexOf(g), registry, [{ ci: 'm1', effect: 'down' }]);
      expect(brief(r)).toEqual([
        ['cl', 'degraded', 1],
        ['app', 'degraded', 2],
      ]);
      expect(viaOf(r, 'cl')).toEqual([step('m1', 'MEMBER_OF', 'cl')]);
      expect(r.impacted[0]!.redundancy).toEqual([
        {
          relationship: 'MEMBER_OF',
          minAvailable: 2,
          members: 3,
          required: 2,
          available: 2,
          breached: false,
          failed: [step('m1', 'MEMBER_OF', 'cl')],
        },
      ]);
      expect(r.impacted[1]!.redundancy).toBeUndefined();
    });

    it('goes down when one fewer than minAvailable remains, explaining the outage by the failed members', () => {
      const r = blastRadius(indexOf(g), registry, [
        { ci: 'm2', effect: 'down' },
        { ci: 'm1', effect: 'down' },
      ]);
      expect(brief(r)).toEqual([
        ['cl', 'down', 1],
        ['app', 'down', 2],
      ]);
      expect(viaOf(r, 'cl')).toEqual([step('m1', 'MEMBER_OF', 'cl')]);
      expect(viaOf(r, 'app')).toEqual([step('m1', 'MEMBER_OF', 'cl'), step('app', 'RUNS_ON', 'cl')]);
      expect(r.impacted[0]!.redundancy).toEqual([
        {
          relationship: 'MEMBER_OF',
          minAvailable: 2,
          members: 3,
          required: 2,
          available: 1,
          breached: true,
          failed: [step('m1', 'MEMBER_OF', 'cl'), step('m2', 'MEMBER_OF', 'cl')],
        },
      ]);
    });
  });

  it('rounds a percentage rule up: exactly the required count left is degraded, one fewer is down', () => {
    const replicas = (n: number, rule: string) =>
      graphOf(
        {
          app: { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: rule }] },
          ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`r${i + 1}`, { class: 'Database' }])),
        },
        Array.from({ length: n }, (_, i): [string, string, string] => ['app', 'DEPENDS_ON', `r${i + 1}`]),
      );
    const stateOf = (n: number, rule: string, downCount: number) => {
      const origins = Array.from({ length: downCount }, (_, i) => ({ ci: `r${i + 1}`, effect: 'down' as const }));
      const r = blastRadius(indexOf(replicas(n, rule)), registry, origins);
      return [r.impacted[0]!.state, r.impacted[0]!.redundancy![0]!.required];
    };
    // 50% of 3 = 1.5 → 2 required.
    expect(stateOf(3, '50%', 1)).toEqual(['degraded', 2]);
    expect(stateOf(3, '50%', 2)).toEqual(['down', 2]);
    // 50% of 4 = 2 required.
    expect(stateOf(4, '50%', 2)).toEqual(['degraded', 2]);
    expect(stateOf(4, '50%', 3)).toEqual(['down', 2]);
    // 34% of 3 = 1.02 → 2; 100% means every member.
    expect(stateOf(3, '34%', 1)).toEqual(['degraded', 2]);
    expect(stateOf(3, '34%', 2)).toEqual(['down', 2]);
    expect(stateOf(3, '100%', 1)).toEqual(['down', 3]);
  });

  it('spreads degraded as degraded, never down, through hard dependencies and groups alike', () => {
    const g = graphOf(
      {
        db: { class: 'Database' },
        app: {},
        cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 1 }] },
        svc: { class: 'BusinessService' },
      },
      [
        ['app', 'DEPENDS_ON', 'db'],
        ['app', 'MEMBER_OF', 'cl'],
        ['svc', 'DEPENDS_ON', 'cl'],
      ],
    );
    const r = blastRadius(indexOf(g), registry, [{ ci: 'db', effect: 'degraded' }]);
    expect(r.origins).toEqual([{ id: 'db', effect: 'degraded', state: 'degraded' }]);
    expect(brief(r)).toEqual([
      ['app', 'degraded', 1],
      ['cl', 'degraded', 2],
      ['svc', 'degraded', 3],
    ]);
    expect(r.impacted[1]!.redundancy).toBeUndefined();
    expect(r.counts).toEqual({
      down: 0,
      degraded: 3,
      byClass: { Application: { down: 0, degraded: 1 }, Cluster: { down: 0, degraded: 1 }, BusinessService: { down: 0, degraded: 1 } },
    });
  });

  it('combines several origins: a group down only when both feeds fail, depth from the nearest origin', () => {
    const g = graphOf(
      {
        'pdu-a': { class: 'PDU' },
        'pdu-b': { class: 'PDU' },
        srv: { class: 'Server', redundancy: [{ relationship: 'POWERED_BY', minAvailable: 1 }] },
        app: {},
      },
      [
        ['srv', 'POWERED_BY', 'pdu-a'],
        ['srv', 'POWERED_BY', 'pdu-b'],
        ['app', 'RUNS_ON', 'srv'],
      ],
    );
    expect(brief(blastRadius(indexOf(g), registry, [{ ci: 'pdu-b', effect: 'down' }]))).toEqual([
      ['srv', 'degraded', 1],
      ['app', 'degraded', 2],
    ]);
    const both = blastRadius(indexOf(g), registry, [
      { ci: 'pdu-b', effect: 'down' },
      { ci: 'pdu-a', effect: 'down' },
    ]);
    expect(brief(both)).toEqual([
      ['srv', 'down', 1],
      ['app', 'down', 2],
    ]);
    expect(viaOf(both, 'app')).toEqual([step('srv', 'POWERED_BY', 'pdu-a'), step('app', 'RUNS_ON', 'srv')]);

    const chain = graphOf({ o1: {}, o2: {}, a: {}, b: {}, c: {} }, [
      ['a', 'DEPENDS_ON', 'o1'],
      ['b', 'DEPENDS_ON', 'a'],
      ['c', 'DEPENDS_ON', 'b'],
      ['c', 'DEPENDS_ON', 'o2'],
    ]);
    const r = blastRadius(indexOf(chain), registry, [
      { ci: 'o1', effect: 'down' },
      { ci: 'o2', effect: 'degraded' },
    ]);
    expect(brief(r)).toEqual([
      ['a', 'down', 1],
      ['c', 'down', 1],
      ['b', 'down', 2],
    ]);
    // c is down because of b (depth 3 from o1), but its shortest chain of impacted CIs starts at o2.
    expect(viaOf(r, 'c')).toEqual([step('c', 'DEPENDS_ON', 'o2')]);
  });

  it('gives an origin the stronger of its effect and what it receives, and keeps it out of impacted', () => {
    const g = graphOf({ app: {}, db: { class: 'Database' }, svc: { class: 'BusinessService' } }, [
      ['app', 'DEPENDS_ON', 'db'],
      ['svc', 'DEPENDS_ON', 'app'],
    ]);
    const r = blastRadius(indexOf(g), registry, [
      { ci: 'app', effect: 'degraded' },
      { ci: 'db', effect: 'degraded' },
      { ci: 'db', effect: 'down' },
    ]);
    expect(r.origins).toEqual([
      { id: 'app', effect: 'degraded', state: 'down' },
      { id: 'db', effect: 'down', state: 'down' },
    ]);
    expect(brief(r)).toEqual([['svc', 'down', 1]]);
    expect(viaOf(r, 'svc')).toEqual([step('svc', 'DEPENDS_ON', 'app')]);
  });

  it('terminates on dependency cycles and reports them', () => {
    const g = graphOf({ a: {}, b: {}, c: {}, d: {} }, [
      ['a', 'DEPENDS_ON', 'b'],
      ['b', 'DEPENDS_ON', 'c'],
      ['c', 'DEPENDS_ON', 'a'],
      ['d', 'DEPENDS_ON', 'c'],
    ]);
    const r = blastRadius(indexOf(g), registry, [{ ci: 'a', effect: 'down' }]);
    expect(brief(r)).toEqual([
      ['c', 'down', 1],
      ['b', 'down', 2],
      ['d', 'down', 2],
    ]);
    expect(r.cycles).toEqual([['a', 'b', 'c']]);
  });

  describe('reporting filters', () => {
    const g = graphOf(
      {
        x: {},
        y: {},
        z: {},
        m1: { environment: 'staging' },
        m2: {},
        m3: {},
        cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
        svc: { class: 'BusinessService', criticality: 1 },
      },
      [
        ['y', 'DEPENDS_ON', 'x'],
        ['z', 'DEPENDS_ON', 'y'],
        ['m1', 'DEPENDS_ON', 'z'],
        ['m1', 'MEMBER_OF', 'cl'],
        ['m2', 'MEMBER_OF', 'cl'],
        ['m3', 'MEMBER_OF', 'cl'],
        ['svc', 'DEPENDS_ON', 'cl'],
      ],
    );
    const origins = [
      { ci: 'x', effect: 'down' as const },
      { ci: 'm2', effect: 'down' as const },
    ];

    it('computes states over the whole graph', () => {
      const r = blastRadius(indexOf(g), registry, origins);
      expect(brief(r)).toEqual([
        ['cl', 'down', 1],
        ['y', 'down', 1],
        ['svc', 'down', 2],
        ['z', 'down', 2],
        ['m1', 'down', 3],
      ]);
      expect(viaOf(r, 'cl')).toEqual([step('m2', 'MEMBER_OF', 'cl')]);
    });

    it('maxDepth hides far CIs, but a far cluster member still counts toward its group', () => {
      const r = blastRadius(indexOf(g), registry, origins, { maxDepth: 1 });
      expect(brief(r)).toEqual([
        ['cl', 'down', 1],
        ['y', 'down', 1],
      ]);
      expect(r.services).toEqual([]);
      expect(r.counts.down).toBe(2);
      expect(r.origins.map((o) => o.id)).toEqual(['x', 'm2']);
      expect(blastRadius(indexOf(g), registry, origins, { maxDepth: 0 }).impacted).toEqual([]);
    });

    it('environments hide CIs of other environments without changing any state', () => {
      const r = blastRadius(indexOf(g), registry, origins, { environments: ['production'] });
      expect(brief(r)).toEqual([
        ['cl', 'down', 1],
        ['y', 'down', 1],
        ['svc', 'down', 2],
        ['z', 'down', 2],
      ]);
      expect(r.services).toEqual([{ id: 'svc', name: 'svc name', criticality: 1, owner: null, state: 'down', depth: 2 }]);
    });

    it('refuses a negative maxDepth', () => {
      expect(() => blastRadius(indexOf(g), registry, origins, { maxDepth: -1 })).toThrow(InputError);
    });
  });

  it('propagates only the requested relationship types', () => {
    const g = graphOf({ app: {}, db: { class: 'Database' }, vm: { class: 'VirtualMachine' }, pdu: { class: 'PDU' } }, [
      ['app', 'DEPENDS_ON', 'db'],
      ['app', 'RUNS_ON', 'vm'],
      ['vm', 'POWERED_BY', 'pdu'],
    ]);
    expect(brief(blastRadius(indexOf(g), registry, [{ ci: 'pdu', effect: 'down' }]))).toEqual([
      ['vm', 'down', 1],
      ['app', 'down', 2],
    ]);
    expect(
      brief(blastRadius(indexOf(g), registry, [{ ci: 'pdu', effect: 'down' }], { relationshipTypes: ['DEPENDS_ON', 'RUNS_ON'] })),
    ).toEqual([]);
    expect(brief(blastRadius(indexOf(g), registry, [{ ci: 'vm', effect: 'down' }], { relationshipTypes: ['DEPENDS_ON'] }))).toEqual([]);
    expect(brief(blastRadius(indexOf(g), registry, [{ ci: 'vm', effect: 'down' }], { relationshipTypes: ['RUNS_ON'] }))).toEqual([
      ['app', 'down', 1],
    ]);
    expect(() => blastRadius(indexOf(g), registry, [{ ci: 'vm', effect: 'down' }], { relationshipTypes: ['NOPE'] })).toThrow(
      'impact: unknown relationship type "NOPE"',
    );
  });

  it('never spreads impact along audit-only relationships such as BACKED_UP_BY', () => {
    const g = graphOf({ db: { class: 'Database' }, vault: { class: 'BackupVault' }, db2: { class: 'Database' } }, [
      ['db', 'BACKED_UP_BY', 'vault'],
      ['db', 'REPLICATES_TO', 'db2'],
    ]);
    expect(blastRadius(indexOf(g), registry, [{ ci: 'vault', effect: 'down' }]).impacted).toEqual([]);
    expect(blastRadius(indexOf(g), registry, [{ ci: 'db2', effect: 'down' }]).impacted).toEqual([]);
    expect(blastRadius(indexOf(g), registry, [{ ci: 'db', effect: 'down' }]).impacted).toEqual([]);
    // Even when asked for explicitly: the registry says they do not propagate.
    expect(blastRadius(indexOf(g), registry, [{ ci: 'vault', effect: 'down' }], { relationshipTypes: ['BACKED_UP_BY'] }).impacted).toEqual(
      [],
    );
  });

  it('follows MEMBER_OF from member to group: the group depends on its members, not the reverse', () => {
    const g = graphOf({ esx: { class: 'Hypervisor' }, cl: { class: 'Cluster' } }, [['esx', 'MEMBER_OF', 'cl']]);
    const r = blastRadius(indexOf(g), registry, [{ ci: 'esx', effect: 'down' }]);
    expect(brief(r)).toEqual([['cl', 'down', 1]]);
    expect(viaOf(r, 'cl')).toEqual([step('esx', 'MEMBER_OF', 'cl')]);
    expect(blastRadius(indexOf(g), registry, [{ ci: 'cl', effect: 'down' }]).impacted).toEqual([]);
  });

  it('computes depth breadth-first, independent of insertion order, even for a CI that goes down late', () => {
    const nodes = {
      o: {},
      a: {},
      b: {},
      x1: {},
      x2: {},
      d: {},
      svc: { class: 'BusinessService' },
      c: { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] },
    };
    const edges: [string, string, string][] = [
      ['a', 'DEPENDS_ON', 'o'],
      ['b', 'DEPENDS_ON', 'a'],
      ['c', 'DEPENDS_ON', 'b'],
      ['c', 'DEPENDS_ON', 'o'],
      ['svc', 'DEPENDS_ON', 'c'],
      ['x2', 'DEPENDS_ON', 'o'],
      ['x1', 'DEPENDS_ON', 'o'],
      ['d', 'DEPENDS_ON', 'x2'],
      ['d', 'DEPENDS_ON', 'x1'],
    ];
    const origins = [{ ci: 'o', effect: 'down' as const }];
    const r1 = blastRadius(indexOf(graphOf(nodes, edges)), registry, origins);
    const r2 = blastRadius(indexOf(graphOf(nodes, edges, 'reversed')), registry, origins);
    expect(r2).toEqual(r1);
    expect(brief(r1)).toEqual([
      ['a', 'down', 1],
      ['c', 'down', 1],
      ['x1', 'down', 1],
      ['x2', 'down', 1],
      ['b', 'down', 2],
      ['d', 'down', 2],
      ['svc', 'down', 2],
    ]);
    // c first degrades through o (its group of {b, o} keeps one), then goes down when b does: depth stays 1.
    expect(viaOf(r1, 'c')).toEqual([step('c', 'DEPENDS_ON', 'o')]);
    expect(r1.impacted[1]!.redundancy).toEqual([
      {
        relationship: 'DEPENDS_ON',
        minAvailable: 1,
        members: 2,
        required: 1,
        available: 0,
        breached: true,
        failed: [step('c', 'DEPENDS_ON', 'b'), step('c', 'DEPENDS_ON', 'o')],
      },
    ]);
    expect(viaOf(r1, 'svc')).toEqual([step('c', 'DEPENDS_ON', 'o'), step('svc', 'DEPENDS_ON', 'c')]);
    // Two equally short chains: the one through the smaller id, whatever the insertion order.
    expect(viaOf(r1, 'd')).toEqual([step('x1', 'DEPENDS_ON', 'o'), step('d', 'DEPENDS_ON', 'x1')]);
  });

  it('lists impacted business services with criticality, owner and state, and counts by class', () => {
    const g = graphOf(
      {
        db: { class: 'Database' },
        'db-replica': { class: 'Database' },
        app: {},
        app2: { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] },
        svc1: { class: 'BusinessService', criticality: 1, owner: 'payments' },
        svc2: { class: 'BusinessService', criticality: 2 },
        svc3: { class: 'BusinessService' },
      },
      [
        ['app', 'DEPENDS_ON', 'db'],
        ['app2', 'DEPENDS_ON', 'db'],
        ['app2', 'DEPENDS_ON', 'db-replica'],
        ['svc1', 'DEPENDS_ON', 'app'],
        ['svc2', 'DEPENDS_ON', 'app2'],
      ],
    );
    const r = blastRadius(indexOf(g), registry, [
      { ci: 'db', effect: 'down' },
      { ci: 'svc3', effect: 'degraded' },
    ]);
    expect(brief(r)).toEqual([
      ['app', 'down', 1],
      ['app2', 'degraded', 1],
      ['svc1', 'down', 2],
      ['svc2', 'degraded', 2],
    ]);
    expect(r.services).toEqual([
      { id: 'svc1', name: 'svc1 name', criticality: 1, owner: 'payments', state: 'down', depth: 2 },
      { id: 'svc2', name: 'svc2 name', criticality: 2, owner: null, state: 'degraded', depth: 2 },
      { id: 'svc3', name: 'svc3 name', criticality: 3, owner: null, state: 'degraded', depth: 0 },
    ]);
    expect(r.counts).toEqual({
      down: 2,
      degraded: 2,
      byClass: { Application: { down: 1, degraded: 1 }, BusinessService: { down: 1, degraded: 1 } },
    });
  });

  it('refuses an unknown origin CI with NotFoundError naming it', () => {
    const g = graphOf({ a: {} }, []);
    expect(() => blastRadius(indexOf(g), registry, [{ ci: 'nope', effect: 'down' }])).toThrow(NotFoundError);
    expect(() => blastRadius(indexOf(g), registry, [{ ci: 'nope', effect: 'down' }])).toThrow('impact: CI "nope" not found');
  });

  it('sorts a large report (integer id-rank path) by depth, then id in code-unit order', () => {
    const nodes: Record<string, object> = { hub: {} };
    const edges: [string, string, string][] = [];
    for (let i = 0; i < 5000; i++) {
      // Mixed case and digits: code-unit order, not locale order.
      const id = `${i % 3 === 0 ? 'B' : 'a'}-${(i * 7919) % 5003}`;
      nodes[id] = {};
      edges.push([id, 'DEPENDS_ON', 'hub']);
      if (i % 10 === 0) {
        nodes[`z${i}`] = {};
        edges.push([`z${i}`, 'DEPENDS_ON', id]);
      }
    }
    const r = blastRadius(indexOf(graphOf(nodes, edges)), registry, [{ ci: 'hub', effect: 'down' }]);
    const got = r.impacted.map((i) => [i.depth, i.id] as const);
    const want = [...got].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
    expect(got.length).toBe(5500);
    expect(got).toEqual(want);
    expect(got[0]).toEqual([1, 'B-0']);
  });

  it('answers the same from a prebuilt index as from the graph, query after query', () => {
    const g = graphOf({ a: {}, b: {}, c: {} }, [
      ['b', 'DEPENDS_ON', 'a'],
      ['c', 'DEPENDS_ON', 'b'],
    ]);
    const index = buildImpactIndex(g, registry, 1);
    for (const ci of ['a', 'b', 'c', 'a']) {
      expect(blastRadius(index, registry, [{ ci, effect: 'down' }])).toEqual(blastRadius(indexOf(g), registry, [{ ci, effect: 'down' }]));
    }
  });
});
