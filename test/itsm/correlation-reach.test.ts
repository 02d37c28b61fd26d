/** Reach counts (the specificity denominator): inferred counts and lower bounds against plain walks. */
import { describe, expect, it } from 'vitest';
import { reachOf } from '../../engine/correlation/index.ts';
import { reachAtLeast, reachLowerBounds, refinedBounds } from '../../engine/correlation/reach.ts';
import { buildImpactIndex, type ImpactIndex } from '../../engine/impact/index.ts';
import { graph, registry } from './helpers.ts';

/** Dependents within `depth` hops, the CI itself included, by a plain breadth-first walk. */
function plainReach(index: ImpactIndex, v: number, depth: number): number {
  const seen = new Set([v]);
  let frontier = [v];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const x of frontier) {
      for (let e = index.depOffsets[x]!; e < index.depOffsets[x + 1]!; e++) {
        const y = index.depTarget[e]!;
        if (!seen.has(y)) {
          seen.add(y);
          next.push(y);
        }
      }
    }
    frontier = next;
  }
  return seen.size;
}

// A rack with two PDUs and two switches feeding both hosts (twins), a Kubernetes cluster whose pods
// also run on its nodes (dominated providers), an HA cluster of two hypervisors, and a dependency
// cycle between two applications services above them.
const estate = graph(
  {
    dc: 'DataCenter',
    rack: 'Rack',
    pduA: 'PDU',
    pduB: 'PDU',
    sw1: 'Switch',
    sw2: 'Switch',
    n1: 'KubernetesNode',
    n2: 'KubernetesNode',
    k8s: 'KubernetesCluster',
    esx1: 'Hypervisor',
    esx2: 'Hypervisor',
    esxc: 'Cluster',
    vm1: 'VirtualMachine',
    p1: 'Pod',
    p2: 'Pod',
    p3: 'Pod',
    a1: 'Application',
    a2: 'Application',
    a3: 'Application',
    s1: 'ApplicationService',
    s2: 'ApplicationService',
    biz: 'BusinessService',
  },
  [
    ['rack', 'LOCATED_IN', 'dc'],
    ['pduA', 'LOCATED_IN', 'rack'],
    ['pduB', 'LOCATED_IN', 'rack'],
    ['sw1', 'LOCATED_IN', 'rack'],
    ['sw2', 'LOCATED_IN', 'rack'],
    ...['n1', 'n2', 'esx1', 'esx2'].flatMap((h): [string, string, string][] => [
      [h, 'LOCATED_IN', 'rack'],
      [h, 'POWERED_BY', 'pduA'],
      [h, 'POWERED_BY', 'pduB'],
      [h, 'CONNECTED_TO', 'sw1'],
      [h, 'CONNECTED_TO', 'sw2'],
    ]),
    ['n1', 'MEMBER_OF', 'k8s'],
    ['n2', 'MEMBER_OF', 'k8s'],
    ['esx1', 'MEMBER_OF', 'esxc'],
    ['esx2', 'MEMBER_OF', 'esxc'],
    ['vm1', 'HOSTED_ON', 'esxc'],
    ['p1', 'HOSTED_ON', 'n1'],
    ['p1', 'DEPENDS_ON', 'k8s'],
    ['p2', 'HOSTED_ON', 'n2'],
    ['p2', 'DEPENDS_ON', 'k8s'],
    ['p3', 'HOSTED_ON', 'n2'],
    ['p3', 'DEPENDS_ON', 'k8s'],
    ['a1', 'RUNS_ON', 'p1'],
    ['a2', 'RUNS_ON', 'p2'],
    ['a3', 'RUNS_ON', 'vm1'],
    ['a3', 'RUNS_ON', 'p3'],
    ['s1', 'DEPENDS_ON', 'a1'],
    ['s1', 'DEPENDS_ON', 's2'],
    ['s2', 'DEPENDS_ON', 'a2'],
    ['s2', 'DEPENDS_ON', 's1'],
    ['biz', 'DEPENDS_ON', 's1'],
    ['a3', 'DEPENDS_ON', 's2'],
  ],
);

describe('correlation reach', () => {
  it('counts what a plain walk counts, whatever the order the counts are asked in (twins and dominated providers are inferred)', () => {
    for (const depth of [1, 2, 3, 16]) {
      for (const cap of [3, 50_000]) {
        const orders = [
          (xs: number[]) => xs,
          (xs: number[]) => [...xs].reverse(),
          (xs: number[]) => [...xs].sort((a, b) => ((a * 7919) % 23) - ((b * 7919) % 23)),
        ];
        for (const order of orders) {
          const index = buildImpactIndex(estate, registry, 1);
          const nodes = order(Array.from({ length: index.n }, (_, v) => v));
          // Partial walks first (the cover's refinement steps): they only raise lower bounds.
          for (const budget of [2, 4]) for (const v of nodes) reachAtLeast(index, v, depth, budget, cap);
          const lower = refinedBounds(index, depth, cap);
          for (const v of nodes) expect(lower[v]).toBeLessThanOrEqual(Math.min(cap, plainReach(index, v, depth)));
          for (const v of nodes)
            expect([index.nodeIds[v], depth, cap, reachOf(index, v, depth, cap)]).toEqual([
              index.nodeIds[v],
              depth,
              cap,
              Math.min(cap, plainReach(index, v, depth)),
            ]);
        }
      }
    }
  });

  it('strict lower bounds never exceed the reach, cycles included; the plain ones may on a cycle', () => {
    const index = buildImpactIndex(estate, registry, 1);
    const strict = reachLowerBounds(index, 16, 50_000, true);
    for (let v = 0; v < index.n; v++) expect(strict[v]).toBeLessThanOrEqual(plainReach(index, v, 16));
    const loose = reachLowerBounds(index, 16);
    const s1 = index.idToIndex.get('s1')!;
    expect(loose[s1]).toBeGreaterThan(plainReach(index, s1, 16));
  });

  it('keeps its memos per index: a second index of a graph with one more dependent counts it, the first keeps its own counts', () => {
    const a = buildImpactIndex(estate, registry, 1);
    const bigger = estate.copy();
    bigger.addNode('extra', {
      class: 'ApplicationService',
      name: 'extra',
      status: 'in_service',
      environment: 'production',
      criticality: 3,
    });
    bigger.addEdgeWithKey('extra|DEPENDS_ON|s1', 'extra', 's1', { type: 'DEPENDS_ON' });
    const b = buildImpactIndex(bigger, registry, 1);
    const rack = (ix: ImpactIndex) => ix.idToIndex.get('rack')!;
    const before = reachOf(a, rack(a), 16);
    expect(before).toBe(plainReach(a, rack(a), 16));
    expect(reachOf(b, rack(b), 16)).toBe(before + 1);
    expect(refinedBounds(b, 16)[rack(b)]!).toBeLessThanOrEqual(before + 1);
    expect(reachOf(a, rack(a), 16)).toBe(before);
    expect(reachAtLeast(a, rack(a), 16, 2)).toBe(before);
  });
});
