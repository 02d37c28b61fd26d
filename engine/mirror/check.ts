/**
 * Compares the mirror with the store CI by CI and edge by edge (`cmdb check`, and the proof that a
 * crash or a failed write left both consistent).
 */
import { isDeepStrictEqual } from 'node:util';
import type { GraphStore } from '../store/port.ts';
import type { Mirror } from './mirror.ts';
import { SharedAttrs } from './shared-attrs.ts';

export interface MirrorDifference {
  kind: 'ci' | 'relationship' | 'seq';
  id: string;
  problem: 'missing_in_mirror' | 'missing_in_store' | 'attributes_differ' | 'endpoints_differ' | 'seq_differs';
  store?: unknown;
  mirror?: unknown;
}

export interface MirrorCheck {
  consistent: boolean;
  seq: { store: number; mirror: number };
  counts: { storeCis: number; mirrorCis: number; storeRelationships: number; mirrorRelationships: number };
  differences: MirrorDifference[];
  /** True when more differences exist than were listed. */
  truncated: boolean;
}

export async function checkMirror(mirror: Mirror, store: GraphStore, maxDifferences = 100): Promise<MirrorCheck> {
  const g = mirror.graph;
  // Its own table: comparing must not grow the mirror's.
  const attrs = new SharedAttrs();
  const differences: MirrorDifference[] = [];
  let total = 0;
  const note = (d: MirrorDifference) => {
    total += 1;
    if (differences.length < maxDifferences) differences.push(d);
  };

  const storeSeq = await store.lastSeq();
  if (storeSeq !== mirror.seq) note({ kind: 'seq', id: 'seq', problem: 'seq_differs', store: storeSeq, mirror: mirror.seq });

  let storeCis = 0;
  const seenNodes = new Set<string>();
  for await (const page of store.streamCISummaries()) {
    for (const ci of page) {
      storeCis += 1;
      seenNodes.add(ci.id);
      const expected = attrs.node(ci);
      if (!g.hasNode(ci.id)) note({ kind: 'ci', id: ci.id, problem: 'missing_in_mirror', store: expected });
      else if (!isDeepStrictEqual(g.getNodeAttributes(ci.id), expected))
        note({ kind: 'ci', id: ci.id, problem: 'attributes_differ', store: expected, mirror: g.getNodeAttributes(ci.id) });
    }
  }
  g.forEachNode((id) => {
    if (!seenNodes.has(id)) note({ kind: 'ci', id, problem: 'missing_in_store', mirror: g.getNodeAttributes(id) });
  });
  seenNodes.clear();

  let storeRels = 0;
  const seenEdges = new Set<string>();
  for await (const page of store.streamRelationshipEnds()) {
    for (const r of page) {
      storeRels += 1;
      seenEdges.add(r.id);
      if (!g.hasEdge(r.id)) {
        note({ kind: 'relationship', id: r.id, problem: 'missing_in_mirror', store: r });
        continue;
      }
      const ends = { from: g.source(r.id), to: g.target(r.id) };
      if (ends.from !== r.from || ends.to !== r.to)
        note({ kind: 'relationship', id: r.id, problem: 'endpoints_differ', store: { from: r.from, to: r.to }, mirror: ends });
      else if (!isDeepStrictEqual(g.getEdgeAttributes(r.id), attrs.edge(r)))
        note({ kind: 'relationship', id: r.id, problem: 'attributes_differ', store: attrs.edge(r), mirror: g.getEdgeAttributes(r.id) });
    }
  }
  g.forEachEdge((id) => {
    if (!seenEdges.has(id)) note({ kind: 'relationship', id, problem: 'missing_in_store' });
  });

  return {
    consistent: total === 0,
    seq: { store: storeSeq, mirror: mirror.seq },
    counts: { storeCis, mirrorCis: g.order, storeRelationships: storeRels, mirrorRelationships: g.size },
    differences,
    truncated: total > differences.length,
  };
}
