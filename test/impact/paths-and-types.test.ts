/**
 * Two behaviours users read straight off the answers: single points of failure restricted to some
 * relationship types (a what-if), and the `via` explanation when a CI is reached by chains of
 * different lengths — always one of the shortest, whatever order the graph was built in.
 */
import { describe, expect, it } from 'vitest';
import { blastRadius, dependencies, singlePointsOfFailure } from '../../engine/impact/index.ts';
import { Registry } from '../../engine/model/registry.ts';
import { graphOf, indexOf, registry, step, type NodeSpec } from './helpers.ts';

// app → db → vm → host (hard chain of three types), app → cache (hard), cache → vm
const stackNodes: Record<string, NodeSpec> = {
  app: {},
  db: { class: 'Database' },
  cache: { class: 'Cache' },
  vm: { class: 'VirtualMachine' },
  host: { class: 'Hypervisor' },
};
const stackEdges: [string, string, string][] = [
  ['app', 'DEPENDS_ON', 'db'],
  ['app', 'DEPENDS_ON', 'cache'],
  ['db', 'RUNS_ON', 'vm'],
  ['cache', 'RUNS_ON', 'vm'],
  ['vm', 'HOSTED_ON', 'host'],
];

describe('single points of failure by relationship type', () => {
  const g = indexOf(graphOf(stackNodes, stackEdges));

  it('finds every provider on a hard chain when all types propagate', () => {
    expect(singlePointsOfFailure(g, registry, 'app').spofs.map((s) => [s.id, s.depth, s.kind])).toEqual([
      ['cache', 1, 'hard'],
      ['db', 1, 'hard'],
      ['vm', 2, 'hard'],
      ['host', 3, 'hard'],
    ]);
  });

  it('only follows the given types: DEPENDS_ON alone stops at the first hop', () => {
    expect(singlePointsOfFailure(g, registry, 'app', { relationshipTypes: ['DEPENDS_ON'] }).spofs.map((s) => s.id)).toEqual([
      'cache',
      'db',
    ]);
  });

  it('finds nothing when the types given never leave the CI', () => {
    expect(singlePointsOfFailure(g, registry, 'app', { relationshipTypes: ['HOSTED_ON'] }).spofs).toEqual([]);
  });

  it('explains each single point of failure with one shortest chain of stored relationships', () => {
    const host = singlePointsOfFailure(g, registry, 'app').spofs.find((s) => s.id === 'host')!;
    // Through cache or db at equal length: the smaller id (cache) explains it.
    expect(host.via).toEqual([step('app', 'DEPENDS_ON', 'cache'), step('cache', 'RUNS_ON', 'vm'), step('vm', 'HOSTED_ON', 'host')]);
  });
});

describe('via when chains of different lengths reach a CI', () => {
  // origin o; a long chain o ← a ← b ← c, and c also depends on o directly. Ids of the long chain
  // sort before the short one's, so a depth-first or id-ordered walk would find the long one first.
  const nodes: Record<string, NodeSpec> = { o: { class: 'Database' }, a: {}, b: {}, c: {}, z: {} };
  const edges: [string, string, string][] = [
    ['a', 'DEPENDS_ON', 'o'],
    ['b', 'DEPENDS_ON', 'a'],
    ['c', 'DEPENDS_ON', 'b'],
    ['c', 'DEPENDS_ON', 'o'],
    ['z', 'DEPENDS_ON', 'c'],
  ];

  for (const order of ['as-given', 'reversed'] as const) {
    it(`takes the shortest chain from the origin, graph built ${order}`, () => {
      const r = blastRadius(indexOf(graphOf(nodes, edges, order)), registry, [{ ci: 'o', effect: 'down' }]);
      const byId = new Map(r.impacted.map((i) => [i.id, i]));
      expect(byId.get('c')).toMatchObject({ depth: 1, via: [step('c', 'DEPENDS_ON', 'o')] });
      expect(byId.get('z')).toMatchObject({ depth: 2, via: [step('c', 'DEPENDS_ON', 'o'), step('z', 'DEPENDS_ON', 'c')] });
      expect(byId.get('b')).toMatchObject({ depth: 2, via: [step('a', 'DEPENDS_ON', 'o'), step('b', 'DEPENDS_ON', 'a')] });
    });

    it(`lists the providers of z by their shortest chain, graph built ${order}`, () => {
      const r = dependencies(indexOf(graphOf(nodes, edges, order)), registry, 'z');
      expect(r.dependencies.map((d) => [d.id, d.depth, d.via.length])).toEqual([
        ['c', 1, 1],
        ['b', 2, 2],
        ['o', 2, 2],
        ['a', 3, 3],
      ]);
      expect(r.dependencies.find((d) => d.id === 'o')!.via).toEqual([step('z', 'DEPENDS_ON', 'c'), step('c', 'DEPENDS_ON', 'o')]);
    });
  }
});

describe('single points of failure on a shared index', () => {
  it('names the operation and the CI in its refusals', () => {
    const index = indexOf(graphOf(stackNodes, stackEdges));
    let err: unknown;
    try {
      singlePointsOfFailure(index, registry, 'nope');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'not_found', message: 'spof: CI "nope" not found', details: { ci: 'nope' } });
    expect(() => singlePointsOfFailure(index, registry, 'app', { relationshipTypes: ['PLUGGED_INTO'] })).toThrow(
      'spof: unknown relationship type "PLUGGED_INTO"',
    );
    expect(() => singlePointsOfFailure(index, Registry.load(), 'app')).toThrow('spof: the impact index was built with another registry');
  });

  it('does not follow excluded types when propagating a candidate failure', () => {
    // app needs 1 of the cluster's members; app also RUNS_ON m1. DEPENDS_ON + MEMBER_OF only: m1 is absorbed.
    const index = indexOf(
      graphOf(
        {
          app: {},
          cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 1 }] },
          m1: { class: 'Server' },
          m2: { class: 'Server' },
        },
        [
          ['app', 'DEPENDS_ON', 'cl'],
          ['m1', 'MEMBER_OF', 'cl'],
          ['m2', 'MEMBER_OF', 'cl'],
          ['app', 'RUNS_ON', 'm1'],
        ],
      ),
    );
    expect(singlePointsOfFailure(index, registry, 'app').spofs.map((s) => [s.id, s.kind])).toEqual([
      ['cl', 'hard'],
      ['m1', 'hard'],
    ]);
    expect(
      singlePointsOfFailure(index, registry, 'app', { relationshipTypes: ['DEPENDS_ON', 'MEMBER_OF'] }).spofs.map((s) => s.id),
    ).toEqual(['cl']);
  });

  it('answers a restricted question the same after other questions on the same index', () => {
    const index = indexOf(
      graphOf(
        {
          app: {},
          cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 1 }] },
          vm: { class: 'VirtualMachine' },
          m1: { class: 'Server' },
          m2: { class: 'Server' },
          other: {},
        },
        [
          ['app', 'DEPENDS_ON', 'cl'],
          ['app', 'RUNS_ON', 'vm'],
          ['m1', 'MEMBER_OF', 'cl'],
          ['m2', 'MEMBER_OF', 'cl'],
          ['other', 'DEPENDS_ON', 'm1'],
        ],
      ),
    );
    const restricted = () =>
      singlePointsOfFailure(index, registry, 'app', { relationshipTypes: ['DEPENDS_ON', 'MEMBER_OF'] }).spofs.map((s) => s.id);
    const fresh = restricted();
    expect(fresh).toEqual(['cl']);
    expect(singlePointsOfFailure(index, registry, 'app').spofs.map((s) => s.id)).toEqual(['cl', 'vm']);
    expect(singlePointsOfFailure(index, registry, 'other').spofs.map((s) => s.id)).toEqual(['m1']);
    expect(restricted()).toEqual(fresh);
    expect(singlePointsOfFailure(index, registry, 'app').spofs.map((s) => s.id)).toEqual(['cl', 'vm']);
  });

  it('counts a group member once when a candidate reaches it along two chains', () => {
    // x → a → v and x → b → v; v is one of two members of cl (needs 1): x alone leaves w, so it is no SPOF.
    const index = indexOf(
      graphOf(
        {
          app: {},
          cl: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 1 }] },
          v: { class: 'Server' },
          w: { class: 'Server' },
          a: {},
          b: {},
          x: {},
        },
        [
          ['app', 'DEPENDS_ON', 'cl'],
          ['v', 'MEMBER_OF', 'cl'],
          ['w', 'MEMBER_OF', 'cl'],
          ['v', 'DEPENDS_ON', 'a'],
          ['v', 'DEPENDS_ON', 'b'],
          ['a', 'DEPENDS_ON', 'x'],
          ['b', 'DEPENDS_ON', 'x'],
        ],
      ),
    );
    expect(singlePointsOfFailure(index, registry, 'app').spofs.map((s) => s.id)).toEqual(['cl']);
  });
});

describe('dependencies: refusals and parallel relationships', () => {
  it('names the operation and the CI in its refusals', () => {
    const index = indexOf(graphOf(stackNodes, stackEdges));
    let err: unknown;
    try {
      dependencies(index, registry, 'nope');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'not_found', message: 'dependencies: CI "nope" not found', details: { ci: 'nope' } });
    expect(() => dependencies(index, registry, 'app', { maxDepth: -1 })).toThrow(
      'dependencies: maxDepth -1 must be a non-negative integer',
    );
    expect(() => dependencies(index, registry, 'app', { relationshipTypes: ['PLUGGED_INTO'] })).toThrow(
      'dependencies: unknown relationship type "PLUGGED_INTO"',
    );
    expect(() => dependencies(index, Registry.load(), 'app')).toThrow('dependencies: the impact index was built with another registry');
  });

  for (const order of ['as-given', 'reversed'] as const) {
    it(`explains a provider reached by two relationship types with the registry's first type, graph built ${order}`, () => {
      // app both DEPENDS_ON and RUNS_ON vm; DEPENDS_ON comes first in the registry.
      const g = graphOf(
        { app: {}, vm: { class: 'VirtualMachine' }, host: { class: 'Hypervisor' } },
        [
          ['app', 'RUNS_ON', 'vm'],
          ['app', 'DEPENDS_ON', 'vm'],
          ['vm', 'HOSTED_ON', 'host'],
        ],
        order,
      );
      const r = dependencies(indexOf(g), registry, 'app');
      expect(r.dependencies.map((d) => [d.id, d.via])).toEqual([
        ['vm', [step('app', 'DEPENDS_ON', 'vm')]],
        ['host', [step('app', 'DEPENDS_ON', 'vm'), step('vm', 'HOSTED_ON', 'host')]],
      ]);
    });
  }
});
