/** Small hand-built mirror graphs for the impact tests. */
import { MultiDirectedGraph } from 'graphology';
import type { MirrorGraph, NodeAttrs } from '../../engine/mirror/types.ts';
import type { RedundancyRule } from '../../engine/model/ci.ts';
import { Registry } from '../../engine/model/registry.ts';
import { buildImpactIndex, type ImpactIndex } from '../../engine/impact/index.ts';

export const registry = Registry.load();

export interface NodeSpec {
  class?: string;
  environment?: NodeAttrs['environment'];
  criticality?: number;
  owner?: string;
  redundancy?: RedundancyRule[];
}

/** `nodes`: id → spec (class defaults to Application); `edges`: `[from, TYPE, to]` as stored. */
export function graphOf(
  nodes: Record<string, NodeSpec>,
  edges: [string, string, string][],
  order: 'as-given' | 'reversed' = 'as-given',
): MirrorGraph {
  const g: MirrorGraph = new MultiDirectedGraph<NodeAttrs, { type: string }>();
  const ids = Object.keys(nodes);
  for (const id of order === 'reversed' ? [...ids].reverse() : ids) {
    const s = nodes[id]!;
    const a: NodeAttrs = {
      class: s.class ?? 'Application',
      name: `${id} name`,
      status: 'in_service',
      environment: s.environment ?? 'production',
      criticality: s.criticality ?? 3,
    };
    if (s.owner !== undefined) a.owner = s.owner;
    if (s.redundancy !== undefined) a.redundancy = s.redundancy;
    g.addNode(id, a);
  }
  const es = order === 'reversed' ? [...edges].reverse() : edges;
  for (const [from, type, to] of es) g.addEdgeWithKey(`${from}|${type}|${to}`, from, to, { type });
  return g;
}

export const step = (from: string, type: string, to: string) => ({ from, type, to });

/** A standalone impact index over `g` (what `cmdb.impactIndex()` hands the algorithms in the app). */
export const indexOf = (g: MirrorGraph): ImpactIndex => buildImpactIndex(g, registry);
