/**
 * Evidence of one time cluster: one bounded breadth-first walk upward (direction: 'providers', the
 * impact index's `prov*` CSR) from each distinct incident CI ("unit"), kept flat, in one pass that
 * also folds every candidate's signal sums. Every later step reads these typed arrays only:
 *
 *   - walks (by unit): `walkOff[u] .. walkOff[u+1]` are the nodes the walk reached in BFS order,
 *     as candidate numbers (`walkCand`), hop counts (`walkDist`) and the entry they were reached
 *     from (`walkParent`, −1 for the unit itself) — so an evidence path is read back by following
 *     parents instead of a second search;
 *   - candidates: `sums` holds, per candidate, the tallies of cover.ts over every unit of the
 *     cluster (k, Σd, Σd², Σt, Σt², Σd·t, Σw — w the unit's chronic-noise weight) and `h1`/`h2` two order-independent hashes of the units
 *     reaching it (equal-coverage classes, cover.ts). They are filled while walking, so no later
 *     pass over the ~27M entries (1M CIs, 10k incidents) is needed to start the cover.
 *
 * Every sum is exact, so its bits do not depend on the order in which units are added or removed
 * (docs/decisions.md, "Correlation speed: exact sums"): an open time t is a whole number of ticks
 * after the cluster's first incident (`tickMs`, 1 ms unless the cluster is so large or long that
 * Σt² could pass 2^53 — then the smallest power-of-two multiple that keeps it below), and a
 * chronic-noise weight is a multiple of 2^−`WEIGHT_BITS` (fewer bits only past 2^22 units). Sums of
 * such numbers stay integers (in ticks or weight quanta) below 2^53, where float64 adds exactly.
 * That is what lets a tally be derived from another by subtraction, or a shared part be added
 * once, and still give the bits of a unit-by-unit fold.
 *
 * There is no candidate → units transpose of the full walks: it was two random writes per entry
 * into two arrays of hundreds of MB (the largest single cost of a warm call at 1M CIs). The cover
 * transposes only the compacted walks, and the report reads the units of its few top candidates
 * back from the group's walks.
 *
 * Scratch sized to the graph (`seen`, `candOf`) and the walk buffers live as long as the index and
 * are reused by every call (as engine/impact does with its Scratch): correlation is synchronous, so
 * one set suffices.
 */
import type { ImpactIndex } from '../impact/index.ts';
import type { PairReading } from './observed.ts';

const MINUTE = 60_000;
/** Fractional bits of a chronic-noise weight (see the header): its quantum is 2^−30. */
const WEIGHT_BITS = 30;
/** Float64 slots per candidate in a tally: k, Σd, Σd², Σt, Σt², Σd·t, Σw. */
export const W = 7;
/** Float64 slots per candidate record while walking: the W sums, then the two class hashes. */
const R = 9;

export interface Inc {
  id: string;
  nodes: number[];
  t: number;
  /** How strongly the incident says its own CI is failing, in [0, 1]; NaN when it carries no severity, signal or score. */
  strength: number;
  /** The signal that fired, if the incident says (chronic noise is learned per CI and signal). */
  signal: string | undefined;
  /** Nodes of the CIs that observed the alert (`observedBy`, none of `nodes`); empty for a plain incident. */
  observers: number[];
}

export interface Evidence {
  units: number;
  unitNode: Int32Array;
  /** Earliest open time (ms) of an incident on the unit. */
  unitTime: Float64Array;
  /** The same in whole ticks after `t0` (an integer: the sums' time unit, see the header). */
  unitTick: Float64Array;
  /** Milliseconds per tick: 1, or a power of two that keeps every time sum below 2^53. */
  tickMs: number;
  /** Minutes per tick and its square: the sums in ticks are read as minutes (the signals' unit). */
  tickMinutes: number;
  tickMinutes2: number;
  /** Incident positions on each unit. */
  unitIncidents: number[][];
  /** Chronic-noise weight of each unit in (0, 1], a multiple of a power-of-two quantum: 1 for a CI that never alerts by chance (see correlate.ts). */
  unitWeight: Float64Array;
  /** 1 when none of the unit's direct providers has an incident in the cluster (a natural root when it alerted). */
  unitQuiet: Uint8Array;
  /** Strongest evidence of an incident on the unit, in [0, 1], NaN when none carries any. */
  unitStrength: Float64Array;
  /** Own-incident credit of each unit in (0, 1]: below 1 only for an observed alert whose observer saw other callees slow (observed.ts). */
  unitOwnCredit: Float64Array;
  /** The pair reading of observed alerts (observed.ts), undefined when the cluster has none. */
  pairs: PairReading | undefined;
  unitIndex: Map<number, number>;
  walkOff: Int32Array;
  walkCand: Int32Array;
  walkDist: Uint8Array;
  walkParent: Int32Array;
  candNode: Int32Array;
  /** Units reaching each candidate over the whole cluster (a lower bound of its reach). */
  candUnits: Int32Array;
  /** Per candidate, `W` slots: k, Σd, Σd², Σt, Σt², Σd·t, Σw over every unit of the cluster (t in ticks from `t0`; exact). */
  sums: Float64Array;
  /** Two order-independent 32-bit hashes of the set of units reaching each candidate. */
  h1: Int32Array;
  h2: Int32Array;
  /** The unit of the candidate's own CI, or −1. */
  candOwnUnit: Int32Array;
  /** Candidates whose CI has a change (the only ones whose first open time matters). */
  candHasChange: Uint8Array;
  /** Units reaching each candidate with a change, ascending. */
  changeUnits: Map<number, number[]>;
  t0: number;
}

interface Workspace {
  seen: Uint32Array;
  stamp: number;
  candOf: Int32Array;
  /** 1 on CIs with a change during a call (cleared after). */
  changed: Uint8Array;
  queue: Int32Array;
  pool: Map<string, Int32Array | Uint8Array | Float64Array>;
  triples: Map<string, Triple>;
  walks: WalkCache | undefined;
}

/** The `index.derived` key of the workspace (a token, never mutated): one workspace per index view. */
const WORKSPACE = Object.freeze({ memo: 'correlation evidence workspace' });

function workspace(index: ImpactIndex, maxWalk: number): Workspace {
  const w = index.derived<Workspace>(WORKSPACE, () => ({
    seen: new Uint32Array(index.n),
    stamp: 0,
    candOf: new Int32Array(index.n).fill(-1),
    changed: new Uint8Array(index.n),
    queue: new Int32Array(0),
    pool: new Map(),
    triples: new Map(),
    walks: undefined,
  }));
  if (w.queue.length < maxWalk) w.queue = new Int32Array(maxWalk);
  return w;
}

type Kind = 'i32' | 'u8' | 'f64';
type KindArray<K extends Kind> = K extends 'i32' ? Int32Array : K extends 'u8' ? Uint8Array : Float64Array;

function make<K extends Kind>(kind: K, size: number): KindArray<K> {
  return (kind === 'i32' ? new Int32Array(size) : kind === 'u8' ? new Uint8Array(size) : new Float64Array(size)) as KindArray<K>;
}

/**
 * A buffer of at least `size` elements kept with the index for the next call: the arrays of a
 * time cluster's walks are hundreds of MB at 1M CIs / 10k incidents, and fresh ones each call made
 * V8 run full mark-compacts (a third of the run time, as in engine/impact's build buffers).
 * Callers get a view of exactly `size`; the contents are stale, not zeroed. Correlation is
 * synchronous and no result keeps a view, so one buffer per name suffices.
 */
export function pooled<K extends Kind>(index: ImpactIndex, name: string, kind: K, size: number): KindArray<K> {
  const pool = workspace(index, 0).pool;
  let b = pool.get(name) as KindArray<K> | undefined;
  if (b === undefined || b.length < size) {
    b = make(kind, Math.ceil(size * 1.25) + 1024);
    pool.set(name, b);
  }
  return b.subarray(0, size) as KindArray<K>;
}

/**
 * Two Int32Arrays and a Uint8Array of `cap` elements each over one ArrayBuffer: V8 runs a full
 * mark-compact whenever external memory grew by 64 MB since the last one (~0.4 s over a 1M-CI
 * mirror's objects), so the per-entry arrays of the walks (and of the compacted walks) are one
 * allocation, not three.
 */
export class Triple {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly c: Uint8Array;
  constructor(readonly cap: number) {
    const buf = new ArrayBuffer(cap * 9);
    this.a = new Int32Array(buf, 0, cap);
    this.b = new Int32Array(buf, cap * 4, cap);
    this.c = new Uint8Array(buf, cap * 8, cap);
  }
}

/** A pooled `Triple` of at least `size` elements (stale contents; the first `keep` kept when it grows). */
export function pooledTriple(index: ImpactIndex, name: string, size: number, keep = 0): Triple {
  const triples = workspace(index, 0).triples;
  const t = triples.get(name);
  if (t !== undefined && t.cap >= size) return t;
  const next = new Triple(Math.ceil(size * 1.25) + 1024);
  if (t !== undefined && keep > 0) {
    next.a.set(t.a.subarray(0, keep));
    next.b.set(t.b.subarray(0, keep));
    next.c.set(t.c.subarray(0, keep));
  }
  triples.set(name, next);
  return next;
}

/** Like `pooled`, keeping the first `keep` elements when it has to grow. */
function grown<K extends Kind>(index: ImpactIndex, name: string, kind: K, old: KindArray<K>, keep: number, size: number): KindArray<K> {
  const pool = workspace(index, 0).pool;
  const b = make(kind, Math.max(size, old.length * 2));
  b.set(old.subarray(0, keep));
  pool.set(name, b);
  return b;
}

/**
 * `weightOf(node, units, signal, observers)`: the chronic-noise weight of an incident CI in a cluster
 * of `units` incident CIs, for an incident with that signal and observers (an observed alert's
 * chronic rate is its pair's, history.ts); a unit takes its least chronic incident's.
 * `pairs`: the pair reading of the cluster's observed alerts (observed.ts) — its extra one-hop
 * nodes are appended to a unit's walk after the walk proper (never cached with it).
 */
export function gatherEvidence(
  index: ImpactIndex,
  incs: readonly Inc[],
  maxDepth: number,
  maxWalk: number,
  changed: Iterable<number>,
  weightOf: (node: number, units: number, signal: string | undefined, observers: readonly number[]) => number,
  pairs?: PairReading,
): Evidence {
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
  const t0 = incs[0]!.t;
  let span = 0;
  for (const t of unitTimes) span = Math.max(span, t - t0);
  const tickMs = tickFor(U, span);
  const unitTick = new Float64Array(U);
  for (let u = 0; u < U; u++) unitTick[u] = Math.floor((unitTimes[u]! - t0) / tickMs);
  const quantum = weightQuantum(U);
  const unitWeight = new Float64Array(U);
  const unitQuiet = new Uint8Array(U);
  const unitStrength = new Float64Array(U).fill(Number.NaN);
  const unitOwnCredit = new Float64Array(U).fill(1);
  for (let u = 0; u < U; u++) {
    const v = unitNodes[u]!;
    let w = 0;
    for (const p of unitIncidents[u]!) w = Math.max(w, weightOf(v, U, incs[p]!.signal, incs[p]!.observers));
    // Weights are ≥ 1e-3 (correlate.ts), far above the quantum: none rounds to 0.
    unitWeight[u] = Math.round(w / quantum) * quantum;
    let quiet = 1;
    for (let e = index.provOffsets[v]!; e < index.provOffsets[v + 1]! && quiet === 1; e++)
      if (index.provSource[e] !== v && unitIndex.has(index.provSource[e]!)) quiet = 0;
    // A callee it saw slow is a provider too (the observed call, stored or not).
    for (const b of pairs?.calls.get(v) ?? []) if (b !== v && unitIndex.has(b)) quiet = 0;
    unitQuiet[u] = quiet;
    unitOwnCredit[u] = pairs?.ownCredit.get(v) ?? 1;
    for (const p of unitIncidents[u]!) {
      const st = incs[p]!.strength;
      if (!Number.isNaN(st) && !(unitStrength[u]! >= st)) unitStrength[u] = st;
    }
  }
  const walkOff = new Int32Array(U + 1);
  const { provOffsets, provSource } = index;
  const { queue, candOf, seen } = work;
  const cache = walkCache(work, index, maxDepth, maxWalk);
  const changedNodes = [...changed];
  for (const v of changedNodes) work.changed[v] = 1;
  const changedMark = work.changed;

  // Walk buffers (by entry) and candidate buffers (by candidate), pooled and grown on demand.
  let entries = pooledTriple(index, 'walks', 1 << 16);
  let cap = entries.cap;
  let { a: walkCand, b: walkParent, c: walkDist } = entries;
  const ccap = Math.max(1024, work.pool.get('candNode')?.length ?? 0);
  let candNode = pooled(index, 'candNode', 'i32', ccap);
  let chg = pooled(index, 'candHasChange', 'u8', ccap);
  // One 72-byte record per candidate while walking — the W sums, then the two hashes — so folding
  // an entry touches one cache line (at 1M CIs the candidates outgrow the caches).
  let rec = pooled(index, 'candRecords', 'f64', ccap * R);
  let C = 0;
  const changeHits: number[] = [];
  let E = 0;
  for (let u = 0; u < U; u++) {
    const base = E;
    walkOff[u] = base;
    if (base + maxWalk > cap) {
      // Grown to what the walks so far extrapolate to: each reallocation of these hundreds of MB
      // counts as external memory and made V8 run a full mark-compact (~0.45 s over the 1M-CI
      // mirror's objects) — ten of them in a cold call when the buffers doubled.
      const next = Math.max(cap * 2, base + maxWalk, u > 0 ? Math.ceil(((base / u) * U * 9) / 8) + maxWalk : 0);
      cache?.reserve(next);
      entries = pooledTriple(index, 'walks', next, base);
      ({ a: walkCand, b: walkParent, c: walkDist } = entries);
      cap = entries.cap;
    }
    const start = unitNodes[u]!;
    let tail = cache?.get(start, queue, walkDist, walkParent, base) ?? -1;
    if (tail < 0) {
      if (++work.stamp >= 0xfffffff0) {
        seen.fill(0);
        work.stamp = 1;
      }
      const stamp = work.stamp;
      seen[start] = stamp;
      queue[0] = start;
      walkParent[base] = -1;
      walkDist[base] = 0;
      tail = 1;
      for (let head = 0; head < tail && tail < maxWalk; head++) {
        const x = queue[head]!;
        const d = walkDist[base + head]!;
        if (d >= maxDepth) continue;
        const end = provOffsets[x + 1]!;
        for (let e = provOffsets[x]!; e < end && tail < maxWalk; e++) {
          const y = provSource[e]!;
          if (seen[y] === stamp) continue;
          seen[y] = stamp;
          queue[tail] = y;
          walkDist[base + tail] = d + 1;
          walkParent[base + tail] = base + head;
          tail++;
        }
      }
      cache?.put(start, queue, walkDist, walkParent, base, tail);
    }
    const extra = pairs?.extras.get(start);
    if (extra !== undefined) tail = appendObserved(extra, queue, walkDist, walkParent, base, tail, maxWalk);
    // Fold the walk (still in cache) into its candidates' records, numbering new candidates.
    const a = mix(u, 0x9e3779b9);
    const b = mix(u, 0x7f4a7c15);
    const t = unitTick[u]!;
    const w = unitWeight[u]!;
    for (let i = 0; i < tail; i++) {
      const x = queue[i]!;
      const at = base + i;
      const d = walkDist[at]!;
      let c = candOf[x]!;
      if (c < 0) {
        c = C++;
        if (c >= candNode.length) {
          const next = candNode.length * 4;
          candNode = grown(index, 'candNode', 'i32', candNode, c, next);
          chg = grown(index, 'candHasChange', 'u8', chg, c, next);
          rec = grown(index, 'candRecords', 'f64', rec, c * R, next * R);
        }
        candOf[x] = c;
        candNode[c] = x;
        chg[c] = changedMark[x]!;
        rec.fill(0, c * R, c * R + R);
      }
      walkCand[at] = c;
      const o = c * R;
      rec[o] = rec[o]! + 1;
      rec[o + 1] = rec[o + 1]! + d;
      rec[o + 2] = rec[o + 2]! + d * d;
      rec[o + 3] = rec[o + 3]! + t;
      rec[o + 4] = rec[o + 4]! + t * t;
      rec[o + 5] = rec[o + 5]! + d * t;
      rec[o + 6] = rec[o + 6]! + w;
      rec[o + 7] = (rec[o + 7]! + a) | 0;
      rec[o + 8] = (rec[o + 8]! + b) | 0;
      if (chg[c] === 1) changeHits.push(c, u);
    }
    E = base + tail;
  }
  walkOff[U] = E;
  for (const v of changedNodes) work.changed[v] = 0;

  const candUnits = pooled(index, 'candUnits', 'i32', C);
  const h1 = pooled(index, 'h1', 'i32', C);
  const h2 = pooled(index, 'h2', 'i32', C);
  const sums = pooled(index, 'sums', 'f64', C * W);
  for (let c = 0; c < C; c++) {
    const o = c * R;
    candUnits[c] = rec[o]!;
    h1[c] = rec[o + 7]!;
    h2[c] = rec[o + 8]!;
    sums.set(rec.subarray(o, o + W), c * W);
  }
  const candOwnUnit = pooled(index, 'candOwnUnit', 'i32', C).fill(-1);
  for (let u = 0; u < U; u++) candOwnUnit[candOf[unitNodes[u]!]!] = u;
  const changeUnits = new Map<number, number[]>();
  for (let i = 0; i < changeHits.length; i += 2) {
    const c = changeHits[i]!;
    let list = changeUnits.get(c);
    if (list === undefined) changeUnits.set(c, (list = []));
    list.push(changeHits[i + 1]!);
  }
  for (let c = 0; c < C; c++) candOf[candNode[c]!] = -1;
  return {
    units: U,
    unitNode: Int32Array.from(unitNodes),
    unitTime: Float64Array.from(unitTimes),
    unitTick,
    tickMs,
    tickMinutes: tickMs / MINUTE,
    tickMinutes2: (tickMs / MINUTE) * (tickMs / MINUTE),
    unitIncidents,
    unitWeight,
    unitQuiet,
    unitStrength,
    unitOwnCredit,
    pairs,
    unitIndex,
    walkOff,
    walkCand: walkCand.subarray(0, E),
    walkDist: walkDist.subarray(0, E),
    walkParent: walkParent.subarray(0, E),
    candNode: candNode.subarray(0, C),
    candUnits,
    sums,
    h1,
    h2,
    candOwnUnit,
    candHasChange: chg.subarray(0, C),
    changeUnits,
    t0,
  };
}

/**
 * The pair reading's one-hop nodes appended to a walk (`tail` entries at `base`) that does not
 * reach them already, as reached from the unit itself; returns the new tail. Within `maxWalk`,
 * which the entry buffers are sized for.
 */
function appendObserved(
  extra: readonly number[],
  queue: Int32Array,
  walkDist: Uint8Array,
  walkParent: Int32Array,
  base: number,
  tail: number,
  maxWalk: number,
): number {
  for (const x of extra) {
    if (tail >= maxWalk) break;
    let reached = false;
    for (let i = 0; i < tail && !reached; i++) reached = queue[i] === x;
    if (reached) continue;
    queue[tail] = x;
    walkDist[base + tail] = 1;
    walkParent[base + tail] = base;
    tail++;
  }
  return tail;
}

/** Largest integer below which float64 adds, subtracts and multiplies integers exactly. */
const EXACT = 2 ** 53;

/**
 * Milliseconds per tick for a cluster of `units` incident CIs spanning `spanMs`: 1 ms, doubled
 * until the largest sum a candidate can hold — Σt² ≤ units·T², Σd·t ≤ units·64·T (hops ≤ 64, T the
 * span in ticks) — stays below 2^53. 10,000 incident CIs over 30 minutes need 2 ms ticks.
 */
export function tickFor(units: number, spanMs: number): number {
  let tick = 1;
  for (;;) {
    const T = Math.ceil(spanMs / tick) + 1;
    if (units * Math.max(T * T, 64 * T) < EXACT) return tick;
    tick *= 2;
  }
}

/** The quantum of chronic-noise weights: 2^−30, coarser only when `units` weights of up to 1 could sum past 2^53 quanta. */
export function weightQuantum(units: number): number {
  let bits = WEIGHT_BITS;
  while (bits > 0 && (units + 1) * 2 ** bits >= EXACT) bits--;
  return 2 ** -bits;
}

/** Walk entries kept per index at most (~7 bytes each: ~235 MB); past it the cache starts over. */
export const WALK_CACHE_ENTRIES = 1 << 25;

function walkCache(work: Workspace, index: ImpactIndex, maxDepth: number, maxWalk: number): WalkCache | undefined {
  if (maxWalk > 0xffff) return undefined;
  if (work.walks === undefined || work.walks.maxDepth !== maxDepth || work.walks.maxWalk !== maxWalk)
    work.walks = new WalkCache(index.n, maxDepth, maxWalk);
  return work.walks;
}

/**
 * The upward walks of the CIs correlated before on this index, by CI. A walk depends only on the
 * graph (one index view stands for one mirror version; a write yields a new view, with a new cache:
 * see reach.ts) and on `maxDepth`/`maxWalk`, and open incidents stay open across
 * calls, so a later call copies most of its walks instead of walking again — the walk was the
 * largest cost of a warm call (~0.7 s of ~2 s at 100k CIs / 10k incidents). Nodes, hop counts and
 * parents as positions within the walk (16 bits: `maxWalk` ≤ 65,535). Bounded by
 * `WALK_CACHE_ENTRIES`; when full it is emptied and refilled (which walks it holds never changes an
 * answer, only its speed).
 */
class WalkCache {
  private readonly at: Int32Array;
  private readonly len: Int32Array;
  private nodes = new Int32Array(0);
  private parent = new Uint16Array(0);
  private dist = new Uint8Array(0);
  private size = 0;
  private readonly held: number[] = [];

  constructor(
    n: number,
    readonly maxDepth: number,
    readonly maxWalk: number,
  ) {
    this.at = new Int32Array(n).fill(-1);
    this.len = new Int32Array(n);
  }

  /** Copies the walk of `node` to `queue`, `dist` and `parent` (at `base`); its length, or −1 when not held. */
  get(node: number, queue: Int32Array, dist: Uint8Array, parent: Int32Array, base: number): number {
    const from = this.at[node]!;
    if (from < 0) return -1;
    const len = this.len[node]!;
    queue.set(this.nodes.subarray(from, from + len), 0);
    dist.set(this.dist.subarray(from, from + len), base);
    const p = this.parent;
    parent[base] = -1;
    for (let i = 1; i < len; i++) parent[base + i] = base + p[from + i]!;
    return len;
  }

  /** Room for `total` entries in all, in one reallocation (see `gatherEvidence`). */
  reserve(total: number): void {
    const cap = Math.min(WALK_CACHE_ENTRIES, total);
    if (cap > this.nodes.length) this.resize(cap);
  }

  /** One ArrayBuffer for the three arrays (see `Triple`). */
  private resize(cap: number): void {
    const buf = new ArrayBuffer(cap * 7);
    const nodes = new Int32Array(buf, 0, cap);
    const parent = new Uint16Array(buf, cap * 4, cap);
    const dist = new Uint8Array(buf, cap * 6, cap);
    nodes.set(this.nodes.subarray(0, this.size));
    parent.set(this.parent.subarray(0, this.size));
    dist.set(this.dist.subarray(0, this.size));
    this.nodes = nodes;
    this.parent = parent;
    this.dist = dist;
  }

  put(node: number, queue: Int32Array, dist: Uint8Array, parent: Int32Array, base: number, len: number): void {
    if (this.size + len > WALK_CACHE_ENTRIES) {
      for (const v of this.held) this.at[v] = -1;
      this.held.length = 0;
      this.size = 0;
    }
    if (this.size + len > this.nodes.length)
      this.resize(Math.min(WALK_CACHE_ENTRIES, Math.max(1 << 16, this.nodes.length * 2, this.size + len)));
    const to = this.size;
    this.nodes.set(queue.subarray(0, len), to);
    this.dist.set(dist.subarray(base, base + len), to);
    const p = this.parent;
    p[to] = 0;
    for (let i = 1; i < len; i++) p[to + i] = parent[base + i]! - base;
    this.at[node] = to;
    this.len[node] = len;
    this.held.push(node);
    this.size += len;
  }
}

/** A murmur3-style finaliser: the per-unit random keys of the class hash (fixed, so deterministic). */
function mix(x: number, seed: number): number {
  let h = Math.imul(x ^ seed, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
