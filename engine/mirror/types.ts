/**
 * What the in-memory mirror holds per node and edge: topology plus the attributes the algorithms
 * need. Full attribute documents stay in the store.
 *
 * Edge direction is the stored direction (`from` → `to`, as the relationship reads); which end is
 * the provider comes from the relationship-type registry, never from the edge direction alone.
 * Edge keys are relationship ids; node keys are CI ids.
 */
import type { MultiDirectedGraph } from 'graphology';
import type { RedundancyRule } from '../model/ci.ts';
import type { CI_STATUSES, ENVIRONMENTS } from '../model/ci.ts';

export interface NodeAttrs {
  class: string;
  name: string;
  status: (typeof CI_STATUSES)[number];
  environment: (typeof ENVIRONMENTS)[number];
  criticality: number;
  owner?: string;
  /** Absent when the CI declares no redundancy rule (most CIs): saves memory at 1M nodes. */
  redundancy?: RedundancyRule[];
}

export interface EdgeAttrs {
  type: string;
}

export type MirrorGraph = MultiDirectedGraph<NodeAttrs, EdgeAttrs>;

/** A read-only view for algorithms: they never mutate the mirror. */
export type GraphView = Pick<
  MirrorGraph,
  | 'hasNode'
  | 'getNodeAttributes'
  | 'getEdgeAttributes'
  | 'forEachNode'
  | 'forEachInEdge'
  | 'forEachOutEdge'
  | 'forEachEdge'
  | 'inEdges'
  | 'outEdges'
  | 'source'
  | 'target'
  | 'order'
  | 'size'
  | 'nodes'
>;
