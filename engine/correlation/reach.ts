/**
 * Reach: how many CIs depend on a candidate (itself included) within the walk depth — the
 * denominator of the specificity signal. Direction: 'dependents' (the impact index's `dep*` CSR).
 *
 * Counted exactly by a depth-bounded breadth-first walk, memoised per impact index (an index is
 * immutable, so counts stay valid for its life) and capped at `cap` nodes: past the cap the exact
 * count no longer changes a ranking (such a hub is penalised either way), and the cap bounds the
 * cost of a 1M-node graph's data-centre candidates. A sum-over-dependents estimate was rejected: on
 * the demo and generated graphs it over-counts shared descendants up to ten-fold (hosts of an HA
 * cluster), which would bias the ranking toward the cluster over the failed host.
 */
import type { ImpactIndex } from '../impact/index.ts';

interface ReachCache {
  depth: number;
  cap: number;
  counts: Int32Array;
  mark: Uint32Array;
  queue: Int32Array;
  level: Uint8Array;
  stamp: number;
}

const caches = new WeakMap<ImpactIndex, Map<string, ReachCache>>();

export const DEFAULT_REACH_CAP = 50_000;

function cacheFor(index: ImpactIndex, depth: number, cap: number): ReachCache {
  let byKey = caches.get(index);
  if (byKey === undefined) caches.set(index, (byKey = new Map()));
  const key = `${depth}/${cap}`;
  let c = byKey.get(key);
  if (c === undefined) {
    c = { depth, cap, counts: new Int32Array(index.n), mark: new Uint32Array(index.n), queue: new Int32Array(Math.min(index.n, cap + 1)), level: new Uint8Array(Math.min(index.n, cap + 1)), stamp: 0 };
    byKey.set(key, c);
  }
  return c;
}

/**
 * The memo behind `reachOf(index, ·, depth, cap)`: by node, the count, or 0 when not computed yet.
 * Hot loops read it directly to tell "known" from "would need a walk" (see cover.ts, lazy reach).
 */
export function reachMemo(index: ImpactIndex, depth: number, cap = DEFAULT_REACH_CAP): Int32Array {
  return cacheFor(index, depth, cap).counts;
}

/** Dependents of `node` (itself included) within `depth` hops, at most `cap`. */
export function reachOf(index: ImpactIndex, node: number, depth: number, cap = DEFAULT_REACH_CAP): number {
  return reachAtLeast(index, node, depth, cap, cap);
}

/**
 * Like `reachOf`, but the walk stops after `budget` nodes: the answer is exact (and memoised)
 * when below the budget or when the budget is the cap; otherwise it is `budget`, a lower bound,
 * and raises the node's entry in `refinedBounds`. The cover refines a candidate's bound by
 * doubling budgets only while it stays at the top of the heap, so a hub whose score is already
 * too low with 4,000 dependents never pays for a 50,000-node walk.
 */
export function reachAtLeast(index: ImpactIndex, node: number, depth: number, budget: number, cap = DEFAULT_REACH_CAP): number {
  const c = cacheFor(index, depth, cap);
  const known = c.counts[node]!;
  if (known > 0) return known;
  const limit = Math.min(budget, cap);
  if (c.stamp >= 0xfffffff0) {
    c.mark.fill(0);
    c.stamp = 0;
  }
  const stamp = ++c.stamp;
  const { depOffsets, depTarget } = index;
  const { mark, queue, level } = c;
  mark[node] = stamp;
  queue[0] = node;
  level[0] = 0;
  let tail = 1;
  let full = false;
  outer: for (let head = 0; head < tail; head++) {
    const u = queue[head]!;
    const d = level[head]!;
    if (d >= depth) continue;
    const end = depOffsets[u + 1]!;
    for (let e = depOffsets[u]!; e < end; e++) {
      const v = depTarget[e]!;
      if (mark[v] === stamp) continue;
      mark[v] = stamp;
      if (tail >= limit) {
        full = true;
        break outer;
      }
      queue[tail] = v;
      level[tail] = d + 1;
      tail++;
    }
  }
  if (!full || limit >= cap) c.counts[node] = tail;
  else {
    const lb = refinedBounds(index, depth, cap);
    if (lb[node]! < tail) lb[node] = tail;
  }
  return tail;
}

const lowerBounds = new WeakMap<ImpactIndex, Map<number, Int32Array>>();

/**
 * A lower bound of `reachOf(index, v, depth, cap)` for every node at once, memoised per index:
 * lb_d(v) = 1 + max(distinct direct dependents, max over dependents of lb_{d−1}) — a node reaches
 * at least its own dependents, and everything its largest dependent reaches. `depth` passes over
 * the dependents CSR (~50 ms at 1M CIs / 3M relationships); it lets the greedy cover rank
 * candidates by an upper bound of their score and walk the reach of only those that get to the
 * top (see cover.ts). The sum over dependents would be an upper bound instead, but shared
 * descendants make it up to ten times too large.
 */
export function reachLowerBounds(index: ImpactIndex, depth: number, cap = DEFAULT_REACH_CAP): Int32Array {
  let byDepth = lowerBounds.get(index);
  if (byDepth === undefined) lowerBounds.set(index, (byDepth = new Map()));
  const key = depth * 0x1000000 + Math.min(cap, 0xffffff);
  const known = byDepth.get(key);
  if (known !== undefined) return known;
  const { n, depOffsets, depTarget } = index;
  const distinct = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    let c = 0;
    for (let e = depOffsets[v]!; e < depOffsets[v + 1]!; e++) {
      const w = depTarget[e]!;
      if (mark[w] !== v) {
        mark[w] = v;
        c++;
      }
    }
    distinct[v] = c;
  }
  let prev = new Int32Array(n).fill(1);
  let next = new Int32Array(n);
  for (let d = 1; d <= depth; d++) {
    let changed = false;
    for (let v = 0; v < n; v++) {
      let best = distinct[v]!;
      for (let e = depOffsets[v]!; e < depOffsets[v + 1]!; e++) {
        const x = prev[depTarget[e]!]!;
        if (x > best) best = x;
      }
      const lb = Math.min(cap, 1 + best);
      next[v] = lb;
      if (lb !== prev[v]) changed = true;
    }
    [prev, next] = [next, prev];
    if (!changed) break;
  }
  byDepth.set(key, prev);
  return prev;
}

const refined = new WeakMap<ImpactIndex, Map<number, Int32Array>>();

/**
 * `reachLowerBounds` raised by the partial walks of `reachAtLeast`: the best lower bound known so
 * far. It changes from call to call, so only lazy evaluation reads it (whose choices do not depend
 * on how tight a bound is); anything that must give the same answer every time uses the
 * structural bounds.
 */
export function refinedBounds(index: ImpactIndex, depth: number, cap = DEFAULT_REACH_CAP): Int32Array {
  let byDepth = refined.get(index);
  if (byDepth === undefined) refined.set(index, (byDepth = new Map()));
  const key = depth * 0x1000000 + Math.min(cap, 0xffffff);
  let a = byDepth.get(key);
  if (a === undefined) byDepth.set(key, (a = reachLowerBounds(index, depth, cap).slice()));
  return a;
}
