/**
 * Redundancy-aware reach: which CIs a candidate's failure can make alert under service impact — the
 * ones it takes down through relationships no redundancy absorbs, and the ones that lose a direct
 * provider among those (the "redundancy lost" / "member down" alert). A CI degraded only through
 * degraded providers is still fully served. The report's specificity reads it beside the plain
 * reach (signals/specificity.ts, two rates): a PDU whose two directly fed switches alerted is then
 * told apart from the router above them, whose failure those switches would absorb in the same way
 * but whose plain reach holds the same CIs.
 *
 * A relationship in a redundancy group is "absorbed" when losing one member leaves the group enough
 * (`groupSize − 1 ≥ groupNeed`): the single-failure reading, as one candidate is one failure. Both
 * directions are walked the same way so that a unit counted for a candidate is in its alert set:
 * `alertUp` (from an incident CI: itself, its direct providers, then only unabsorbed relationships
 * upward) and `alertReachOf` (from a candidate: unabsorbed relationships downward, plus one last hop
 * of any kind). Both are memoised on the index (`index.derived`, STYLE.md #17), capped like the
 * plain reach (reach.ts) and the walks (evidence.ts).
 */
import type { ImpactIndex } from '../impact/index.ts';

const ABSORBING = Object.freeze({ memo: 'correlation absorbing groups' });
const ALERT_REACH = Object.freeze({ memo: 'correlation alert reach' });
const ALERT_UP = Object.freeze({ memo: 'correlation alert walks' });
const ALERT_LOWER = Object.freeze({ memo: 'correlation alert reach lower bounds' });

/** Whether losing one member of redundancy group `g` (−1: none) leaves it served. */
function absorbs(index: ImpactIndex, g: number): boolean {
  return g >= 0 && index.groupSize[g]! - 1 >= index.groupNeed[g]!;
}

/** Whether any relationship of the index is absorbed by redundancy (otherwise alert reach is the plain reach). */
export function hasAbsorbingGroups(index: ImpactIndex): boolean {
  return index.derived(ABSORBING, () => {
    for (let g = 0; g < index.groupCount; g++) if (index.groupSize[g]! > 0 && absorbs(index, g)) return true;
    return false;
  });
}

interface ReachMemo {
  counts: Int32Array;
  seen: Uint32Array;
  down: Uint32Array;
  queue: Int32Array;
  level: Uint8Array;
  stamp: number;
}

/**
 * CIs (the candidate included) within `depth` hops that `node`'s failure takes down or deprives of
 * a direct provider, at most `cap`. Exact below the cap; memoised by node for one (depth, cap).
 */
export function alertReachOf(index: ImpactIndex, node: number, depth: number, cap: number): number {
  const m = memoFor(index, depth, cap);
  const known = m.counts[node]!;
  if (known > 0) return known;
  return walkAlertReach(index, m, node, depth, cap);
}

/** The memo behind `alertReachOf(index, ·, depth, cap)`: by node, the count, or 0 when not walked yet. */
export function alertReachMemo(index: ImpactIndex, depth: number, cap: number): Int32Array {
  return memoFor(index, depth, cap).counts;
}

function memoFor(index: ImpactIndex, depth: number, cap: number): ReachMemo {
  const byKey = index.derived(ALERT_REACH, () => new Map<string, ReachMemo>());
  const key = `${depth}/${cap}`;
  let m = byKey.get(key);
  if (m === undefined)
    byKey.set(
      key,
      (m = {
        counts: new Int32Array(index.n),
        seen: new Uint32Array(index.n),
        down: new Uint32Array(index.n),
        queue: new Int32Array(index.n),
        level: new Uint8Array(index.n),
        stamp: 0,
      }),
    );
  return m;
}

function walkAlertReach(index: ImpactIndex, m: ReachMemo, node: number, depth: number, cap: number): number {
  if (m.stamp >= 0xfffffff0) {
    m.seen.fill(0);
    m.down.fill(0);
    m.stamp = 0;
  }
  const stamp = ++m.stamp;
  const { depOffsets, depTarget, depGroup } = index;
  const { seen, down, queue, level } = m;
  seen[node] = stamp;
  down[node] = stamp;
  queue[0] = node;
  level[0] = 0;
  let tail = 1;
  let count = 1;
  outer: for (let head = 0; head < tail; head++) {
    const u = queue[head]!;
    const d = level[head]!;
    if (d >= depth) continue;
    for (let e = depOffsets[u]!; e < depOffsets[u + 1]!; e++) {
      const v = depTarget[e]!;
      if (seen[v] !== stamp) {
        seen[v] = stamp;
        if (++count >= cap) break outer;
      }
      // Only a CI the failure takes down passes it on; a deprived one alerts but stays served.
      if (!absorbs(index, depGroup[e]!) && down[v] !== stamp) {
        down[v] = stamp;
        queue[tail] = v;
        level[tail] = d + 1;
        tail++;
      }
    }
  }
  const r = Math.min(count, cap);
  m.counts[node] = r;
  return r;
}

/**
 * A lower bound of `alertReachOf(index, v, depth, ·)` for every node at once, memoised per index:
 * lb_d(v) = max(1 + distinct direct dependents, max over the dependents v takes down of lb_{d−1})
 * — each direct dependent is taken down or deprived; a dependent v takes down has its alert set
 * inside v's, one hop further (no "+ 1" for v itself: on a cycle v may be in it). `depth` passes
 * over the dependents CSR at most; lets the report rank candidates by an upper bound of their score
 * and walk the alert reach of only those that get to the top, as the plain reach does (reach.ts).
 */
export function alertReachLowerBounds(index: ImpactIndex, depth: number): Int32Array {
  const byDepth = index.derived(ALERT_LOWER, () => new Map<number, Int32Array>());
  const known = byDepth.get(depth);
  if (known !== undefined) return known;
  const { n, depOffsets, depTarget, depGroup } = index;
  const base = new Int32Array(n);
  const mark = new Int32Array(n).fill(-1);
  for (let v = 0; v < n; v++) {
    let c = 0;
    mark[v] = v;
    for (let e = depOffsets[v]!; e < depOffsets[v + 1]!; e++) {
      const w = depTarget[e]!;
      if (mark[w] !== v) {
        mark[w] = v;
        c++;
      }
    }
    base[v] = 1 + c;
  }
  // Per relationship, whether it takes its dependent down (read once, not once per pass).
  const takesDown = new Uint8Array(depOffsets[n]!);
  for (let e = 0; e < takesDown.length; e++) takesDown[e] = absorbs(index, depGroup[e]!) ? 0 : 1;
  let prev = Int32Array.from(base);
  let next = new Int32Array(n);
  for (let d = 2; d <= depth; d++) {
    let changed = false;
    for (let v = 0; v < n; v++) {
      let best = base[v]!;
      const end = depOffsets[v + 1]!;
      for (let e = depOffsets[v]!; e < end; e++) {
        if (takesDown[e] === 0) continue;
        const x = prev[depTarget[e]!]!;
        if (x > best) best = x;
      }
      next[v] = best;
      if (best !== prev[v]) changed = true;
    }
    [prev, next] = [next, prev];
    if (!changed) break;
  }
  byDepth.set(depth, prev);
  return prev;
}

/**
 * The CIs whose failure can make `node` alert, `node` first: itself, its direct providers, then
 * upward through unabsorbed relationships only, within `depth` hops and `maxWalk` nodes (the plain
 * walk's bounds, evidence.ts). Memoised by node for one (depth, maxWalk), all walks in one growing
 * array (a typed array per walk cost more to allocate than to walk, at 10,000 incident CIs).
 */
export function alertUp(index: ImpactIndex, node: number, depth: number, maxWalk: number): Int32Array {
  const byKey = index.derived(ALERT_UP, () => new Map<string, UpStore>());
  const key = `${depth}/${maxWalk}`;
  let store = byKey.get(key);
  if (store === undefined)
    byKey.set(
      key,
      (store = { at: new Int32Array(index.n).fill(-1), len: new Int32Array(index.n), nodes: new Int32Array(1 << 16), size: 0 }),
    );
  const from = store.at[node]!;
  if (from >= 0) return store.nodes.subarray(from, from + store.len[node]!);
  const { provOffsets, provSource } = index;
  const takesDown = providerTakesDown(index);
  const sc = scratchOf(index);
  if (sc.queue.length < maxWalk) {
    sc.queue = new Int32Array(maxWalk);
    sc.level = new Uint8Array(maxWalk);
  }
  const { mark, queue, level } = sc;
  const stamp = nextStamp(sc);
  mark[node] = stamp;
  queue[0] = node;
  level[0] = 0;
  let tail = 1;
  for (let head = 0; head < tail && tail < maxWalk; head++) {
    const x = queue[head]!;
    const d = level[head]!;
    if (d >= depth) continue;
    const end = provOffsets[x + 1]!;
    for (let e = provOffsets[x]!; e < end && tail < maxWalk; e++) {
      const y = provSource[e]!;
      if (mark[y] === stamp) continue;
      // Past the first hop, y's failure reaches `node` only if it takes x down.
      if (d > 0 && takesDown[e] === 0) continue;
      mark[y] = stamp;
      queue[tail] = y;
      level[tail] = d + 1;
      tail++;
    }
  }
  if (store.size + tail > store.nodes.length) {
    const grown = new Int32Array(Math.max(store.nodes.length * 2, store.size + tail));
    grown.set(store.nodes.subarray(0, store.size));
    store.nodes = grown;
  }
  store.nodes.set(queue.subarray(0, tail), store.size);
  store.at[node] = store.size;
  store.len[node] = tail;
  store.size += tail;
  return store.nodes.subarray(store.size - tail, store.size);
}

interface UpStore {
  at: Int32Array;
  len: Int32Array;
  nodes: Int32Array;
  size: number;
}

const PROVIDER_TAKES_DOWN = Object.freeze({ memo: 'correlation provider relationships that take down' });

/** Per entry of the providers CSR: 1 when the relationship takes its dependent down (not absorbed). */
function providerTakesDown(index: ImpactIndex): Uint8Array {
  return index.derived(PROVIDER_TAKES_DOWN, () => {
    const { provOffsets, provGroup } = index;
    const out = new Uint8Array(provOffsets[index.n]!);
    for (let e = 0; e < out.length; e++) out[e] = absorbs(index, provGroup[e]!) ? 0 : 1;
    return out;
  });
}

interface Scratch {
  mark: Uint32Array;
  stamp: number;
  queue: Int32Array;
  level: Uint8Array;
}

const SCRATCH = Object.freeze({ memo: 'correlation alert scratch' });

function scratchOf(index: ImpactIndex): Scratch {
  return index.derived(SCRATCH, (): Scratch => ({
    mark: new Uint32Array(index.n),
    stamp: 0,
    queue: new Int32Array(0),
    level: new Uint8Array(0),
  }));
}

function nextStamp(sc: Scratch): number {
  if (sc.stamp >= 0xfffffff0) {
    sc.mark.fill(0);
    sc.stamp = 0;
  }
  return ++sc.stamp;
}
