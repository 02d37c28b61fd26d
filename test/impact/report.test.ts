/**
 * The report's fast paths give exactly the answer of the plain ones: levels sorted by id rank
 * (radix) vs by string compare, parent ties broken by id rank vs by string compare, and `via` steps
 * reused across queries (the step cache) vs fresh.
 */
import { describe, expect, it } from 'vitest';
import { blastRadius, buildImpactIndex, ImpactIndexKeeper, topoOrder } from '../../engine/impact/index.ts';
import { mulberry32 } from '../../fixtures/generate.ts';
import { graphOf, registry, type NodeSpec } from './helpers.ts';

const TYPES = ['DEPENDS_ON', 'RUNS_ON', 'MEMBER_OF', 'POWERED_BY', 'HOSTED_ON'];

/** A random layered graph with ids in mixed case and digits (code-unit order differs from locale order). */
function randomGraph(rnd: () => number, n: number) {
  const int = (k: number) => Math.floor(rnd() * k);
  const ids: string[] = [];
  const nodes: Record<string, NodeSpec> = {};
  for (let i = 0; i < n; i++) {
    const id = `${['a', 'B', 'b', 'Z', '_'][int(5)]}${int(100000)}-${i}`;
    ids.push(id);
    nodes[id] = {
      class: rnd() < 0.1 ? 'BusinessService' : 'Application',
      environment: rnd() < 0.8 ? 'production' : 'staging',
      ...(rnd() < 0.2 ? { redundancy: [{ relationship: TYPES[int(TYPES.length)]!, minAvailable: 1 + int(2) }] } : {}),
    };
  }
  const edges: [string, string, string][] = [];
  const seen = new Set<string>();
  for (let e = 0; e < 3 * n; e++) {
    // Mostly towards lower indexes, so that a few origins reach deep, wide levels.
    const a = int(n);
    const b = int(Math.max(1, a));
    const [from, to] = rnd() < 0.9 ? [ids[a]!, ids[b]!] : [ids[b]!, ids[a]!];
    const type = TYPES[int(TYPES.length)]!;
    const key = `${from}|${type}|${to}`;
    if (from === to || seen.has(key)) continue;
    seen.add(key);
    edges.push([from, type, to]);
  }
  return { ids, g: graphOf(nodes, edges) };
}

describe('blast radius report fast paths', () => {
  it('sorts levels by id rank (radix) exactly as by string compare, on 60 random graphs', () => {
    const rnd = mulberry32(7);
    let sorted = 0;
    for (let c = 0; c < 60; c++) {
      const { ids, g } = randomGraph(rnd, 50 + Math.floor(rnd() * 400));
      const index = buildImpactIndex(g, registry, 1);
      // The same graph with every level radix-sorted by id rank.
      const radix = buildImpactIndex(g, registry, 1, { report: { largeReport: 0, radixLevel: 0, radixBits: 1 + (c % 4) } });
      const origins = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, k) => ({
        ci: ids[k * 3]!,
        effect: rnd() < 0.8 ? ('down' as const) : ('degraded' as const),
      }));
      const options = rnd() < 0.3 ? { environments: ['production'] } : rnd() < 0.3 ? { maxDepth: 2 } : {};
      const plain = JSON.stringify(blastRadius(index, registry, origins, options));
      expect(index.rank).toBeUndefined();
      const fast = JSON.stringify(blastRadius(radix, registry, origins, options));
      expect(fast).toBe(plain);
      // Now that the index has its id rank, the fixpoint breaks parent ties by rank too.
      expect(radix.rank).toBeDefined();
      expect(JSON.stringify(blastRadius(radix, registry, origins, options))).toBe(plain);
      if (JSON.parse(plain).impacted.length > 20) sorted++;
    }
    expect(sorted).toBeGreaterThan(30);
  });

  it('reuses via steps across queries only while they still match the graph', () => {
    const g = graphOf({ hub: {}, a: {}, b: {}, c: { class: 'BusinessService' } }, [
      ['a', 'DEPENDS_ON', 'hub'],
      ['b', 'RUNS_ON', 'a'],
      ['c', 'DEPENDS_ON', 'b'],
    ]);
    const keeper = new ImpactIndexKeeper(g, registry);
    let index = keeper.current(1);
    const first = blastRadius(index, registry, [{ ci: 'hub', effect: 'down' }]);
    const again = blastRadius(index, registry, [{ ci: 'hub', effect: 'down' }]);
    expect(again).toEqual(first);
    // Results are distinct objects; only the immutable steps may be shared.
    expect(again.impacted[0]).not.toBe(first.impacted[0]);
    expect(again.impacted[0]!.via).not.toBe(first.impacted[0]!.via);
    // Another origin reaches b through another step, then the graph changes under the cached steps.
    expect(blastRadius(index, registry, [{ ci: 'a', effect: 'down' }]).impacted.map((i) => i.via.at(-1))).toEqual([
      { from: 'b', type: 'RUNS_ON', to: 'a' },
      { from: 'c', type: 'DEPENDS_ON', to: 'b' },
    ]);
    g.dropEdge('b|RUNS_ON|a');
    g.addEdgeWithKey('b|HOSTED_ON|a', 'b', 'a', { type: 'HOSTED_ON' });
    index = keeper.current(2);
    const after = blastRadius(index, registry, [{ ci: 'hub', effect: 'down' }]);
    expect(after).toEqual(blastRadius(buildImpactIndex(g, registry, 2), registry, [{ ci: 'hub', effect: 'down' }]));
    expect(after.impacted.find((i) => i.id === 'c')!.via).toEqual([
      { from: 'a', type: 'DEPENDS_ON', to: 'hub' },
      { from: 'b', type: 'HOSTED_ON', to: 'a' },
      { from: 'c', type: 'DEPENDS_ON', to: 'b' },
    ]);
  });

  it('numbers an acyclic graph topologically along dependents, CIs added later last, and still finds cycles', () => {
    const rnd = mulberry32(11);
    const { ids, g } = randomGraph(rnd, 300);
    // Drop the edges whose provider comes after its dependent in `ids`: the rest is acyclic.
    const at = new Map(ids.map((id, i) => [id, i]));
    for (const e of g.edges()) {
      const type = g.getEdgeAttribute(e, 'type');
      const [p, d] = type === 'MEMBER_OF' ? [g.source(e), g.target(e)] : [g.target(e), g.source(e)];
      if (at.get(p)! > at.get(d)!) g.dropEdge(e);
    }
    const keeper = new ImpactIndexKeeper(g, registry);
    let index = keeper.current(1);
    const topo = topoOrder(index);
    let edges = 0;
    for (let u = 0; u < index.n; u++) {
      for (let e = index.dep.start[u]!; e < index.dep.end[u]!; e++) {
        expect(topo[index.dep.other[e]!]).toBeGreaterThan(topo[u]!);
        edges++;
      }
    }
    expect(edges).toBeGreaterThan(300);
    expect(blastRadius(index, registry, [{ ci: ids[0]!, effect: 'down' }]).cycles).toEqual([]);
    // A new CI closing a cycle: numbered last, and the cycle is reported.
    g.addNode('late', { class: 'Application', name: 'late', status: 'in_service', environment: 'production', criticality: 3 });
    g.addEdgeWithKey('late|DEPENDS_ON|x', 'late', ids[0]!, { type: 'DEPENDS_ON' });
    g.addEdgeWithKey('x|DEPENDS_ON|late', ids[0]!, 'late', { type: 'DEPENDS_ON' });
    index = keeper.current(2);
    expect(index.topo).toBe(topo);
    expect(topo[index.idToIndex.get('late')!]).toBe(index.n - 1);
    expect(blastRadius(index, registry, [{ ci: ids[0]!, effect: 'down' }]).cycles).toEqual([[ids[0]!, 'late'].sort()]);
  });
});
