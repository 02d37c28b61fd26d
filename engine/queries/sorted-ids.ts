/**
 * Node and edge ids of the mirror in id order, for keyset pagination. graphology keeps insertion
 * order, so the sorted arrays are rebuilt lazily when the mirror's `revision` moves (once per
 * committed write, not per request); reads in between reuse them and find a cursor by binary search.
 * The arrays are kept by the mirror itself (`Mirror.derived`), keyed by these functions.
 */
import type { Mirror } from '../mirror/mirror.ts';
import type { MirrorGraph } from '../mirror/types.ts';

export interface MirrorLike {
  graph: MirrorGraph;
  revision: number;
  derived: Mirror['derived'];
}

export function sortedNodeIds(mirror: MirrorLike): string[] {
  return mirror.derived(sortedNodeIds, () => mirror.graph.nodes().sort(compareIds));
}

export function sortedEdgeIds(mirror: MirrorLike): string[] {
  return mirror.derived(sortedEdgeIds, () => mirror.graph.edges().sort(compareIds));
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
