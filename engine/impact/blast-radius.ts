/**
 * Blast radius (DESIGN.md "Blast radius"): which CIs go down or degraded when the origins fail.
 * Direction: 'dependents' — failure flows from a provider to the CIs that depend on it, i.e.
 * along the index's `dep*` arrays (for `A DEPENDS_ON B`, B's blast radius reaches A).
 *
 * Semantics, as a monotone fixpoint over states ok < degraded < down:
 *   - a hard dependency (a propagating type without a redundancy rule on the dependent): any one
 *     provider down → dependent down; degraded → degraded;
 *   - a redundancy group (the dependent's providers through type T, rule `minAvailable`): down when
 *     fewer than `minAvailable` members are available; degraded when some member is down but enough
 *     remain, or some member is degraded (a degraded member still counts as available);
 *   - `degraded` spreads as `degraded`, never as `down`; an origin's state is the stronger of its
 *     effect and what it receives.
 *
 * Because every impacted provider makes each of its dependents at least degraded, the impacted set
 * is exactly what is reachable from the origins along propagating relationships; only down vs.
 * degraded needs the fixpoint. So the computation is two linear passes:
 *   1. down-propagation worklist from the `down` origins (each node enters once; group members are
 *      counted per group, and a group's dependent goes down once `size - down < need`). The final
 *      counts, hence the final states, do not depend on the worklist order;
 *   2. a level-by-level breadth-first walk from all origins over the impacted set: `depth` is the
 *      shortest chain of impacted CIs (never visiting-order dependent — a CI that goes down late in
 *      pass 1 still has its shortest depth), and `via` is one shortest such chain.
 *
 * Choice of `via` among equally short chains (deterministic, insertion-order independent): prefer a
 * last step that explains the CI's state — for a down CI, a down hard provider (rank 3), then a down
 * member of a group that is below `minAvailable` (rank 2), then any down provider (1), then a
 * degraded one (0); ties go to the smaller provider id, then type. For a redundancy-triggered
 * outage, `via` is therefore the shortest path to one failed member of the breached group, and the
 * CI's `redundancy` entry lists the group (size, required, available) and every failed member as its
 * stored relationship (`failed`); each failed member is itself in `impacted` (or is an origin) with
 * its own `via`. `redundancy` is present on every reported CI with a group that has a down member,
 * breached or absorbed, so callers can read the redundancy margin left.
 *
 * `maxDepth` and `environments` filter what is reported (impacted, services, counts) — states always
 * come from the whole fixpoint. `relationshipTypes` restricts which types propagate (a what-if).
 */
import { InputError, NotFoundError } from '../errors.ts';
import type { Registry } from '../model/registry.ts';
import {
  acquireScratch,
  idRank,
  releaseScratch,
  resolveIndex,
  cachedStepOf,
  stepCache,
  stepOf,
  topoOrder,
  typeMask,
  type ImpactIndex,
  type ImpactSource,
  type PathStep,
  type Scratch,
} from './adjacency.ts';

export type ImpactEffect = 'down' | 'degraded';
export type ImpactState = 'down' | 'degraded';

export interface ImpactOrigin {
  ci: string;
  effect: ImpactEffect;
}

export interface BlastRadiusOptions {
  /** Report only CIs at most this many hops from an origin (states still come from the whole graph). */
  maxDepth?: number;
  /** Only these relationship types propagate (default: every propagating type in the registry). */
  relationshipTypes?: readonly string[];
  /** Report only CIs in these environments (states still come from the whole graph). */
  environments?: readonly string[];
}

export interface RedundancyGroupReport {
  relationship: string;
  minAvailable: number | string;
  /** Group size: the dependent's relationships of this type. */
  members: number;
  /** `minAvailable` as a count. */
  required: number;
  available: number;
  /** True when fewer than `required` members are available: the group made the CI down. */
  breached: boolean;
  /** The stored relationships of the down members, sorted by member id. */
  failed: PathStep[];
}

export interface ImpactedCI {
  id: string;
  class: string;
  name: string;
  environment: string;
  state: ImpactState;
  depth: number;
  via: PathStep[];
  redundancy?: RedundancyGroupReport[];
}

export interface ImpactedService {
  id: string;
  name: string;
  criticality: number;
  owner: string | null;
  state: ImpactState;
  depth: number;
}

export interface StateCounts {
  down: number;
  degraded: number;
}

export interface BlastRadiusResult {
  /** One entry per distinct origin: the strongest effect given, and its final state. */
  origins: { id: string; effect: ImpactEffect; state: ImpactState }[];
  /** Sorted by depth, then id; origins excluded. */
  impacted: ImpactedCI[];
  /** Impacted business services, origins included, sorted by criticality then id. */
  services: ImpactedService[];
  /** Over the reported `impacted` (origins excluded). */
  counts: StateCounts & { byClass: Record<string, StateCounts> };
  /** Dependency cycles among the impacted CIs (origins included): each sorted, ids only. */
  cycles: string[][];
}

/**
 * Above `largeReport` reported CIs, levels longer than `radixLevel` are sorted by the index's id rank
 * (see `idRank`; ~1 s at 1M CIs the first time, then cached), `radixBits` per pass (11: two passes
 * below 4M CIs). Tests lower them to run small graphs through every pass.
 */
export const reportTuning = { largeReport: 4096, radixLevel: 64, radixBits: 11 };

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
export function computeImpact(index: ImpactIndex, origins: readonly { node: number; effect: ImpactEffect }[], mask: Uint8Array): ImpactCore {
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
 */
function fixpoint(index: ImpactIndex, origins: readonly { node: number; effect: ImpactEffect }[], mask: Uint8Array, s: Scratch, copy: boolean): ImpactCore {
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

  const state = new Uint8Array(r);
  for (let p = 0; p < r; p++) {
    state[p] = nw[4 * order[p]! + 1] === stamp ? DOWN : DEGRADED;
    depthAt[p] = pw[4 * p]!;
    parentAt[p] = pw[4 * p + 1]!;
    parentTypeAt[p] = pw[4 * p + 2]! & 0xffff;
  }
  for (const o of origins) {
    const p = nw[4 * o.node + 2]!;
    if (o.effect === 'down') state[p] = DOWN;
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

/** Iterative Tarjan over the impacted subgraph; only called when pass 2 saw a non-forward edge. */
function impactedCycles(
  index: ImpactIndex,
  order: Int32Array,
  r: number,
  pos: Int32Array,
  mark: Uint32Array,
  stamp: number,
  mask: Uint8Array,
): number[][] {
  const { start: depStart, end: depEnd, other: depTarget, type: depType } = index.dep;
  const idx = new Int32Array(r).fill(-1);
  const low = new Int32Array(r);
  const onStack = new Uint8Array(r);
  const stack = new Int32Array(r);
  const frames = new Int32Array(r);
  const iter = new Int32Array(r);
  const out: number[][] = [];
  let sp = 0;
  let counter = 0;
  for (let root = 0; root < r; root++) {
    if (idx[root] !== -1) continue;
    let fp = 0;
    idx[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    frames[fp] = root;
    iter[fp] = depStart[order[root]!]!;
    fp++;
    while (fp > 0) {
      const p = frames[fp - 1]!;
      const end = depEnd[order[p]!]!;
      let e = iter[fp - 1]!;
      let descended = false;
      while (e < end) {
        const t = depType[e]!;
        const v = depTarget[e]!;
        e++;
        if (mask[t] === 0 || mark[v] !== stamp) continue;
        const q = pos[v]!;
        if (idx[q] === -1) {
          iter[fp - 1] = e;
          idx[q] = low[q] = counter++;
          stack[sp++] = q;
          onStack[q] = 1;
          frames[fp] = q;
          iter[fp] = depStart[v]!;
          fp++;
          descended = true;
          break;
        } else if (onStack[q] === 1 && idx[q]! < low[p]!) {
          low[p] = idx[q]!;
        }
      }
      if (descended) continue;
      if (low[p] === idx[p]) {
        const comp: number[] = [];
        let q: number;
        do {
          q = stack[--sp]!;
          onStack[q] = 0;
          comp.push(order[q]!);
        } while (q !== p);
        if (comp.length > 1) out.push(comp);
      }
      fp--;
      if (fp > 0) {
        const parent = frames[fp - 1]!;
        if (low[p]! < low[parent]!) low[parent] = low[p]!;
      }
    }
  }
  return out;
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
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new InputError(`${op}: maxDepth ${String(maxDepth)} must be a non-negative integer`);
  return maxDepth;
}

/** Blast radius of `origins` over the mirror (or a prebuilt index); the caller adds `seq`. */
export function blastRadius(
  source: ImpactSource,
  registry: Registry,
  origins: readonly ImpactOrigin[],
  options: BlastRadiusOptions = {},
): BlastRadiusResult {
  const index = resolveIndex(source, registry);
  const resolved = resolveOrigins(index, origins);
  const maxDepth = checkMaxDepth(options.maxDepth, 'impact');
  const mask = typeMask(index, options.relationshipTypes, 'impact');
  const s = acquireScratch(index);
  try {
    const core = fixpoint(index, resolved, mask, s, false);
    return reportImpact(core, resolved, registry, options.environments, maxDepth);
  } finally {
    releaseScratch(s);
  }
}

/** Turns the compact result into the DESIGN.md report, applying the reporting-only filters. */
export function reportImpact(
  core: ImpactCore,
  origins: readonly { node: number; effect: ImpactEffect }[],
  registry: Registry,
  environments: readonly string[] | undefined,
  maxDepth = Number.POSITIVE_INFINITY,
): BlastRadiusResult {
  const { index, size, originCount, order, state, depth, parentPos, parentType } = core;
  const { nodeIds, attrs } = index;
  const envs = environments === undefined ? undefined : new Set<string>(environments);
  const stateName = (p: number): ImpactState => (state[p] === DOWN ? 'down' : 'degraded');

  const isService: Record<string, boolean> = Object.create(null) as Record<string, boolean>;
  const serviceClass = (cls: string): boolean => (isService[cls] ??= registry.isA(cls, 'BusinessService'));

  // Origins, deduplicated, strongest effect given.
  const originEffect = new Map<number, ImpactEffect>();
  for (const o of origins) if (originEffect.get(o.node) !== 'down') originEffect.set(o.node, o.effect);
  const originPos = new Map<number, number>();
  for (let p = 0; p < originCount; p++) originPos.set(order[p]!, p);
  const posOf = (node: number): number => originPos.get(node)!;
  const originsOut: BlastRadiusResult['origins'] = [];
  const services: ImpactedService[] = [];
  for (const [node, effect] of originEffect) {
    const p = posOf(node);
    originsOut.push({ id: nodeIds[node]!, effect, state: stateName(p) });
    const a = attrs[node]!;
    if (serviceClass(a.class)) services.push(serviceOf(nodeIds[node]!, a, stateName(p), 0));
  }

  // Redundancy detail per dependent with a group that lost a member.
  const groupsOf = new Map<number, RedundancyGroupReport[]>();
  for (const [g, members] of core.failedMembers) {
    const dependent = index.groupDependent[g]!;
    const t = index.groupType[g]!;
    const sizeG = index.groupSize[g]!;
    const need = index.groupNeed[g]!;
    const failed = [...members].sort((a, b) => cmp(nodeIds[a]!, nodeIds[b]!)).map((m) => stepOf(index, m, dependent, t));
    const report: RedundancyGroupReport = {
      relationship: index.typeNames[t]!,
      minAvailable: index.groupMinAvailable[g]!,
      members: sizeG,
      required: need,
      available: sizeG - members.length,
      breached: sizeG - members.length < need,
      failed,
    };
    const list = groupsOf.get(dependent);
    if (list === undefined) groupsOf.set(dependent, [report]);
    else list.push(report);
  }
  for (const list of groupsOf.values()) list.sort((a, b) => cmp(a.relationship, b.relationship));

  // Reported positions: already in depth order (breadth-first); sort each level by id. Large reports
  // sort by the index's id rank (integers, radix) instead of comparing strings.
  const reported = new Int32Array(size - originCount);
  let m = 0;
  for (let p = originCount; p < size; p++) {
    if (depth[p]! > maxDepth) break;
    if (envs !== undefined && !envs.has(attrs[order[p]!]!.environment)) continue;
    reported[m++] = p;
  }
  const rank = m > reportTuning.largeReport ? idRank(index) : undefined;
  // For the next queries' cycle test (see fixpoint): large ones pay for it once, small ones never.
  if (rank !== undefined) topoOrder(index);
  let radix: RadixBuffers | undefined;
  let lo = 0;
  while (lo < m) {
    let hi = lo + 1;
    const d = depth[reported[lo]!]!;
    while (hi < m && depth[reported[hi]!] === d) hi++;
    if (rank !== undefined && hi - lo > reportTuning.radixLevel) {
      radix ??= radixBuffers(m);
      sortByRank(reported, lo, hi, order, rank, radix);
    } else if (hi - lo > 1) {
      const level = Array.from(reported.subarray(lo, hi)).sort((x, y) => cmp(nodeIds[order[x]!]!, nodeIds[order[y]!]!));
      reported.set(level, lo);
    }
    lo = hi;
  }

  const steps: (PathStep | undefined)[] = new Array<PathStep | undefined>(size);
  const cache = stepCache(index);
  const stepAt = (p: number): PathStep => (steps[p] ??= cachedStepOf(index, cache, order[parentPos[p]!]!, order[p]!, parentType[p]!));

  const impacted: ImpactedCI[] = new Array<ImpactedCI>(m);
  const byClass: Record<string, StateCounts> = {};
  let down = 0;
  let degraded = 0;
  for (let k = 0; k < m; k++) {
    const p = reported[k]!;
    const node = order[p]!;
    const a = attrs[node]!;
    const d = depth[p]!;
    const via: PathStep[] = new Array<PathStep>(d);
    for (let q = p, i = d - 1; i >= 0; q = parentPos[q]!, i--) via[i] = stepAt(q);
    const st = stateName(p);
    const item: ImpactedCI = { id: nodeIds[node]!, class: a.class, name: a.name, environment: a.environment, state: st, depth: d, via };
    if (groupsOf.size > 0) {
      const groups = groupsOf.get(node);
      if (groups !== undefined) item.redundancy = groups;
    }
    impacted[k] = item;
    const c = (byClass[a.class] ??= { down: 0, degraded: 0 });
    if (st === 'down') {
      down++;
      c.down++;
    } else {
      degraded++;
      c.degraded++;
    }
    if (serviceClass(a.class)) services.push(serviceOf(item.id, a, st, d));
  }
  services.sort((a, b) => a.criticality - b.criticality || cmp(a.id, b.id));

  const cycles = core.cycles.map((c) => c.map((n) => nodeIds[n]!).sort(cmp)).sort((a, b) => cmp(a[0]!, b[0]!));
  return { origins: originsOut, impacted, services, counts: { down, degraded, byClass }, cycles };
}

function serviceOf(id: string, a: { name: string; criticality: number; owner?: string }, state: ImpactState, depth: number): ImpactedService {
  return { id, name: a.name, criticality: a.criticality, owner: a.owner ?? null, state, depth };
}

/** Code-unit order: stable across locales, and what `Array.prototype.sort` does by default. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface RadixBuffers {
  keys: Int32Array;
  keys2: Int32Array;
  vals: Int32Array;
  vals2: Int32Array;
  count: Int32Array;
  bits: number;
}

function radixBuffers(m: number): RadixBuffers {
  const bits = reportTuning.radixBits;
  return { keys: new Int32Array(m), keys2: new Int32Array(m), vals: new Int32Array(m), vals2: new Int32Array(m), count: new Int32Array(1 << bits), bits };
}

/**
 * Sorts `reported[lo..hi)` (positions) by the id rank of their CIs: LSD radix over the rank, a few
 * linear passes instead of a comparison sort (ranks of live CIs are distinct, so no tie to break).
 */
function sortByRank(reported: Int32Array, lo: number, hi: number, order: Int32Array, rank: Int32Array, b: RadixBuffers): void {
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
