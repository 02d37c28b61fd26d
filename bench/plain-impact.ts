/**
 * The plain approach, for benchmarks and cross-checks only (bench/impact.ts prints the index's
 * speed-up against it; test/impact/cross-check.test.ts checks the index's states against it): the same two passes as `blastRadius`
 * (down-propagation worklist, then breadth-first depth) walked directly on graphology with
 * string keys and Maps, no index (STYLE.md #3).
 * Direction: 'dependents' — a provider's failure flows to the CIs that depend on it.
 */
import type { GraphView } from '../engine/mirror/types.ts';
import type { Registry } from '../engine/model/registry.ts';
import { requiredAvailable, type ImpactOrigin, type ImpactState } from '../engine/impact/index.ts';

export function plainImpactStates(
  graph: GraphView,
  registry: Registry,
  origins: readonly ImpactOrigin[],
  options: { relationshipTypes?: readonly string[] } = {},
): Map<string, { state: ImpactState; depth: number }> {
  const types = options.relationshipTypes;
  const providerEnd = (type: string): 'from' | 'to' | undefined => {
    const def = registry.relType(type);
    if (def === undefined || !def.propagates || (types !== undefined && !types.includes(type))) return undefined;
    return def.provider;
  };
  const forEachDependent = (u: string, cb: (v: string, type: string) => void): void => {
    graph.forEachOutEdge(u, (_e, a, _s, t) => {
      if (providerEnd(a.type) === 'from') cb(t, a.type);
    });
    graph.forEachInEdge(u, (_e, a, s) => {
      if (providerEnd(a.type) === 'to') cb(s, a.type);
    });
  };
  const groupSize = (v: string, type: string): number => {
    let n = 0;
    const end = providerEnd(type);
    if (end === 'from') graph.forEachInEdge(v, (_e, a) => void (a.type === type && n++));
    else graph.forEachOutEdge(v, (_e, a) => void (a.type === type && n++));
    return n;
  };

  const down = new Set<string>();
  const queue: string[] = [];
  for (const o of origins) {
    if (o.effect === 'down' && !down.has(o.ci)) {
      down.add(o.ci);
      queue.push(o.ci);
    }
  }
  const groupDown = new Map<string, number>();
  for (let h = 0; h < queue.length; h++) {
    forEachDependent(queue[h]!, (v, type) => {
      const rule = graph.getNodeAttributes(v).redundancy?.find((r) => r.relationship === type);
      if (rule !== undefined) {
        const key = `${v}|${type}`;
        const count = (groupDown.get(key) ?? 0) + 1;
        groupDown.set(key, count);
        const size = groupSize(v, type);
        if (size - count >= requiredAvailable(rule.minAvailable, size)) return;
      }
      if (!down.has(v)) {
        down.add(v);
        queue.push(v);
      }
    });
  }

  const out = new Map<string, { state: ImpactState; depth: number }>();
  let frontier: string[] = [];
  for (const o of origins) {
    if (!out.has(o.ci)) frontier.push(o.ci);
    out.set(o.ci, { state: 'degraded', depth: 0 });
  }
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const u of frontier) {
      forEachDependent(u, (v) => {
        if (!out.has(v)) {
          out.set(v, { state: 'degraded', depth: d });
          next.push(v);
        }
      });
    }
    frontier = next;
  }
  for (const [id, entry] of out) if (down.has(id)) entry.state = 'down';
  return out;
}
