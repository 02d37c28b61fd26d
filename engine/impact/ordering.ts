/**
 * Orders over an index's nodes that large answers lean on, each computed once on first need and kept
 * on the index's state: the id rank (code-unit order of ids as integers, for radix-sorting report
 * levels and breaking parent ties without string compares) and a topological numbering (to skip the
 * cycle search when no impacted edge goes against it). Plus the radix sort itself and the string
 * order everything else sorts by.
 */
import type { ImpactIndex } from './impact-index.ts';

/**
 * Each node's position in code-unit order of ids, so large reports sort by integer keys instead of
 * string compares (much faster for large reports; bench/README.md). Sorting every id of a large
 * graph is costly, so it is computed on the first large report, not at build time, and kept on the index's state (later deltas keep
 * it valid): small queries never pay for it.
 */
export function idRank(index: ImpactIndex): Int32Array {
  if (index.rank !== undefined) return index.rank;
  const sorted = index.nodeIds.slice(0, index.n).sort();
  // Room for the CIs later writes add: the state keeps the rank up to date on insert (delta.ts).
  const rank = new Int32Array(Math.max(index.n, index.dep.nodeCap));
  // A deleted CI's id is no longer in the map; a re-added one maps to its live slot.
  for (let k = 0; k < sorted.length; k++) {
    const v = index.idToIndex.get(sorted[k]!);
    if (v !== undefined) rank[v] = k;
  }
  index.sortedIds = sorted;
  index.rank = rank;
  return rank;
}

/**
 * A numbering of the nodes in which every relationship outside a dependency cycle leads to a higher
 * number (reverse postorder of a depth-first walk along `dep`): only cycles need an edge u → v with
 * `topo[v] <= topo[u]`. Blast radius uses it to skip its cycle search when the impacted CIs have no
 * such edge. Any order keeps that test correct — every cycle has an edge that goes down in any
 * numbering — so writes never invalidate it: CIs added later are numbered last, and an edge added
 * against the order only makes the search run where it may find a cycle. Like `idRank`, computed on
 * the first large report (one O(n + m) walk, typed arrays) and cached for the life of this index.
 */
export function topoOrder(index: ImpactIndex): Int32Array {
  if (index.topo !== undefined) return index.topo;
  const n = index.n;
  const { start, end, other } = index.dep;
  const topo = new Int32Array(Math.max(n, index.dep.nodeCap));
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const iter = new Int32Array(n);
  let post = n;
  for (let root = 0; root < n; root++) {
    if (seen[root] === 1) continue;
    seen[root] = 1;
    stack[0] = root;
    iter[0] = start[root]!;
    let sp = 1;
    while (sp > 0) {
      const u = stack[sp - 1]!;
      const stop = end[u]!;
      let e = iter[sp - 1]!;
      while (e < stop && seen[other[e]!] === 1) e++;
      if (e < stop) {
        const v = other[e]!;
        iter[sp - 1] = e + 1;
        seen[v] = 1;
        stack[sp] = v;
        iter[sp] = start[v]!;
        sp++;
      } else {
        topo[u] = --post;
        sp--;
      }
    }
  }
  index.topo = topo;
  return topo;
}

/** Code-unit order: stable across locales, and what `Array.prototype.sort` does by default. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RadixBuffers {
  keys: Int32Array;
  keys2: Int32Array;
  vals: Int32Array;
  vals2: Int32Array;
  count: Int32Array;
  bits: number;
}

export function radixBuffers(m: number, bits: number): RadixBuffers {
  return {
    keys: new Int32Array(m),
    keys2: new Int32Array(m),
    vals: new Int32Array(m),
    vals2: new Int32Array(m),
    count: new Int32Array(1 << bits),
    bits,
  };
}

/**
 * Sorts `reported[lo..hi)` (positions) by the id rank of their CIs: LSD radix over the rank, a few
 * linear passes instead of a comparison sort (ranks of live CIs are distinct, so no tie to break).
 */
export function sortByRank(reported: Int32Array, lo: number, hi: number, order: Int32Array, rank: Int32Array, b: RadixBuffers): void {
  const len = hi - lo;
  let { keys, vals, keys2, vals2 } = b;
  const { count, bits } = b;
  const digitMask = (1 << bits) - 1;
  let bitsUsed = 0;
  for (let k = 0; k < len; k++) {
    const p = reported[lo + k]!;
    const key = rank[order[p]!]!;
    vals[k] = p;
    keys[k] = key;
    bitsUsed |= key;
  }
  for (let shift = 0; shift < 32 && (shift === 0 || bitsUsed >>> shift !== 0); shift += bits) {
    count.fill(0);
    for (let k = 0; k < len; k++) count[(keys[k]! >>> shift) & digitMask]!++;
    let sum = 0;
    for (let c = 0; c <= digitMask; c++) {
      const x = count[c]!;
      count[c] = sum;
      sum += x;
    }
    for (let k = 0; k < len; k++) {
      const key = keys[k]!;
      const at = count[(key >>> shift) & digitMask]!++;
      keys2[at] = key;
      vals2[at] = vals[k]!;
    }
    const tk = keys;
    keys = keys2;
    keys2 = tk;
    const tv = vals;
    vals = vals2;
    vals2 = tv;
  }
  reported.set(vals.subarray(0, len), lo);
}
