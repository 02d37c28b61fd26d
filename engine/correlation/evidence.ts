/**
 * Evidence of one time cluster: one bounded breadth-first walk upward (direction: 'providers', the
 * impact index's `prov*` CSR) from each distinct incident CI ("unit"), kept flat, and its
 * transpose, the candidate → units CSR. Every later step reads these typed arrays only:
 *
 *   - walks (by unit): `walkOff[u] .. walkOff[u+1]` are the nodes the walk reached in BFS order,
 *     as candidate numbers (`walkCand`), hop counts (`walkDist`) and the entry they were reached
 *     from (`walkParent`, −1 for the unit itself) — so an evidence path is read back by following
 *     parents instead of a second search;
 *   - candidates (by candidate): `candOff[c] .. candOff[c+1]` are the units reaching it and the walk
 *     entry where each did (`candUnit`, `candEntry`).
 *
 * Scratch sized to the graph (`seen`, `candOf`) lives as long as the index and is reused by every
 * call (as engine/impact does with its Scratch): correlation is synchronous, so one set suffices.
 */
import type { ImpactIndex } from '../impact/index.ts';

export interface Inc {
  id: string;
  nodes: number[];
  t: number;
}

export interface Evidence {
  units: number;
  unitNode: Int32Array;
  /** Earliest open time (ms) of an incident on the unit. */
  unitTime: Float64Array;
  /** Incident positions on each unit. */
  unitIncidents: number[][];
  unitIndex: Map<number, number>;
  walkOff: Int32Array;
  walkCand: Int32Array;
  walkDist: Uint8Array;
  walkParent: Int32Array;
  candNode: Int32Array;
  candOff: Int32Array;
  candUnit: Int32Array;
  candEntry: Int32Array;
  /** Units reaching each candidate over the whole cluster (a lower bound of its reach). */
  candUnits: Int32Array;
  /** The unit of the candidate's own CI, or −1. */
  candOwnUnit: Int32Array;
  /** Candidates whose CI has a change (the only ones whose first open time matters). */
  candHasChange: Uint8Array;
  t0: number;
}

interface Workspace {
  seen: Uint32Array;
  stamp: number;
  candOf: Int32Array;
  queue: Int32Array;
  level: Uint8Array;
  /** Parent of each queued node, as an absolute walk entry. */
  par: Int32Array;
  /** Walk-sized buffers, grow-only (see `pooled`). */
  nodes: IntList;
  parents: IntList;
  pool: Map<string, Int32Array | Uint8Array>;
}

const workspaces = new WeakMap<ImpactIndex, Workspace>();

function workspace(index: ImpactIndex, maxWalk: number): Workspace {
  let w = workspaces.get(index);
  if (w === undefined) {
    w = { seen: new Uint32Array(index.n), stamp: 0, candOf: new Int32Array(index.n).fill(-1), queue: new Int32Array(0), level: new Uint8Array(0), par: new Int32Array(0), nodes: new IntList(1 << 16), parents: new IntList(1 << 16), pool: new Map() };
    workspaces.set(index, w);
  }
  if (w.queue.length < maxWalk) {
    w.queue = new Int32Array(maxWalk);
    w.level = new Uint8Array(maxWalk);
    w.par = new Int32Array(maxWalk);
  }
  return w;
}

/**
 * A buffer of at least `size` elements kept with the index for the next call: the arrays of a
 * time cluster's walks are tens of MB at 1M CIs / 10k incidents, and fresh ones each call made V8
 * run full mark-compacts (a third of the run time, as in engine/impact's build buffers). Callers
 * get a view of exactly `size`; the contents are stale, not zeroed. Correlation is synchronous
 * and no result keeps a view, so one buffer per name suffices.
 */
export function pooled(index: ImpactIndex, name: string, kind: 'i32' | 'u8', size: number): Int32Array | Uint8Array {
  const pool = workspace(index, 0).pool;
  let b = pool.get(name);
  if (b === undefined || b.length < size) {
    const cap = Math.ceil(size * 1.25) + 1024;
    b = kind === 'i32' ? new Int32Array(cap) : new Uint8Array(cap);
    pool.set(name, b);
  }
  return b.subarray(0, size);
}

/** A growable Int32Array (the walks' total size is not known in advance). */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(cap: number) {
    this.data = new Int32Array(cap);
  }
  reserve(extra: number): void {
    if (this.length + extra <= this.data.length) return;
    const next = new Int32Array(Math.max(this.data.length * 2, this.length + extra));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}

export function gatherEvidence(index: ImpactIndex, incs: readonly Inc[], maxDepth: number, maxWalk: number, changed: Iterable<number>): Evidence {
  const work = workspace(index, maxWalk);
  const unitIndex = new Map<number, number>();
  const unitNodes: number[] = [];
  const unitIncidents: number[][] = [];
  const unitTimes: number[] = [];
  incs.forEach((inc, p) => {
    for (const v of inc.nodes) {
      let u = unitIndex.get(v);
      if (u === undefined) {
        u = unitNodes.length;
        unitIndex.set(v, u);
        unitNodes.push(v);
        unitIncidents.push([]);
        unitTimes.push(inc.t);
      }
      unitIncidents[u]!.push(p);
      if (inc.t < unitTimes[u]!) unitTimes[u] = inc.t;
    }
  });
  const U = unitNodes.length;
  const walkOff = new Int32Array(U + 1);
  // Walk entries hold node ids first; they are renumbered to candidates in place below.
  const { nodes, parents } = work;
  nodes.length = parents.length = 0;
  const { provOffsets, provSource } = index;
  const { queue, level, par, candOf } = work;
  for (let u = 0; u < U; u++) {
    const base = nodes.length;
    walkOff[u] = base;
    if (++work.stamp >= 0xfffffff0) {
      work.seen.fill(0);
      work.stamp = 1;
    }
    const stamp = work.stamp;
    const seen = work.seen;
    const start = unitNodes[u]!;
    seen[start] = stamp;
    queue[0] = start;
    level[0] = 0;
    par[0] = -1;
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const x = queue[head]!;
      const d = level[head]!;
      if (d >= maxDepth) continue;
      const end = provOffsets[x + 1]!;
      for (let e = provOffsets[x]!; e < end && tail < maxWalk; e++) {
        const y = provSource[e]!;
        if (seen[y] === stamp) continue;
        seen[y] = stamp;
        queue[tail] = y;
        level[tail] = d + 1;
        par[tail] = base + head;
        tail++;
      }
    }
    nodes.reserve(tail);
    parents.reserve(tail);
    nodes.data.set(queue.subarray(0, tail), base);
    parents.data.set(par.subarray(0, tail), base);
    nodes.length = parents.length = base + tail;
  }
  const E = nodes.length;
  walkOff[U] = E;
  const walkCand = nodes.data.subarray(0, E);
  const walkParent = parents.data.subarray(0, E);
  // Hop counts follow from the parents (a parent always comes first in BFS order).
  const walkDist = pooled(index, 'walkDist', 'u8', E) as Uint8Array;
  for (let i = 0; i < E; i++) {
    const p = walkParent[i]!;
    walkDist[i] = p < 0 ? 0 : walkDist[p]! + 1;
  }

  // Candidate numbering in first-seen order, then a counting sort into the CSR.
  const candNodes = new IntList(Math.max(1024, U * 8));
  let counts = new Int32Array(1024);
  for (let i = 0; i < E; i++) {
    const v = walkCand[i]!;
    let c = candOf[v]!;
    if (c < 0) {
      c = candNodes.length;
      candOf[v] = c;
      candNodes.reserve(1);
      candNodes.data[candNodes.length++] = v;
      if (c >= counts.length) {
        const next = new Int32Array(counts.length * 2);
        next.set(counts);
        counts = next;
      }
    }
    counts[c]!++;
    walkCand[i] = c;
  }
  const C = candNodes.length;
  const candNode = candNodes.data.slice(0, C);
  const candOff = new Int32Array(C + 1);
  for (let c = 0; c < C; c++) candOff[c + 1] = candOff[c]! + counts[c]!;
  const fill = candOff.slice(0, C);
  const candUnit = pooled(index, 'candUnit', 'i32', E) as Int32Array;
  const candEntry = pooled(index, 'candEntry', 'i32', E) as Int32Array;
  for (let u = 0; u < U; u++) {
    const end = walkOff[u + 1]!;
    for (let i = walkOff[u]!; i < end; i++) {
      const at = fill[walkCand[i]!]!++;
      candUnit[at] = u;
      candEntry[at] = i;
    }
  }
  const candUnits = counts.slice(0, C);
  const candOwnUnit = new Int32Array(C).fill(-1);
  for (let u = 0; u < U; u++) candOwnUnit[candOf[unitNodes[u]!]!] = u;
  const candHasChange = new Uint8Array(C);
  for (const v of changed) if (candOf[v]! >= 0) candHasChange[candOf[v]!] = 1;
  for (let c = 0; c < C; c++) candOf[candNode[c]!] = -1;
  return {
    units: U,
    unitNode: Int32Array.from(unitNodes),
    unitTime: Float64Array.from(unitTimes),
    unitIncidents,
    unitIndex,
    walkOff,
    walkCand,
    walkDist,
    walkParent,
    candNode,
    candOff,
    candUnit,
    candEntry,
    candUnits,
    candOwnUnit,
    candHasChange,
    t0: incs[0]!.t,
  };
}
