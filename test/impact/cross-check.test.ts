/**
 * Randomized cross-check against a naive reference: iterate every CI's state from its providers
 * until nothing changes, then breadth-first depth over the impacted set. ~200 small random graphs
 * with random redundancy rules, origins and type restrictions.
 */
import { describe, expect, it } from 'vitest';
import type { MultiDirectedGraph } from 'graphology';
import { blastRadius, dependencies, requiredAvailable, singlePointsOfFailure, type BlastRadiusResult } from '../../engine/impact/index.ts';
import { plainImpactStates } from '../../bench/plain-impact.ts';
import type { NodeAttrs } from '../../engine/mirror/types.ts';
import type { RedundancyRule } from '../../engine/model/ci.ts';
import { mulberry32 } from '../../fixtures/generate.ts';
import { graphOf, indexOf, registry, type NodeSpec } from './helpers.ts';

type G = MultiDirectedGraph<NodeAttrs, { type: string }>;
type Origin = { ci: string; effect: 'down' | 'degraded' };

const TYPES = ['DEPENDS_ON', 'RUNS_ON', 'MEMBER_OF', 'POWERED_BY', 'BACKED_UP_BY'];
const PROPAGATING = TYPES.filter((t) => registry.relType(t)!.propagates);

function providersOf(g: G, types: readonly string[] | undefined): Map<string, { p: string; type: string }[]> {
  const out = new Map<string, { p: string; type: string }[]>();
  g.forEachNode((v) => out.set(v, []));
  g.forEachEdge((_k, a, s, t) => {
    const def = registry.relType(a.type)!;
    if (!def.propagates || (types !== undefined && !types.includes(a.type))) return;
    const [p, d] = def.provider === 'from' ? [s, t] : [t, s];
    out.get(d)!.push({ p, type: a.type });
  });
  return out;
}

/** The naive reference: global iteration to a fixpoint, then BFS over the impacted set. */
function reference(g: G, origins: Origin[], types?: readonly string[]) {
  const provs = providersOf(g, types);
  const effect = new Map<string, number>();
  for (const o of origins) effect.set(o.ci, Math.max(effect.get(o.ci) ?? 0, o.effect === 'down' ? 2 : 1));
  const state = new Map<string, number>();
  g.forEachNode((v) => state.set(v, 0));
  for (let changed = true; changed;) {
    changed = false;
    g.forEachNode((v, a) => {
      let s = effect.get(v) ?? 0;
      const rules = new Map((a.redundancy ?? []).map((r) => [r.relationship, r.minAvailable]));
      const groups = new Map<string, number[]>();
      for (const { p, type } of provs.get(v)!) {
        if (rules.has(type)) {
          if (!groups.has(type)) groups.set(type, []);
          groups.get(type)!.push(state.get(p)!);
        } else s = Math.max(s, state.get(p)!);
      }
      for (const [type, members] of groups) {
        const down = members.filter((x) => x === 2).length;
        const need = requiredAvailable(rules.get(type)!, members.length);
        if (down > 0 && members.length - down < need) s = Math.max(s, 2);
        else if (down > 0 || members.some((x) => x === 1)) s = Math.max(s, 1);
      }
      if (s > state.get(v)!) {
        state.set(v, s);
        changed = true;
      }
    });
  }
  const depth = new Map<string, number>();
  let frontier = [...effect.keys()];
  for (const o of frontier) depth.set(o, 0);
  const dependents = new Map<string, string[]>();
  for (const [d, ps] of provs) for (const { p } of ps) dependents.set(p, [...(dependents.get(p) ?? []), d]);
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const u of frontier) {
      for (const v of dependents.get(u) ?? []) {
        if (state.get(v)! > 0 && !depth.has(v)) {
          depth.set(v, d);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return { state, depth, provs };
}

function randomCase(rnd: () => number) {
  const int = (n: number) => Math.floor(rnd() * n);
  const n = 3 + int(10);
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);
  const nodes: Record<string, NodeSpec> = {};
  for (const id of ids) {
    const spec: NodeSpec = { environment: rnd() < 0.8 ? 'production' : 'staging', class: rnd() < 0.2 ? 'BusinessService' : 'Application' };
    if (rnd() < 0.4) {
      const rules: RedundancyRule[] = [];
      for (const type of PROPAGATING) {
        if (rnd() < 0.4)
          rules.push({ relationship: type, minAvailable: rnd() < 0.5 ? 1 + int(3) : ['25%', '50%', '67%', '100%'][int(4)]! });
      }
      if (rules.length > 0) spec.redundancy = rules;
    }
    nodes[id] = spec;
  }
  const edges: [string, string, string][] = [];
  const seen = new Set<string>();
  const m = int(2 * n + 1);
  for (let i = 0; i < m; i++) {
    const from = ids[int(n)]!;
    const to = ids[int(n)]!;
    const type = TYPES[int(TYPES.length)]!;
    const key = `${from}|${type}|${to}`;
    if (from === to || seen.has(key)) continue;
    seen.add(key);
    edges.push([from, type, to]);
  }
  const origins: Origin[] = Array.from({ length: 1 + int(3) }, () => ({ ci: ids[int(n)]!, effect: rnd() < 0.7 ? 'down' : 'degraded' }));
  const types = rnd() < 0.25 ? TYPES.filter(() => rnd() < 0.6) : undefined;
  return { ids, nodes, edges, origins, types };
}

function checkAgainstReference(g: G, origins: Origin[], types: string[] | undefined, r: BlastRadiusResult) {
  const ref = reference(g, origins, types);
  const originIds = new Set(origins.map((o) => o.ci));
  const expected = [...ref.state]
    .filter(([id, s]) => s > 0 && !originIds.has(id))
    .map(([id, s]) => [id, s === 2 ? 'down' : 'degraded', ref.depth.get(id)!] as const)
    .sort((a, b) => a[2] - b[2] || (a[0] < b[0] ? -1 : 1));
  expect(r.impacted.map((i) => [i.id, i.state, i.depth])).toEqual(expected);
  for (const o of r.origins) expect(o.state).toBe(ref.state.get(o.id) === 2 ? 'down' : 'degraded');
  // The plain graphology walk (the benchmarks' baseline) agrees too.
  const plain = plainImpactStates(g, registry, origins, { relationshipTypes: types });
  expect(new Map([...plain].filter(([id]) => !originIds.has(id)).map(([id, x]) => [id, [x.state, x.depth]]))).toEqual(
    new Map(expected.map(([id, st, d]) => [id, [st, d]])),
  );

  const depthOf = new Map<string, number>([
    ...r.origins.map((o) => [o.id, 0] as const),
    ...r.impacted.map((i) => [i.id, i.depth] as const),
  ]);
  for (const item of r.impacted) {
    // via: a chain of stored, propagating relationships from an origin, one hop per depth level.
    expect(item.via.length).toBe(item.depth);
    let at: string | undefined;
    item.via.forEach((st, k) => {
      const def = registry.relType(st.type)!;
      expect(g.hasEdge(`${st.from}|${st.type}|${st.to}`)).toBe(true);
      expect(def.propagates && (types === undefined || types.includes(st.type))).toBe(true);
      const [p, d] = def.provider === 'from' ? [st.from, st.to] : [st.to, st.from];
      if (k === 0) expect(originIds.has(p)).toBe(true);
      else expect(p).toBe(at);
      expect(depthOf.get(d)).toBe(k + 1);
      at = d;
    });
    if (item.depth > 0) expect(at).toBe(item.id);

    // redundancy: one report per group that lost a member, with consistent numbers.
    const rules = g.getNodeAttributes(item.id).redundancy ?? [];
    const reports = item.redundancy ?? [];
    const expectedReports = rules
      .map((rule) => {
        const members = ref.provs.get(item.id)!.filter((x) => x.type === rule.relationship);
        const failed = members.filter((x) => ref.state.get(x.p) === 2).length;
        return { relationship: rule.relationship, members: members.length, available: members.length - failed, failed };
      })
      .filter((x) => x.failed > 0)
      .sort((a, b) => (a.relationship < b.relationship ? -1 : 1));
    expect(
      reports.map((x) => ({ relationship: x.relationship, members: x.members, available: x.available, failed: x.failed.length })),
    ).toEqual(expectedReports);
    for (const rep of reports) expect(rep.breached).toBe(rep.available < rep.required);
  }
}

describe('blast radius, dependencies and SPOF against a naive reference', () => {
  it('agree on 200 random small graphs with random redundancy rules', () => {
    const rnd = mulberry32(20260501);
    let nonEmpty = 0;
    let withGroups = 0;
    for (let c = 0; c < 200; c++) {
      const { ids, nodes, edges, origins, types } = randomCase(rnd);
      const g = graphOf(nodes, edges) as G;
      const index = indexOf(g);
      const r = blastRadius(index, registry, origins, { relationshipTypes: types });
      checkAgainstReference(g, origins, types, r);
      if (r.impacted.length > 0) nonEmpty++;
      if (r.impacted.some((i) => i.redundancy !== undefined)) withGroups++;

      // Same answer whatever the insertion order.
      expect(blastRadius(indexOf(graphOf(nodes, edges, 'reversed')), registry, origins, { relationshipTypes: types })).toEqual(r);

      // Reporting filters only filter.
      const filtered = blastRadius(index, registry, origins, { relationshipTypes: types, maxDepth: 1, environments: ['production'] });
      expect(filtered.impacted).toEqual(r.impacted.filter((i) => i.depth <= 1 && i.environment === 'production'));

      // Dependencies: depth = naive BFS over providers.
      const ci = ids[c % ids.length]!;
      const provs = providersOf(g, undefined);
      const depth = new Map<string, number>([[ci, 0]]);
      for (let frontier = [ci], d = 1; frontier.length > 0; d++) {
        const next: string[] = [];
        for (const u of frontier) {
          for (const { p } of provs.get(u)!) {
            if (depth.has(p)) continue;
            depth.set(p, d);
            next.push(p);
          }
        }
        frontier = next;
      }
      depth.delete(ci);
      const deps = dependencies(index, registry, ci).dependencies;
      expect(new Map(deps.map((d) => [d.id, d.depth]))).toEqual(depth);

      // SPOF: every CI whose failure alone makes ci down, by brute force.
      const expectedSpofs = ids.filter((x) => x !== ci && reference(g, [{ ci: x, effect: 'down' }]).state.get(ci) === 2).sort();
      expect(
        singlePointsOfFailure(index, registry, ci)
          .spofs.map((s) => s.id)
          .sort(),
      ).toEqual(expectedSpofs);
    }
    // The generator must actually exercise propagation and groups.
    expect(nonEmpty).toBeGreaterThan(100);
    expect(withGroups).toBeGreaterThan(20);
  });
});
