/**
 * The blast-radius fixpoint (semantics in blast-radius.ts): the two linear passes — down-propagation
 * worklist, then the breadth-first walk for depth and `via` parents — over an index, into compact
 * per-position arrays (`ImpactCore`), before any report is built. Exported for the report, for
 * benchmarks and for other algorithms (risk, conflicts, correlation) that want states only.
 */
import { InputError, NotFoundError } from '../errors.ts';
import { impactedCycles } from './cycles.ts';
import type { ImpactIndex } from './impact-index.ts';
import { acquireScratch, releaseScratch, type Scratch } from './scratch.ts';

export type ImpactEffect = 'down' | 'degraded';
export type ImpactState = 'down' | 'degraded';

export interface ImpactOrigin {
  ci: string;
  effect: ImpactEffect;
}

export const DEGRADED = 1;
export const DOWN = 2;

/**
 * The compact result of the fixpoint, before reporting: positions `0..size-1` in breadth-first
 * order (origins first). Exported for benchmarks and for other algorithms (risk, conflicts) that
 * want states without building the report.
 */
export interface ImpactCore {
  index: ImpactIndex;
  size: number;
  originCount: number;
  /** Dense node id per position. */
  order: Int32Array;
  /** DOWN or DEGRADED per position. */
  state: Uint8Array;
  depth: Int32Array;
  /** Position of the `via` predecessor (-1 for origins) and the relationship type index to it. */
  parentPos: Int32Array;
  parentType: Uint16Array;
  /** Groups with at least one down member → those members (dense ids, with repetition for parallel relationships). */
  failedMembers: Map<number, number[]>;
  /** Strongly connected components (≥ 2 CIs) among the impacted CIs, as dense ids. */
  cycles: number[][];
}

/**
 * Runs both passes. `origins` are dense ids with their effect (duplicates allowed: strongest wins).
 * `mask[t]` says whether type index `t` propagates.
 */
export function computeImpact(
  index: ImpactIndex,
  origins: readonly { node: number; effect: ImpactEffect }[],
  mask: Uint8Array,
): ImpactCore {
  const s = acquireScratch(index);
  try {
    return fixpoint(index, origins, mask, s, true);
  } finally {
    releaseScratch(s);
  }
}

/**
 * The two passes on scratch `s`. With `copy` false the per-position arrays of the result are views
 * of the scratch: valid only while the caller holds `s` (blastRadius reports before releasing it,
 * which saves five typed-array copies per query).
 * Reads the index's id rank and topological order when a large report computed them.
 */
export function fixpoint(
  index: ImpactIndex,
  origins: readonly { node: number; effect: ImpactEffect }[],
  mask: Uint8Array,
  s: Scratch,
  copy: boolean,
): ImpactCore {
  const stamp = s.next() | 0;
  const { start: depStart, end: depEnd, other: depTarget, type: depType, group: depGroup } = index.dep;
  const { groupSize, groupNeed } = index;
  const { groupMark, groupDown, queue, order, depthAt, parentAt, parentTypeAt } = s;
  // Per-node words [mark, downMark, pos, -] and per-position words [depth, parent, type | rank << 16, -]:
  // one cache line per node touched instead of one per array (the hub walk at 1M CIs is memory-bound).
  const nw = (s.nodeWords ??= new Int32Array(4 * s.mark.length));
  const pw = (s.posWords ??= new Int32Array(4 * s.mark.length));
  const gStamp = stamp >>> 0;

  // Pass 1: down-propagation.
  let qt = 0;
  for (const o of origins) {
    if (o.effect === 'down' && nw[4 * o.node + 1] !== stamp) {
      nw[4 * o.node + 1] = stamp;
      queue[qt++] = o.node;
    }
  }
  const failedMembers = new Map<number, number[]>();
  for (let qh = 0; qh < qt; qh++) {
    const u = queue[qh]!;
    const end = depEnd[u]!;
    for (let e = depStart[u]!; e < end; e++) {
      if (mask[depType[e]!] === 0) continue;
      const v = depTarget[e]!;
      const g = depGroup[e]!;
      if (g >= 0) {
        let list: number[] | undefined;
        if (groupMark[g] !== gStamp) {
          groupMark[g] = gStamp;
          groupDown[g] = 0;
          list = [];
          failedMembers.set(g, list);
        } else {
          list = failedMembers.get(g)!;
        }
        groupDown[g]!++;
        list.push(u);
        if (nw[4 * v + 1] !== stamp && groupSize[g]! - groupDown[g]! < groupNeed[g]!) {
          nw[4 * v + 1] = stamp;
          queue[qt++] = v;
        }
      } else if (nw[4 * v + 1] !== stamp) {
        nw[4 * v + 1] = stamp;
        queue[qt++] = v;
      }
    }
  }

  // Pass 2: breadth-first over the impacted set.
  let r = 0;
  for (const o of origins) {
    const b = 4 * o.node;
    if (nw[b] === stamp) continue;
    nw[b] = stamp;
    nw[b + 2] = r;
    order[r] = o.node;
    pw[4 * r] = 0;
    pw[4 * r + 1] = -1;
    pw[4 * r + 2] = 0;
    r++;
  }
  const originCount = r;
  const ids = index.nodeIds;
  const idOrder = index.rank;
  const topo = index.topo;
  let cycleHint = false;
  for (let head = 0; head < r; head++) {
    const u = order[head]!;
    const tu = topo === undefined ? 0 : topo[u]!;
    const dNext = pw[4 * head]! + 1;
    const uDown = nw[4 * u + 1] === stamp;
    const end = depEnd[u]!;
    for (let e = depStart[u]!; e < end; e++) {
      const t = depType[e]!;
      if (mask[t] === 0) continue;
      const v = depTarget[e]!;
      const b = 4 * v;
      let rank = 0;
      if (uDown) {
        if (nw[b + 1] !== stamp) rank = 1;
        else {
          const g = depGroup[e]!;
          rank = g < 0 ? 3 : groupSize[g]! - groupDown[g]! < groupNeed[g]! ? 2 : 1;
        }
      }
      if (nw[b] !== stamp) {
        nw[b] = stamp;
        nw[b + 2] = r;
        const c = 4 * r;
        order[r] = v;
        pw[c] = dNext;
        pw[c + 1] = head;
        pw[c + 2] = t | (rank << 16);
        r++;
      } else {
        const c = 4 * nw[b + 2]!;
        const dv = pw[c]!;
        if (dv === dNext) {
          const w = pw[c + 2]!;
          const old = w >>> 16;
          if (rank > old || (rank === old && betterParent(ids, idOrder, u, t, order[pw[c + 1]!]!, w & 0xffff))) {
            pw[c + 1] = head;
            pw[c + 2] = t | (rank << 16);
          }
        } else if (dv < dNext && topo === undefined) {
          cycleHint = true;
        }
      }
      if (topo !== undefined && topo[v]! <= tu) cycleHint = true;
    }
  }

  // Down origins were marked in pass 1, so the down mark alone gives every state, origins' included.
  const state = new Uint8Array(r);
  for (let p = 0; p < r; p++) {
    state[p] = nw[4 * order[p]! + 1] === stamp ? DOWN : DEGRADED;
    depthAt[p] = pw[4 * p]!;
    parentAt[p] = pw[4 * p + 1]!;
    parentTypeAt[p] = pw[4 * p + 2]! & 0xffff;
  }
  let cycles: number[][] = [];
  if (cycleHint) {
    const { mark, pos } = s;
    for (let p = 0; p < r; p++) {
      const v = order[p]!;
      mark[v] = gStamp;
      pos[v] = p;
    }
    cycles = impactedCycles(index, order, r, pos, mark, gStamp, mask);
  }
  return {
    index,
    size: r,
    originCount,
    order: copy ? order.slice(0, r) : order.subarray(0, r),
    state,
    depth: copy ? depthAt.slice(0, r) : depthAt.subarray(0, r),
    parentPos: copy ? parentAt.slice(0, r) : parentAt.subarray(0, r),
    parentType: copy ? parentTypeAt.slice(0, r) : parentTypeAt.subarray(0, r),
    failedMembers,
    cycles,
  };
}

/** Tie-break between two equally ranked parents: smaller id, then type. `idOrder` (the id rank, when computed) spares the string compare. */
function betterParent(ids: readonly string[], idOrder: Int32Array | undefined, u: number, t: number, old: number, oldT: number): boolean {
  if (u === old) return t < oldT;
  return idOrder !== undefined ? idOrder[u]! < idOrder[old]! : ids[u]! < ids[old]!;
}

/** Looks up origins, refusing unknown CIs: `impact: CI "x" not found`. */
export function resolveOrigins(index: ImpactIndex, origins: readonly ImpactOrigin[]): { node: number; effect: ImpactEffect }[] {
  return origins.map((o) => {
    const node = index.idToIndex.get(o.ci);
    if (node === undefined) throw new NotFoundError(`impact: CI "${o.ci}" not found`, { ci: o.ci });
    if (o.effect !== 'down' && o.effect !== 'degraded') {
      throw new InputError(`impact: effect "${String(o.effect)}" of CI "${o.ci}" must be down or degraded`);
    }
    return { node, effect: o.effect };
  });
}

export function checkMaxDepth(maxDepth: number | undefined, op: string): number {
  if (maxDepth === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(maxDepth) || maxDepth < 0)
    throw new InputError(`${op}: maxDepth ${String(maxDepth)} must be a non-negative integer`);
  return maxDepth;
}
