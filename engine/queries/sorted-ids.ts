/**
 * Node and edge ids of the mirror in id order, for keyset pagination. graphology keeps insertion
 * order, so the sorted arrays are rebuilt lazily when the mirror's `revision` moves (once per
 * committed write, not per request); reads in between reuse them and find a cursor by binary search.
 */
import type { MirrorGraph } from '../mirror/types.ts';

export interface MirrorLike {
  graph: MirrorGraph;
  revision: number;
}

const cache = new WeakMap<MirrorLike, { revision: number; nodes?: string[]; edges?: string[] }>();

function entry(mirror: MirrorLike) {
  let e = cache.get(mirror);
  if (!e || e.revision !== mirror.revision) {
    e = { revision: mirror.revision };
    cache.set(mirror, e);
  }
  return e;
}

export function sortedNodeIds(mirror: MirrorLike): string[] {
  const e = entry(mirror);
  e.nodes ??= mirror.graph.nodes().sort(compareIds);
  return e.nodes;
}

export function sortedEdgeIds(mirror: MirrorLike): string[] {
  const e = entry(mirror);
  e.edges ??= mirror.graph.edges().sort(compareIds);
  return e.edges;
}

/** Code-unit order, the same as the stores' `ORDER BY id` for the ASCII ids CIs use. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first id strictly greater than `after` (0 when `after` is undefined). */
export function firstAfter(sorted: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
