/**
 * Reach: how many CIs depend on a candidate (itself included) within the walk depth — the
 * denominator of the specificity signal. Direction: 'dependents' (the impact index's `dep*` CSR).
 *
 * Counted exactly by a depth-bounded breadth-first walk, memoised per impact index object and
 * capped at `cap` nodes. An index object is a view stamped with one mirror version of a state that
 * engine/impact advances incrementally (adjacency.ts): the next `ensureImpactIndex` after a write
 * hands out a new view, with empty memos, and the old one must not be used across writes — so a
 * memo is valid exactly as long as its view may be read. Past the cap the exact
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

/** `index.derived` keys: module-level constants (tokens, never mutated), one per memo kind. */
const REACH_CACHES = Object.freeze({ memo: 'correlation reach caches' });
const LOWER_BOUNDS = Object.freeze({ memo: 'correlation reach lower bounds' });
const REFINED_BOUNDS = Object.freeze({ memo: 'correlation refined reach bounds' });

export const DEFAULT_REACH_CAP = 50_000;

function cacheFor(index: ImpactIndex, depth: number, cap: number): ReachCache {
  const byKey = index.derived(REACH_CACHES, () => new Map<string, ReachCache>());
  const key = `${depth}/${cap}`;
  let c = byKey.get(key);
  if (c === undefined) {
    c = {
      depth,
      cap,
      counts: new Int32Array(index.n),
      mark: new Uint32Array(index.n),
      queue: new Int32Array(Math.min(index.n, cap + 1)),
      level: new Uint8Array(Math.min(index.n, cap + 1)),
      stamp: 0,
    };
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
  return reachNested(index, node, depth, budget, cap, 0);
}

/** `reachAtLeast`, `nesting` dominating dependents deep (bounded: dominance may cycle). */
function reachNested(index: ImpactIndex, node: number, depth: number, budget: number, cap: number, nesting: number): number {
  const c = cacheFor(index, depth, cap);
  const known = c.counts[node]!;
  if (known > 0) return known;
  // A dependent that dominates this node's others is walked instead: that walk counts this node
  // and its siblings too (see `inferProviders`).
  const w = nesting < 4 ? dominatingDependent(index, node) : -1;
  if (w >= 0 && c.counts[w] === 0) {
    reachNested(index, w, depth, budget, cap, nesting + 1);
    if (c.counts[node]! > 0) return c.counts[node]!;
    // Its partial walk raised this node's bound (`raiseProviders`): enough for one step.
    const raised = refinedBounds(index, depth, cap)[node]!;
    if (raised >= Math.min(budget, cap)) return raised;
  }
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
  let cyclic = false;
  outer: for (let head = 0; head < tail; head++) {
    const u = queue[head]!;
    const d = level[head]!;
    if (d >= depth) continue;
    const end = depOffsets[u + 1]!;
    for (let e = depOffsets[u]!; e < end; e++) {
      const v = depTarget[e]!;
      if (mark[v] === stamp) {
        if (v === node) cyclic = true;
        continue;
      }
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
  const lb = refinedBounds(index, depth, cap);
  const slack = depth - level[tail - 1]!;
  const exact = !full || limit >= cap;
  if (exact) c.counts[node] = tail;
  else if (lb[node]! < tail) lb[node] = tail;
  inferTwins(index, c, lb, node, tail, stamp, exact && !cyclic);
  if (exact) inferProviders(index, c, node, tail, stamp, slack);
  raiseProviders(index, lb, node, tail, slack);
  return tail;
}

/** Dependents above which a node is not examined for the inferences below (they cost a scan of them). */
const SCAN = 64;

/**
 * Twins: a CI with exactly `node`'s dependents reaches the same CIs, itself in place of `node` — the
 * two PDUs and the two top-of-rack switches of a rack. Read off the walk from `node` just done
 * (`count` nodes, its marks still set): when it was exact (and `node` is not on a cycle through
 * itself, which would count it twice) so is the twin's count; otherwise it is a lower bound of the
 * twin's. Not for a twin among the marks.
 */
function inferTwins(index: ImpactIndex, c: ReachCache, lb: Int32Array, node: number, count: number, stamp: number, exact: boolean): void {
  const { provOffsets, provSource, depOffsets, depTarget } = index;
  const deg = depOffsets[node + 1]! - depOffsets[node]!;
  if (deg === 0 || deg > SCAN) return;
  const first = depTarget[depOffsets[node]!]!;
  for (let e = provOffsets[first]!; e < provOffsets[first + 1]!; e++) {
    const y = provSource[e]!;
    if (
      y === node ||
      c.counts[y]! > 0 ||
      c.mark[y] === stamp ||
      depOffsets[y + 1]! - depOffsets[y]! !== deg ||
      !sameDependents(index, node, y)
    )
      continue;
    if (exact) c.counts[y] = count;
    else if (lb[y]! < count) lb[y] = count;
  }
}

/**
 * Dominated providers: a provider `v` of `node` whose other dependents all depend on `node`
 * directly reaches `node`'s dependents plus itself — a hypervisor whose only dependent is its HA
 * cluster, a Kubernetes node whose pods all depend on its cluster too. Read off the exact walk
 * from `node` just done (`count` nodes, its marks still set; `count` is the cap when the walk
 * stopped there, and then so is `v`'s). Sound when the walk found nothing at the depth limit
 * (`slack` ≥ 1: then the extra hop from `v` reaches nothing new, and at the cap every mark lies
 * within `v`'s depth) and `v` is not among the marks (no cycle).
 */
function inferProviders(index: ImpactIndex, c: ReachCache, node: number, count: number, stamp: number, slack: number): void {
  if (slack < 1) return;
  const { provOffsets, provSource } = index;
  const value = Math.min(c.cap, count + 1);
  for (let e = provOffsets[node]!; e < provOffsets[node + 1]!; e++) {
    const v = provSource[e]!;
    if (c.counts[v]! > 0 || c.mark[v] === stamp) continue;
    if (dominatingDependent(index, v) === node) c.counts[v] = value;
  }
}

/** Whether `a` and `b` have the same dependents (lists of equal length, compared as sets). */
function sameDependents(index: ImpactIndex, a: number, b: number): boolean {
  const { depOffsets, depTarget } = index;
  const within = (x: number, v: number) => {
    for (let f = depOffsets[v]!; f < depOffsets[v + 1]!; f++) if (depTarget[f] === x) return true;
    return false;
  };
  for (let e = depOffsets[b]!; e < depOffsets[b + 1]!; e++) if (!within(depTarget[e]!, a)) return false;
  for (let e = depOffsets[a]!; e < depOffsets[a + 1]!; e++) if (!within(depTarget[e]!, b)) return false;
  return true;
}

/**
 * A dependent `w` of `v` on which every other dependent of `v` depends directly (so `v` reaches
 * nothing `w` does not, one hop further), or −1. At most `SCAN` dependents are examined.
 */
function dominatingDependent(index: ImpactIndex, v: number): number {
  const { provOffsets, provSource, depOffsets, depTarget } = index;
  const lo = depOffsets[v]!;
  const hi = depOffsets[v + 1]!;
  if (hi === lo || hi - lo > SCAN) return -1;
  for (let i = lo; i < hi; i++) {
    const w = depTarget[i]!;
    if (w === v) continue;
    let ok = true;
    for (let f = lo; f < hi && ok; f++) {
      const x = depTarget[f]!;
      if (x === w) continue;
      ok = false;
      for (let g = provOffsets[x]!; g < provOffsets[x + 1]!; g++) {
        if (provSource[g] === w) {
          ok = true;
          break;
        }
      }
    }
    if (ok) return w;
  }
  return -1;
}

/**
 * The `count` nodes a walk from `node` visited all lie within `depth − slack` hops of it, so every
 * CI up to `slack` provider hops above `node` reaches at least as many within `depth`: its refined
 * lower bound is raised (two hops at most, which is where the gain is). One walk from a Kubernetes
 * cluster bounds the racks, PDUs and switches of its members, whose structural bounds (a chain
 * maximum) were three times too low: their upper-bound scores fall near the exact ones, and most
 * never reach the top of a heap again.
 */
function raiseProviders(index: ImpactIndex, lb: Int32Array, node: number, count: number, slack: number): void {
  if (slack < 1) return;
  const { provOffsets, provSource } = index;
  for (let e = provOffsets[node]!; e < provOffsets[node + 1]!; e++) {
    const x = provSource[e]!;
    if (lb[x]! < count) lb[x] = count;
    if (slack < 2) continue;
    for (let f = provOffsets[x]!; f < provOffsets[x + 1]!; f++) {
      const y = provSource[f]!;
      if (lb[y]! < count) lb[y] = count;
    }
  }
}

/**
 * A lower bound of `reachOf(index, v, depth, cap)` for every node at once, memoised per index:
 * lb_d(v) = 1 + max(distinct direct dependents, max over dependents of lb_{d−1}) — a node reaches
 * at least its own dependents, and everything its largest dependent reaches. `depth` passes over
 * the dependents CSR (~50 ms at 1M CIs / 3M relationships); it lets the greedy cover rank
 * candidates by an upper bound of their score and walk the reach of only those that get to the
 * top (see cover.ts). The sum over dependents would be an upper bound instead, but shared
 * descendants make it up to ten times too large.
 *
 * The "1 +" over the largest dependent assumes the node is not among that dependent's own
 * dependents: on a cycle it over-counts (the demo CMDB has cycles; 11 of its 373 CIs got a bound
 * above their reach). The class representatives of cover.ts are picked with these bounds as they
 * are (a tie-break, never read as a bound); with `strict`, a node from which a cycle can be reached
 * drops that "1 +" — a true lower bound, which lazy evaluation needs to choose what exact scores
 * would. On an acyclic graph both are the same.
 */
export function reachLowerBounds(index: ImpactIndex, depth: number, cap = DEFAULT_REACH_CAP, strict = false): Int32Array {
  const byDepth = index.derived(LOWER_BOUNDS, () => new Map<number, Int32Array>());
  const key = (depth * 0x1000000 + Math.min(cap, 0xffffff)) * 2 + (strict ? 1 : 0);
  const known = byDepth.get(key);
  if (known !== undefined) return known;
  const { n, depOffsets, depTarget } = index;
  const onCycle = strict ? reachesCycle(index) : undefined;
  if (onCycle !== undefined && !onCycle.includes(1)) {
    // Acyclic: the strict bounds are the plain ones (half the cold cost of the bounds at 1M CIs).
    const plain = reachLowerBounds(index, depth, cap);
    byDepth.set(key, plain);
    return plain;
  }
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
      const lb = Math.min(cap, onCycle !== undefined && onCycle[v] === 1 ? Math.max(1 + distinct[v]!, best) : 1 + best);
      next[v] = lb;
      if (lb !== prev[v]) changed = true;
    }
    [prev, next] = [next, prev];
    if (!changed) break;
  }
  byDepth.set(key, prev);
  return prev;
}

/**
 * 1 on the nodes from which a cycle can be reached through dependents (every node on a cycle is
 * one): what remains after peeling, repeatedly, the nodes whose dependents are all peeled.
 */
function reachesCycle(index: ImpactIndex): Uint8Array {
  const { n, depOffsets, depTarget } = index;
  // The providers of each node, as the transpose of the dependents CSR (self-contained: counts).
  const inOff = new Int32Array(n + 1);
  for (let e = 0; e < depOffsets[n]!; e++) inOff[depTarget[e]! + 1]!++;
  for (let v = 0; v < n; v++) inOff[v + 1]! += inOff[v]!;
  const fill = inOff.slice(0, n);
  const inSrc = new Int32Array(depOffsets[n]!);
  for (let v = 0; v < n; v++) for (let e = depOffsets[v]!; e < depOffsets[v + 1]!; e++) inSrc[fill[depTarget[e]!]!++] = v;
  const left = new Int32Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let v = 0; v < n; v++) {
    left[v] = depOffsets[v + 1]! - depOffsets[v]!;
    if (left[v] === 0) queue[tail++] = v;
  }
  for (let head = 0; head < tail; head++) {
    const w = queue[head]!;
    for (let e = inOff[w]!; e < inOff[w + 1]!; e++) {
      const v = inSrc[e]!;
      if (--left[v]! === 0) queue[tail++] = v;
    }
  }
  const out = new Uint8Array(n);
  for (let v = 0; v < n; v++) if (left[v]! > 0) out[v] = 1;
  return out;
}

/**
 * The strict `reachLowerBounds` raised by the walks of `reachAtLeast`: the best lower bound known so
 * far. It changes from call to call, so only lazy evaluation reads it (whose choices do not depend
 * on how tight a bound is); anything that must give the same answer every time uses the
 * structural bounds.
 */
export function refinedBounds(index: ImpactIndex, depth: number, cap = DEFAULT_REACH_CAP): Int32Array {
  const byDepth = index.derived(REFINED_BOUNDS, () => new Map<number, Int32Array>());
  const key = depth * 0x1000000 + Math.min(cap, 0xffffff);
  let a = byDepth.get(key);
  if (a === undefined) byDepth.set(key, (a = reachLowerBounds(index, depth, cap, true).slice()));
  return a;
}
