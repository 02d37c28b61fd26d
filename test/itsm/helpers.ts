/** Small hand-checked graphs for the ITSM unit tests, built as mirror-shaped graphology graphs. */
import Graph from 'graphology';
import type { MirrorGraph, NodeAttrs } from '../../engine/mirror/types.ts';
import { Registry } from '../../engine/model/registry.ts';
import { buildImpactIndex, type ImpactIndex } from '../../engine/impact/index.ts';

export const registry = Registry.load();

export function graph(nodes: Record<string, string>, edges: [string, string, string][]): MirrorGraph {
  const g = new Graph.MultiDirectedGraph<NodeAttrs, { type: string }>({ allowSelfLoops: false });
  for (const [id, cls] of Object.entries(nodes))
    g.addNode(id, { class: cls, name: id, status: 'in_service', environment: 'production', criticality: 3 });
  for (const [from, type, to] of edges) g.addEdgeWithKey(`${from}|${type}|${to}`, from, to, { type });
  return g;
}

export const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
export const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** A standalone impact index over `g` (what `cmdb.impactIndex()` hands the algorithms in the app). */
export const indexOf = (g: MirrorGraph): ImpactIndex => buildImpactIndex(g, registry);
