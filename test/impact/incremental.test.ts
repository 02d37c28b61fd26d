/**
 * Incremental index maintenance is equivalent to a fresh build: random graphs go through random
 * write sequences (CIs added, deleted, re-added; relationships added and dropped, parallel ones,
 * redundancy members, unknown and audit-only types; attribute, class and redundancy-rule changes,
 * in place and by replacement), and after every step blast radius, dependencies and SPOF over the
 * maintained index must equal those over an index built from scratch. Capacities are shrunk so that
 * segment relocation, compaction, node/group growth and the tombstone rebuild all happen.
 */
import { describe, expect, it } from 'vitest';
import type { MultiDirectedGraph } from 'graphology';
import {
  blastRadius,
  buildImpactIndex,
  dependencies,
  forEachNeighbour,
  ImpactIndexKeeper,
  singlePointsOfFailure,
  type ImpactIndex,
} from '../../engine/impact/index.ts';
import type { NodeAttrs } from '../../engine/mirror/types.ts';
import type { RedundancyRule } from '../../engine/model/ci.ts';
import { Mirror } from '../../engine/mirror/mirror.ts';
import type { ChangeEvent } from '../../engine/store/port.ts';
import { mulberry32 } from '../../fixtures/generate.ts';
import { graphOf, registry, type NodeSpec } from './helpers.ts';

type G = MultiDirectedGraph<NodeAttrs, { type: string }>;

const TYPES = ['DEPENDS_ON', 'RUNS_ON', 'MEMBER_OF', 'POWERED_BY', 'HOSTED_ON', 'BACKED_UP_BY', 'NOT_IN_REGISTRY'];
const RULE_TYPES = ['DEPENDS_ON', 'MEMBER_OF', 'POWERED_BY', 'RUNS_ON', 'BACKED_UP_BY'];
const CLASSES = ['Application', 'BusinessService', 'Cluster', 'Server', 'Database'];
const ENVS: NodeAttrs['environment'][] = ['production', 'staging', 'test'];

/** Shrunk capacities: small graphs go through relocation, compaction, growth and the tombstone rebuild. */
const SMALL = { entrySlack: 4, nodeSlack: 2, groupSlack: 1, tombstones: 6 };
/** Every report sorted by the maintained id rank (radix), on small graphs too. */
const RADIX = { largeReport: 0, radixLevel: 0, radixBits: 2 };

class World {
  readonly rand: () => number;
  next = 0;
  constructor(
    seed: number,
    readonly g: G,
  ) {
    this.rand = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  rules(): RedundancyRule[] | undefined {
    if (this.rand() < 0.6) return undefined;
    const out: RedundancyRule[] = [];
    for (let k = 1 + this.int(2); k > 0; k--) {
      out.push({
        relationship: this.pick(RULE_TYPES),
        minAvailable: this.rand() < 0.5 ? 1 + this.int(3) : this.pick(['50%', '67%', '100%', '1%']),
      });
    }
    return out;
  }
  attrs(id: string): NodeAttrs {
    const a: NodeAttrs = {
      class: this.pick(CLASSES),
      name: `${id} ${this.int(100)}`,
      status: 'in_service',
      environment: this.pick(ENVS),
      criticality: 1 + this.int(4),
    };
    if (this.rand() < 0.5) a.owner = this.pick(['ops', 'dba', 'net']);
    const r = this.rules();
    if (r !== undefined) a.redundancy = r;
    return a;
  }
  nodes(): string[] {
    return this.g.nodes();
  }
  /** One random write. */
  step(): void {
    const g = this.g;
    const ids = this.nodes();
    const x = this.rand();
    if (ids.length < 3 || x < 0.12) {
      // Sometimes re-add an id that was deleted.
      const id = this.rand() < 0.3 && this.next > 0 ? `n${this.int(this.next)}` : `n${this.next++}`;
      if (!g.hasNode(id)) g.addNode(id, this.attrs(id));
    } else if (x < 0.2) {
      g.dropNode(this.pick(ids));
    } else if (x < 0.55) {
      const from = this.pick(ids);
      const to = this.pick(ids);
      if (from !== to) g.addEdge(from, to, { type: this.pick(TYPES) });
    } else if (x < 0.72) {
      const edges = g.edges();
      if (edges.length > 0) g.dropEdge(this.pick(edges));
    } else if (x < 0.85) {
      const id = this.pick(ids);
      g.replaceNodeAttributes(id, this.attrs(id));
    } else if (x < 0.92) {
      // In place, as `mergeNodeAttributes` does: same object, new rules.
      const id = this.pick(ids);
      const r = this.rules();
      g.mergeNodeAttributes(id, { redundancy: r ?? [] });
    } else {
      const id = this.pick(ids);
      g.setNodeAttribute(id, 'class', this.pick(CLASSES));
    }
  }
}

/** Every answer the index gives, over a sample of CIs and origin sets. */
function answers(
  index: ImpactIndex,
  w: World,
  probes: { origins: { ci: string; effect: 'down' | 'degraded' }[]; types?: string[]; maxDepth?: number }[],
  cis: string[],
) {
  return {
    blast: probes.map((p) => blastRadius(index, registry, p.origins, { relationshipTypes: p.types, maxDepth: p.maxDepth })),
    deps: cis.map((ci) => dependencies(index, registry, ci)),
    spof: cis.map((ci) => singlePointsOfFailure(index, registry, ci)),
    neighbours: cis.map((ci) => {
      const out: string[] = [];
      for (const d of ['dependents', 'providers'] as const) {
        forEachNeighbour(index, index.idToIndex.get(ci)!, d, (v, t, grp) =>
          out.push(`${d}:${index.nodeIds[v]}:${index.typeNames[t]}:${grp >= 0 ? index.groupSize[grp] : -1}`),
        );
      }
      return out.sort();
    }),
    unknown: index.unknownTypeEdges,
    ids: [...index.idToIndex.keys()].sort(),
    w: w.g.order,
  };
}

function probesFor(w: World): { origins: { ci: string; effect: 'down' | 'degraded' }[]; types?: string[]; maxDepth?: number }[] {
  const ids = w.nodes();
  const out = [];
  for (let k = 0; k < 4; k++) {
    const origins = [];
    for (let j = 1 + w.int(3); j > 0; j--)
      origins.push({ ci: w.pick(ids), effect: w.rand() < 0.75 ? ('down' as const) : ('degraded' as const) });
    out.push({
      origins,
      types: w.rand() < 0.2 ? ['DEPENDS_ON', 'MEMBER_OF'] : undefined,
      maxDepth: w.rand() < 0.2 ? 1 + w.int(3) : undefined,
    });
  }
  return out;
}

/** Contiguous CSR of a node, as a sorted multiset: what direct array readers (correlation) see. */
function csrOf(index: ImpactIndex, ci: string): string[] {
  const v = index.idToIndex.get(ci)!;
  const out: string[] = [];
  for (let e = index.depOffsets[v]!; e < index.depOffsets[v + 1]!; e++)
    out.push(`d:${index.nodeIds[index.depTarget[e]!]}:${index.depType[e]}`);
  for (let e = index.provOffsets[v]!; e < index.provOffsets[v + 1]!; e++)
    out.push(`p:${index.nodeIds[index.provSource[e]!]}:${index.provType[e]}`);
  return out.sort();
}

function initialGraph(w: World): void {
  const n = 6 + w.int(10);
  for (let i = 0; i < n; i++) {
    const id = `n${w.next++}`;
    w.g.addNode(id, w.attrs(id));
  }
  for (let e = w.int(3 * n); e > 0; e--) {
    const ids = w.nodes();
    const from = w.pick(ids);
    const to = w.pick(ids);
    if (from !== to) w.g.addEdge(from, to, { type: w.pick(TYPES) });
  }
}

describe('incremental impact index', () => {
  it('answers exactly like a fresh build after every random write sequence (300 seeds)', () => {
    let rebuilds = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const g = graphOf({}, []);
      const w = new World(seed, g);
      initialGraph(w);
      // Odd seeds sort every report by the maintained id rank (radix), even ones by string compare.
      const keeper = new ImpactIndexKeeper(g, registry, { capacity: SMALL, report: seed % 2 === 1 ? RADIX : undefined });
      let version = 1;
      let index = keeper.current(version);
      for (let round = 0; round < 25; round++) {
        const writes = 1 + w.int(round % 5 === 4 ? 12 : 3);
        for (let k = 0; k < writes; k++) w.step();
        const before = index;
        index = keeper.current(++version);
        if ((index as unknown as { core: unknown }).core !== (before as unknown as { core: unknown }).core) rebuilds++;
        const fresh = buildImpactIndex(g, registry, version);
        const ids = w.nodes();
        if (ids.length === 0) continue;
        const cis = Array.from({ length: Math.min(4, ids.length) }, () => w.pick(ids));
        const probes = probesFor(w);
        const label = `seed ${seed} round ${round}`;
        expect(answers(index, w, probes, cis), label).toEqual(answers(fresh, w, probes, cis));
        // Now and then read the contiguous arrays too (compacts the maintained state).
        if (round % 3 === 2) for (const ci of cis) expect(csrOf(index, ci), label).toEqual(csrOf(fresh, ci));
      }
    }
    // The tombstone limit was reached now and then: that path is exercised too, but it is rare.
    expect(rebuilds).toBeGreaterThan(0);
    expect(rebuilds).toBeLessThan(300 * 25 * 0.2);
  });

  it('orders large reports (sorted by id rank) exactly as a fresh build after CIs are added and deleted', () => {
    const nodes: Record<string, NodeSpec> = { root: { class: 'Server' } };
    const edges: [string, string, string][] = [];
    for (let i = 0; i < 5000; i++) {
      const id = `app-${String(i * 2).padStart(5, '0')}`;
      nodes[id] = {};
      edges.push([id, 'RUNS_ON', 'root']);
    }
    const g = graphOf(nodes, edges);
    const query = (index: ImpactIndex) => blastRadius(index, registry, [{ ci: 'root', effect: 'down' }]);
    const keeper = new ImpactIndexKeeper(g, registry, { capacity: SMALL });
    let index = keeper.current(1);
    expect(query(index).impacted).toHaveLength(5000);
    const attrs = (): NodeAttrs => ({ class: 'Application', name: 'x', status: 'in_service', environment: 'production', criticality: 3 });
    for (const id of ['a-first', 'zz-last', ...Array.from({ length: 20 }, (_, i) => `app-${String(i * 500 + 1).padStart(5, '0')}`)]) {
      g.addNode(id, attrs());
      g.addEdge(id, 'root', { type: 'RUNS_ON' });
    }
    g.dropNode('app-00010');
    g.addNode('app-00010', attrs());
    g.addEdge('app-00010', 'root', { type: 'DEPENDS_ON' });
    index = keeper.current(2);
    const result = query(index);
    expect(result).toEqual(query(buildImpactIndex(g, registry, 2)));
    expect(result.impacted.map((i) => i.id)).toEqual(
      g
        .nodes()
        .filter((id) => id !== 'root')
        .sort(),
    );
  });

  it('keeps one state per keeper: versions advance it, and a closed keeper stops following the graph', () => {
    const g = graphOf({ a: {}, b: {} }, [['b', 'DEPENDS_ON', 'a']]);
    const keeper = new ImpactIndexKeeper(g, registry);
    const first = keeper.current(1);
    expect(keeper.current(1)).toBe(first);
    g.addEdgeWithKey('a|BACKED_UP_BY|b', 'a', 'b', { type: 'BACKED_UP_BY' });
    const second = keeper.current(2);
    expect(second).not.toBe(first);
    expect(second.idToIndex).toBe(first.idToIndex);
    // Another keeper of the same graph owns its own state (and its own journal).
    const other = new ImpactIndexKeeper(g, registry);
    expect(other.current(2).dep).not.toBe(second.dep);
    const listeners = g.listenerCount('edgeAdded');
    keeper.close();
    other.close();
    expect(g.listenerCount('edgeAdded')).toBe(listeners - 2);
    // After close, each new version is a fresh build that still answers correctly.
    g.addEdgeWithKey('b|DEPENDS_ON|a2', 'b', 'a', { type: 'DEPENDS_ON' });
    const third = keeper.current(3);
    expect(third.dep).not.toBe(second.dep);
    expect(third.dep.count).toBe(2);
  });

  it('follows the mirror through committed events: CI upserts and deletes, relationship upserts and deletes', () => {
    const mirror = new Mirror();
    const keeper = new ImpactIndexKeeper(mirror.graph, registry);
    let seq = 0;
    const ev = (entity: 'ci' | 'relationship', id: string, after: unknown): ChangeEvent =>
      ({
        seq: ++seq,
        at: '2024-01-01T00:00:00Z',
        actor: 't',
        op: after ? 'upsert' : 'delete',
        entity,
        id,
        before: null,
        after,
      }) as unknown as ChangeEvent;
    const ci = (id: string, extra: Record<string, unknown> = {}) => ({
      id,
      class: 'Application',
      name: id,
      status: 'in_service',
      environment: 'production',
      criticality: 3,
      redundancy: [],
      ...extra,
    });
    const rel = (from: string, type: string, to: string) => ({ id: `${from}|${type}|${to}`, from, to, type, attributes: {} });
    mirror.applyEvents([
      ev('ci', 'db1', ci('db1')),
      ev('ci', 'db2', ci('db2')),
      ev('ci', 'app', ci('app', { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] })),
      ev('relationship', 'app|DEPENDS_ON|db1', rel('app', 'DEPENDS_ON', 'db1')),
    ]);
    const check = () => {
      const index = keeper.current(mirror.revision);
      const fresh = buildImpactIndex(mirror.graph, registry, mirror.revision);
      for (const id of mirror.graph.nodes()) {
        expect(blastRadius(index, registry, [{ ci: id, effect: 'down' }])).toEqual(
          blastRadius(fresh, registry, [{ ci: id, effect: 'down' }]),
        );
        expect(singlePointsOfFailure(index, registry, id)).toEqual(singlePointsOfFailure(fresh, registry, id));
      }
      return index;
    };
    expect(blastRadius(check(), registry, [{ ci: 'db1', effect: 'down' }]).impacted.map((i) => [i.id, i.state])).toEqual([['app', 'down']]);
    mirror.applyEvents([ev('relationship', 'app|DEPENDS_ON|db2', rel('app', 'DEPENDS_ON', 'db2'))]);
    expect(blastRadius(check(), registry, [{ ci: 'db1', effect: 'down' }]).impacted.map((i) => [i.id, i.state])).toEqual([
      ['app', 'degraded'],
    ]);
    mirror.applyEvents([ev('ci', 'app', ci('app', { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 2 }] }))]);
    expect(blastRadius(check(), registry, [{ ci: 'db1', effect: 'down' }]).impacted.map((i) => [i.id, i.state])).toEqual([['app', 'down']]);
    mirror.applyEvents([ev('ci', 'db2', null), ev('relationship', 'app|DEPENDS_ON|db1', null)]);
    const index = check();
    expect(index.idToIndex.has('db2')).toBe(false);
    // Slot scans filtering by class (the SLA report) skip the deleted CI's slot.
    expect(index.nodeIds.filter((_id, v) => index.attrs[v]!.class === 'Application')).toEqual(['db1', 'app']);
    expect(blastRadius(index, registry, [{ ci: 'db1', effect: 'down' }]).impacted).toEqual([]);
  });
});
