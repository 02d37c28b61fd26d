import { describe, expect, it } from 'vitest';
import {
  blastRadius,
  buildImpactIndex,
  forEachNeighbour,
  dependencies,
  ImpactIndexKeeper,
  singlePointsOfFailure,
  singlePointsOfFailureAmong,
} from '../../engine/impact/index.ts';
import { NotFoundError } from '../../engine/errors.ts';
import { graphOf, indexOf, registry, step } from './helpers.ts';

describe('impact index', () => {
  it('resolves redundancy groups at build time, with percentages rounded up', () => {
    const g = graphOf(
      {
        app: { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: '50%' }] },
        r1: {},
        r2: {},
        r3: {},
        vault: { class: 'BackupVault' },
      },
      [
        ['app', 'DEPENDS_ON', 'r1'],
        ['app', 'DEPENDS_ON', 'r2'],
        ['app', 'DEPENDS_ON', 'r3'],
        ['app', 'BACKED_UP_BY', 'vault'],
      ],
    );
    const index = buildImpactIndex(g, registry, 7);
    expect(index.groupCount).toBe(1);
    expect([index.groupSize[0], index.groupNeed[0]]).toEqual([3, 2]);
    // The audit-only relationship is not in the index at all.
    expect(index.depTarget.length).toBe(3);
  });

  it('names the walking direction: MEMBER_OF members provide to their group, DEPENDS_ON targets to their sources', () => {
    const g = graphOf({ m: { class: 'Server' }, cl: { class: 'Cluster' }, app: {} }, [
      ['m', 'MEMBER_OF', 'cl'],
      ['app', 'DEPENDS_ON', 'cl'],
    ]);
    const index = buildImpactIndex(g, registry);
    const walk = (id: string, direction: 'dependents' | 'providers') => {
      const out: string[] = [];
      forEachNeighbour(index, index.idToIndex.get(id)!, direction, (v, t) => out.push(`${index.nodeIds[v]}:${index.typeNames[t]}`));
      return out.sort();
    };
    expect(walk('cl', 'providers')).toEqual(['m:MEMBER_OF']);
    expect(walk('cl', 'dependents')).toEqual(['app:DEPENDS_ON']);
    expect(walk('m', 'dependents')).toEqual(['cl:MEMBER_OF']);
    expect(walk('app', 'providers')).toEqual(['cl:DEPENDS_ON']);
  });

  it('is kept by its owner per mirror version, and brought up to date lazily only when the version moves, without a rebuild', () => {
    const g = graphOf({ a: {}, b: {} }, [['b', 'DEPENDS_ON', 'a']]);
    const keeper = new ImpactIndexKeeper(g, registry);
    const index = keeper.current(3);
    expect(index.version).toBe(3);
    expect(keeper.current(3)).toBe(index);
    g.addNode('c', { class: 'Application', name: 'c', status: 'in_service', environment: 'production', criticality: 3 });
    g.addEdgeWithKey('c|DEPENDS_ON|b', 'c', 'b', { type: 'DEPENDS_ON' });
    const next = keeper.current(4);
    expect(next).not.toBe(index);
    expect(next.version).toBe(4);
    expect(next.n).toBe(3);
    // Applied as a delta: the new CI was appended to the same numbering.
    expect(next.idToIndex).toBe(index.idToIndex);
    expect(next.idToIndex.get('c')).toBe(2);
    g.addEdgeWithKey('c|DEPENDS_ON|a', 'c', 'a', { type: 'DEPENDS_ON' });
    const third = keeper.current(5);
    expect(third.idToIndex).toBe(next.idToIndex);
    expect(third.depTarget.length).toBe(3);
    expect(blastRadius(third, registry, [{ ci: 'a', effect: 'down' }]).impacted.map((i) => [i.id, i.depth])).toEqual([
      ['b', 1],
      ['c', 1],
    ]);
    // A change the journal cannot express means a full build.
    g.clearEdges();
    const fourth = keeper.current(6);
    expect(fourth.depTarget.length).toBe(0);
    expect(blastRadius(fourth, registry, [{ ci: 'a', effect: 'down' }]).impacted).toEqual([]);
  });
});

describe('dependencies', () => {
  const g = graphOf(
    {
      app: {},
      db: { class: 'Database' },
      vm: { class: 'VirtualMachine' },
      esx: { class: 'Hypervisor' },
      cl: { class: 'Cluster' },
      vault: { class: 'BackupVault' },
      b: {},
      a: {},
    },
    [
      ['app', 'DEPENDS_ON', 'db'],
      ['db', 'RUNS_ON', 'vm'],
      ['app', 'RUNS_ON', 'vm'],
      ['vm', 'HOSTED_ON', 'cl'],
      ['esx', 'MEMBER_OF', 'cl'],
      ['db', 'BACKED_UP_BY', 'vault'],
      ['app', 'DEPENDS_ON', 'b'],
      ['app', 'DEPENDS_ON', 'a'],
      ['b', 'DEPENDS_ON', 'esx'],
      ['a', 'DEPENDS_ON', 'esx'],
    ],
  );

  it('lists transitive providers by shortest depth with one shortest path each, members of groups included', () => {
    const r = dependencies(indexOf(g), registry, 'app');
    expect(r.ci).toBe('app');
    expect(r.dependencies.map((d) => [d.id, d.depth, d.via])).toEqual([
      ['a', 1, [step('app', 'DEPENDS_ON', 'a')]],
      ['b', 1, [step('app', 'DEPENDS_ON', 'b')]],
      ['db', 1, [step('app', 'DEPENDS_ON', 'db')]],
      ['vm', 1, [step('app', 'RUNS_ON', 'vm')]],
      ['cl', 2, [step('app', 'RUNS_ON', 'vm'), step('vm', 'HOSTED_ON', 'cl')]],
      // Reached through a and b at the same depth: the smaller id wins.
      ['esx', 2, [step('app', 'DEPENDS_ON', 'a'), step('a', 'DEPENDS_ON', 'esx')]],
    ]);
  });

  it('honours maxDepth and relationshipTypes, and refuses an unknown CI', () => {
    expect(dependencies(indexOf(g), registry, 'app', { maxDepth: 1 }).dependencies.map((d) => d.id)).toEqual(['a', 'b', 'db', 'vm']);
    expect(
      dependencies(indexOf(g), registry, 'app', { relationshipTypes: ['RUNS_ON', 'MEMBER_OF'] }).dependencies.map((d) => d.id),
    ).toEqual(['vm']);
    expect(dependencies(indexOf(g), registry, 'cl').dependencies.map((d) => [d.id, d.via])).toEqual([
      ['esx', [step('esx', 'MEMBER_OF', 'cl')]],
    ]);
    expect(() => dependencies(indexOf(g), registry, 'nope')).toThrow(NotFoundError);
    expect(() => dependencies(indexOf(g), registry, 'nope')).toThrow('dependencies: CI "nope" not found');
  });
});

/** A 2-of-3 cluster whose members m1 and m2 share switch sw1 (m3 is on sw2). */
const CLUSTER = {
  nodes: {
    cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
    m1: { class: 'Server' },
    m2: { class: 'Server' },
    m3: { class: 'Server' },
    sw1: { class: 'Switch' },
    sw2: { class: 'Switch' },
  },
  edges: [
    ['m1', 'MEMBER_OF', 'cl'],
    ['m2', 'MEMBER_OF', 'cl'],
    ['m3', 'MEMBER_OF', 'cl'],
    ['m1', 'CONNECTED_TO', 'sw1'],
    ['m2', 'CONNECTED_TO', 'sw1'],
    ['m3', 'CONNECTED_TO', 'sw2'],
  ] as [string, string, string][],
};

describe('singlePointsOfFailure', () => {
  it('without redundancy, every transitive provider is a single point of failure', () => {
    const g = graphOf({ svc: { class: 'BusinessService' }, app: {}, db: { class: 'Database' }, vm: { class: 'VirtualMachine' } }, [
      ['svc', 'DEPENDS_ON', 'app'],
      ['app', 'DEPENDS_ON', 'db'],
      ['db', 'RUNS_ON', 'vm'],
    ]);
    const r = singlePointsOfFailure(indexOf(g), registry, 'svc');
    expect(r.spofs.map((s) => [s.id, s.depth, s.kind])).toEqual([
      ['app', 1, 'hard'],
      ['db', 2, 'hard'],
      ['vm', 3, 'hard'],
    ]);
    expect(r.spofs[2]!.via).toEqual([step('svc', 'DEPENDS_ON', 'app'), step('app', 'DEPENDS_ON', 'db'), step('db', 'RUNS_ON', 'vm')]);
  });

  it('with redundancy, excludes absorbed members but finds a common cause of several members', () => {
    const g = graphOf(
      {
        app: {},
        srv: { class: 'Server', redundancy: [{ relationship: 'POWERED_BY', minAvailable: 1 }] },
        'pdu-a': { class: 'PDU' },
        'pdu-b': { class: 'PDU' },
        'feed-a': { class: 'PDU' },
        rack: { class: 'Rack' },
      },
      [
        ['app', 'RUNS_ON', 'srv'],
        ['srv', 'POWERED_BY', 'pdu-a'],
        ['srv', 'POWERED_BY', 'pdu-b'],
        ['pdu-a', 'POWERED_BY', 'feed-a'],
        ['pdu-a', 'LOCATED_IN', 'rack'],
        ['pdu-b', 'LOCATED_IN', 'rack'],
      ],
    );
    const r = singlePointsOfFailure(indexOf(g), registry, 'app');
    expect(r.spofs.map((s) => [s.id, s.depth, s.kind])).toEqual([
      ['srv', 1, 'hard'],
      ['rack', 3, 'group'],
    ]);
    expect(r.spofs[1]!.via).toEqual([
      step('app', 'RUNS_ON', 'srv'),
      step('srv', 'POWERED_BY', 'pdu-a'),
      step('pdu-a', 'LOCATED_IN', 'rack'),
    ]);
    expect(singlePointsOfFailure(indexOf(g), registry, 'srv').spofs.map((s) => s.id)).toEqual(['rack']);
  });

  it('finds a CI that alone takes a 2-of-3 group below its minimum, and not one that takes a single member', () => {
    const g = graphOf(
      {
        ...CLUSTER.nodes,
      },
      [...CLUSTER.edges],
    );
    expect(singlePointsOfFailure(indexOf(g), registry, 'cl').spofs.map((s) => [s.id, s.kind])).toEqual([['sw1', 'group']]);
    expect(() => singlePointsOfFailure(indexOf(g), registry, 'nope')).toThrow('spof: CI "nope" not found');
  });

  it('answers many CIs at once exactly as one query per CI does, keeping only the candidate classes', () => {
    // Two services share a rack whose PDUs feed a 1-of-2 server; one service also has its own
    // hard chain, a 2-of-3 cluster behind a shared switch, and one service depends on the other.
    const g = graphOf(
      {
        s1: { class: 'BusinessService' },
        s2: { class: 'BusinessService' },
        a1: {},
        a2: {},
        srv: { class: 'Server', redundancy: [{ relationship: 'POWERED_BY', minAvailable: 1 }] },
        'pdu-a': { class: 'PDU' },
        'pdu-b': { class: 'PDU' },
        rack: { class: 'Rack' },
        ...CLUSTER.nodes,
      },
      [
        ['s1', 'DEPENDS_ON', 'a1'],
        ['s2', 'DEPENDS_ON', 'a2'],
        ['s2', 'DEPENDS_ON', 's1'],
        ['a1', 'RUNS_ON', 'srv'],
        ['a2', 'RUNS_ON', 'cl'],
        ['srv', 'POWERED_BY', 'pdu-a'],
        ['srv', 'POWERED_BY', 'pdu-b'],
        ['pdu-a', 'LOCATED_IN', 'rack'],
        ['pdu-b', 'LOCATED_IN', 'rack'],
        ...CLUSTER.edges,
      ],
    );
    const index = indexOf(g);
    const cis = ['s2', 's1', 'a2', 's1'];
    for (const keep of [() => true, (cls: string) => cls === 'Server' || cls === 'Switch' || cls === 'BusinessService']) {
      const batch = singlePointsOfFailureAmong(index, registry, cis, keep);
      const one = cis.map((ci) => {
        const r = singlePointsOfFailure(index, registry, ci);
        return { ci, spofs: r.spofs.filter((s) => keep(s.class)) };
      });
      expect(batch).toEqual(one);
    }
    const all = singlePointsOfFailureAmong(index, registry, ['s2'], () => true)[0]!.spofs;
    expect(all.map((s) => [s.id, s.depth, s.kind])).toEqual([
      ['a2', 1, 'hard'],
      ['s1', 1, 'hard'],
      ['a1', 2, 'hard'],
      ['cl', 2, 'hard'],
      ['srv', 3, 'hard'],
      ['sw1', 4, 'group'],
      ['rack', 5, 'group'],
    ]);
    expect(() => singlePointsOfFailureAmong(index, registry, ['s1', 'nope'], () => true)).toThrow('spof: CI "nope" not found');
  });
});
