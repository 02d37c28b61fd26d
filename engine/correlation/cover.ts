/**
 * Candidate statistics and the greedy cover that turns them into groups.
 *
 * A `Tally` holds, for every candidate, the sums its signals need over the units (incident CIs)
 * still to explain: k, Σd, Σd², Σt, Σt², Σd·t, Σw (chronic-noise weights). They are additive, so they are filled once by one
 * pass over the walks and kept current by subtracting a unit's walk when its last incident is
 * explained: evaluating a candidate is O(1), whatever its coverage (a hub above 10,000 incidents
 * used to cost a pass over its 10,000 units on every re-evaluation, ~30 s at 1M CIs). Each
 * candidate carries a version bumped on every change, so the lazy greedy re-evaluates only the
 * candidates a choice touched. The sums are exact (times in whole ticks, weights in power-of-two
 * quanta: evidence.ts), so a tally's bits depend only on which units are active, never on the
 * order they were added or removed in.
 *
 * Lazy reach: specificity needs the candidate's reach (a walk over its dependents, up to 50,000
 * nodes). Until that walk is needed the score is computed with a lower bound of the reach — the
 * cluster's units that reach the candidate — which makes it an upper bound (specificity falls as
 * reach grows). A heap entry holding a bound is refined to the exact score when it reaches the top;
 * so the greedy takes the same candidates as with exact scores everywhere, and only candidates that
 * get to the top ever pay for their reach walk.
 */
import type { ImpactIndex } from '../impact/index.ts';
import type { LearnedHistory } from './history.ts';
import { alertReachOf, alertUp } from './alert-reach.ts';
import { DEFAULT_REACH_CAP, reachAtLeast, reachLowerBounds } from './reach.ts';
export { reachLowerBounds };
import { recentChangeValue, scoreCandidate, scoreValue, type CandidateStats, type SignalContext } from './signals/index.ts';
import { pooled, pooledTriple, W, type Evidence, type Inc } from './evidence.ts';
import type { CorrelationResult, Factor } from './types.ts';

export interface Settings {
  index: ImpactIndex;
  maxDepth: number;
  maxWalk: number;
  top: number;
  maxPaths: number;
  /** Signal context of the report (rank.ts). */
  ctx: SignalContext;
  /**
   * The cover's: the same without the natural-root signal. Which incidents form a group is the
   * cover's question; natural root answers which of a group's alerting CIs is its root — counted in
   * the cover, it made an alerting caller with quiet providers a cheaper group than the silent
   * database explaining it and its siblings.
   */
  coverCtx: SignalContext;
  changesByNode: Map<number, { id: string; at: number }[]>;
  /** ln n: what choosing one root among n CIs costs, in nats. */
  cost: number;
  /**
   * Chronic noise learned from the history: windows in which each CI had an incident, out of
   * `buckets`; `background`, the mean number of CIs alerting per window among those that alert in
   * fewer than half of them (the estate's rate of stray alerts).
   */
  history: LearnedHistory;
  /** The index's reach memo and refined lower bounds (reach.ts), looked up once per call. */
  memo: Int32Array;
  lower: Int32Array;
  /** Per-call and per-index buffers of the cover (`coverBuffers`): no module-level state (STYLE.md #17). */
  buffers: CoverBuffers;
  /**
   * On an estate where some redundancy absorbs a failure: the index's alert-reach memo and lower
   * bounds (alert-reach.ts), looked up once per call; undefined elsewhere (specificity then reads
   * the plain reach alone).
   */
  alert: { memo: Int32Array; lower: Int32Array } | undefined;
}

/** What `score` last found: the same numbers as `evaluate`, without the factors. */
export interface Scored {
  k: number;
  score: number;
  exact: boolean;
  eligible: boolean;
}

/**
 * Reused buffers of one call: `stats`, filled by every evaluation (hundreds of thousands per call;
 * correlation is synchronous), `scored`, `score`'s answer, and the heaps, one per order, which live
 * on the index (`index.derived`) so that their typed arrays outlive the call — 600k entry objects a
 * call at 1M CIs were old-space garbage for the major GC.
 */
export interface CoverBuffers {
  stats: CandidateStats;
  scored: Scored;
  heaps: Map<Order, EntryHeap>;
}

/** The `index.derived` key of the heaps (a token, never mutated). */
const HEAPS = Object.freeze({ memo: 'correlation cover heaps' });

export function coverBuffers(index: ImpactIndex): CoverBuffers {
  return {
    stats: {
      n: 0,
      background: 0,
      k: 0,
      reach: 0,
      sumDistance: 0,
      ownOpenedAt: Number.NaN,
      firstOpenedAt: Number.NaN,
      sumT: 0,
      sumTT: 0,
      sumDD: 0,
      sumDT: 0,
      weightSum: 0,
      ownWeight: 1,
      ownStrength: Number.NaN,
      ownQuiet: 0,
      ownCredit: 1,
      changes: [],
    },
    scored: { k: 0, score: 0, exact: true, eligible: false },
    heaps: index.derived(HEAPS, () => new Map<Order, EntryHeap>()),
  };
}

/** Per-unit walks a tally folds: the full ones (`Evidence.walk*`) or the representatives' only (see `compactWalks`). */
export interface Walks {
  off: Int32Array;
  cand: Int32Array;
  dist: Uint8Array;
}

/**
 * The compacted walks and their transpose: `unitOff[c] .. unitOff[c+1]` are the units reaching
 * representative `c`, ascending, and `unitDist` their hop counts up to it.
 */
export interface CoverWalks extends Walks {
  unitOff: Int32Array;
  units: Int32Array;
  unitDist: Uint8Array;
}

export class Tally {
  /** Active incidents per unit; a unit counts while > 0. */
  readonly active: Int32Array;
  readonly incidentActive: Uint8Array;
  readonly acc: Float64Array;
  readonly version: Int32Array;
  /** Candidates given a first unit since the last reset (sandboxes only). */
  touched: number[] | undefined;
  /** Whether `version` follows changes (the lazy greedy needs it; the report does not). */
  versioned = true;
  /** Whether the tally scores for the report (`Settings.ctx`) rather than the cover (`coverCtx`). */
  forReport = false;
  /** The report's: the compacted walks, whose transpose lists a representative's units (see `coveredUnits`). */
  transpose: CoverWalks | undefined;
  /**
   * The report's, on an estate with redundancy (alert-reach.ts): per candidate, how many active units
   * its failure could make alert (`countAlertable`); undefined elsewhere, where specificity reads
   * the plain reach alone.
   */
  alertK: Float64Array | undefined;
  /** Walk entries of the active units: what a rebuild from them costs (see `take`). */
  activeEntries = 0;
  /** Scratch of a rebuild: every candidate's k before it (pooled with the tally's buffers). */
  readonly index: ImpactIndex;
  private readonly name: string;

  /**
   * Buffers are pooled with the index under `name` (evidence.ts `pooled`): at 1M CIs a tally is
   * ~20 MB, and five fresh ones a call made V8 run full mark-compacts over the mirror's millions of
   * objects. So at most one live tally per name.
   */
  constructor(
    index: ImpactIndex,
    name: string,
    readonly walks: Walks,
    units: number,
    incidents: number,
    cands: number,
    sandbox: boolean,
    from?: Tally,
  ) {
    this.index = index;
    this.name = name;
    this.active = pooled(index, `${name}.active`, 'i32', units);
    this.incidentActive = pooled(index, `${name}.incidentActive`, 'u8', incidents);
    this.acc = pooled(index, `${name}.acc`, 'f64', cands * W);
    this.version = pooled(index, `${name}.version`, 'i32', cands);
    if (from) {
      this.active.set(from.active);
      this.incidentActive.set(from.incidentActive);
      this.acc.set(from.acc);
      this.activeEntries = from.activeEntries;
    } else {
      this.active.fill(0);
      this.incidentActive.fill(0);
      this.acc.fill(0);
    }
    this.version.fill(0);
    this.touched = sandbox ? [] : undefined;
  }

  /**
   * Every unit active, every candidate's sums over all of them: the sums folded while walking
   * (`Evidence.sums`), exact for every candidate — for a representative of the compacted walks they
   * are the sums of its own entries, which are all kept.
   */
  static full(index: ImpactIndex, name: string, walks: Walks, ev: Evidence, incidents: number): Tally {
    const t = new Tally(index, name, walks, ev.units, incidents, ev.candNode.length, false);
    t.acc.set(ev.sums);
    for (let u = 0; u < ev.units; u++) t.active[u] = ev.unitIncidents[u]!.length;
    t.incidentActive.fill(1);
    t.activeEntries = walks.off[ev.units]! - walks.off[0]!;
    return t;
  }

  /** Adds (`sign` 1) or removes (−1) one unit's walk from every candidate it reaches. */
  addUnit(ev: Evidence, u: number, sign: 1 | -1): void {
    const { acc, version, touched } = this;
    const { off, cand, dist } = this.walks;
    const t = ev.unitTick[u]!;
    const w = sign * ev.unitWeight[u]!;
    const end = off[u + 1]!;
    this.activeEntries += sign * (end - off[u]!);
    const versioned = this.versioned;
    for (let i = off[u]!; i < end; i++) {
      const c = cand[i]!;
      const d = dist[i]!;
      const o = c * W;
      if (touched !== undefined && acc[o] === 0) touched.push(c);
      acc[o] = acc[o]! + sign;
      acc[o + 1] = acc[o + 1]! + sign * d;
      acc[o + 2] = acc[o + 2]! + sign * d * d;
      acc[o + 3] = acc[o + 3]! + sign * t;
      acc[o + 4] = acc[o + 4]! + sign * t * t;
      acc[o + 5] = acc[o + 5]! + sign * d * t;
      acc[o + 6] = acc[o + 6]! + w;
      if (versioned) version[c] = version[c]! + 1;
    }
  }

  /**
   * Marks incidents explained; a unit whose last active incident goes leaves every candidate's
   * sums — one walk subtracted per unit, or, when the units going have more entries than the
   * ones staying, every sum rebuilt from the staying ones (the split test's parts take two thirds
   * of a 10,000-incident call's incident CIs at once). The sums are exact (evidence.ts), so both
   * give the same bits.
   */
  take(ev: Evidence, incs: readonly Inc[], members: readonly number[]): void {
    const gone: number[] = [];
    for (const p of members) {
      if (this.incidentActive[p] === 0) continue;
      this.incidentActive[p] = 0;
      for (const v of incs[p]!.nodes) {
        const u = ev.unitIndex.get(v)!;
        const left = this.active[u]! - 1;
        this.active[u] = left;
        if (left === 0) gone.push(u);
      }
    }
    const { off } = this.walks;
    let leaving = 0;
    for (const u of gone) leaving += off[u + 1]! - off[u]!;
    // A rebuild also costs a few sequential passes over the candidates: counted as one entry each.
    if (leaving > this.activeEntries - leaving + this.version.length) this.rebuild(ev);
    else for (const u of gone) this.addUnit(ev, u, -1);
  }

  /**
   * Every sum refilled from the active units' walks; the candidates whose k changed get a new
   * version (a unit leaving changes the k of every candidate it reaches, its own CI's included,
   * so k tells every candidate whose score may have moved). Only candidates of the walks are
   * refilled: a compacted tally's other candidates, never read, become 0.
   */
  private rebuild(ev: Evidence): void {
    const { acc, version, active } = this;
    const C = version.length;
    const before = pooled(this.index, `${this.name}.rebuildK`, 'f64', C);
    for (let c = 0; c < C; c++) before[c] = acc[c * W]!;
    acc.fill(0);
    const { touched, versioned } = this;
    // Every candidate the active units reach was touched already (a sandbox's list stays as it is).
    this.touched = undefined;
    this.versioned = false;
    this.activeEntries = 0;
    for (let u = 0; u < ev.units; u++) if (active[u]! > 0) this.addUnit(ev, u, 1);
    this.touched = touched;
    this.versioned = versioned;
    if (versioned) for (let c = 0; c < C; c++) if (acc[c * W] !== before[c]) version[c] = version[c]! + 1;
  }

  /**
   * Fills an empty sandbox with the sums over `units` (their `active` counts already set): by
   * adding their walks, or — when `source` holds the sums over more units whose other walks have
   * fewer entries — by copying it and subtracting those others. The sums are exact (evidence.ts),
   * so both give the same bits. The split test's first pick in a 10,000-incident call explains two
   * thirds of the incident CIs (~10M entries to add, ~0.4M to subtract); the report of a large
   * group likewise. `source.active`: which units its sums are over (every unit when absent);
   * `source.reps`: the transpose offsets of compacted walks, whose other candidates hold stale
   * sums in `source` (then every slot must be cleared after, not only the touched ones). Returns
   * whether it subtracted.
   */
  fill(ev: Evidence, units: readonly number[], source: FillSource): boolean {
    const { off } = this.walks;
    let adding = 0;
    for (const u of units) adding += off[u + 1]! - off[u]!;
    // The copy and the scan for touched candidates: sequential passes, counted as one entry per candidate.
    const C = this.version.length;
    if (source.entries - adding + C >= adding) {
      for (const u of units) this.addUnit(ev, u, 1);
      return false;
    }
    const { acc, active } = this;
    acc.set(source.acc);
    this.activeEntries = source.entries;
    const touched = this.touched!;
    this.touched = undefined;
    const inSource = source.active;
    for (let u = 0; u < ev.units; u++) if (active[u] === 0 && (inSource === undefined || inSource[u]! > 0)) this.addUnit(ev, u, -1);
    this.touched = touched;
    const reps = source.reps;
    for (let c = 0; c < C; c++) if (acc[c * W]! > 0 && (reps === undefined || reps[c + 1]! > reps[c]!)) touched.push(c);
    return true;
  }

  /** Back to empty (sandboxes): only what was touched is cleared. */
  reset(): void {
    this.activeEntries = 0;
    for (const c of this.touched ?? []) this.acc.fill(0, c * W, c * W + W);
    if (this.alertK !== undefined) for (const c of this.touched ?? []) this.alertK[c] = 0;
    if (this.touched) this.touched.length = 0;
    this.active.fill(0);
    this.incidentActive.fill(0);
  }

  k(c: number): number {
    return this.acc[c * W]!;
  }

  /**
   * The report's sandbox, just filled with `units`: counts, per candidate, the units in its alert
   * set (alert-reach.ts) — each unit's `alertUp` walk, a subset of its plain walk. Only on an
   * estate where some redundancy absorbs a failure; a no-op elsewhere.
   */
  countAlertable(s: Settings, ev: Evidence, units: readonly number[]): void {
    if (!this.forReport || this.touched === undefined || s.alert === undefined) {
      this.alertK = undefined;
      return;
    }
    const C = this.version.length;
    const alertK = (this.alertK = pooled(s.index, `${this.name}.alertK`, 'f64', C));
    // Node → candidate for the touched ones (every candidate an active unit reaches), cleared after.
    const candOf = s.index.derived(ALERT_CAND_OF, () => new Int32Array(s.index.n).fill(-1));
    for (const c of this.touched) {
      alertK[c] = 0;
      candOf[ev.candNode[c]!] = c;
    }
    for (const u of units)
      for (const x of alertUp(s.index, ev.unitNode[u]!, s.maxDepth, s.maxWalk)) {
        const c = candOf[x]!;
        if (c >= 0) alertK[c] = alertK[c]! + 1;
      }
    for (const c of this.touched) candOf[ev.candNode[c]!] = -1;
  }
}

/** What `Tally.fill` may subtract from: sums over a set of units (see there). */
export interface FillSource {
  acc: Float64Array;
  active: Int32Array | undefined;
  entries: number;
  reps: Int32Array | undefined;
}

export interface Evaluation {
  k: number;
  score: number;
  factors: Factor[];
  /** False when the score used a lower bound of the reach (then it is an upper bound). */
  exact: boolean;
}

const NO_CHANGES: readonly { id: string; at: number }[] = [];

/** `index.derived` key of the report's node → candidate scratch (all −1 between uses). */
const ALERT_CAND_OF = Object.freeze({ memo: 'correlation report alert candidates' });

/**
 * Fills `s.buffers.stats` with the statistics of candidate `c` over the tally's active units (k > 0) and
 * tells whether its reach is known exactly. With `exact`, an unknown reach is refined by one
 * bounded walk first; the reach may still be a bound, a higher one, which the caller re-queues.
 */
function statsOf(s: Settings, ev: Evidence, tally: Tally, c: number, exact: boolean, out?: CorrelationResult): boolean {
  const o = c * W;
  const { acc, active } = tally;
  const node = ev.candNode[c]!;
  const { memo, lower } = s;
  if (memo[node] === 0 && exact) {
    // One refinement step: a walk of 4× the current bound (at least 1,024 nodes).
    if (out) out.stats.reachWalks++;
    reachAtLeast(s.index, node, s.maxDepth, Math.max(1024, 4 * lower[node]!));
  }
  let reach = memo[node]!;
  const known = reach > 0;
  if (!known) reach = Math.max(ev.candUnits[c]!, lower[node]!);
  let first = Number.NaN;
  if (ev.candHasChange[c] === 1) {
    first = Number.POSITIVE_INFINITY;
    for (const u of ev.changeUnits.get(c) ?? []) if (active[u]! > 0 && ev.unitTime[u]! < first) first = ev.unitTime[u]!;
  }
  const own = ev.candOwnUnit[c]!;
  const st = s.buffers.stats;
  st.n = s.index.n;
  st.background = ev.units / s.index.n;
  st.k = acc[o]!;
  st.reach = reach;
  st.sumDistance = acc[o + 1]!;
  st.ownOpenedAt = own >= 0 && active[own]! > 0 ? ev.unitTime[own]! : Number.NaN;
  st.firstOpenedAt = first;
  st.sumT = acc[o + 3]! * ev.tickMinutes;
  st.sumTT = acc[o + 4]! * ev.tickMinutes2;
  st.sumDD = acc[o + 2]!;
  st.sumDT = acc[o + 5]! * ev.tickMinutes;
  st.weightSum = acc[o + 6]!;
  const ownActive = own >= 0 && active[own]! > 0;
  st.ownWeight = ownActive ? ev.unitWeight[own]! : 1;
  st.ownStrength = ownActive ? ev.unitStrength[own]! : Number.NaN;
  st.ownQuiet = ownActive ? ev.unitQuiet[own]! : 0;
  st.ownCredit = ownActive ? ev.unitOwnCredit[own]! : 1;
  st.changes = s.changesByNode.get(node) ?? NO_CHANGES;
  if (tally.alertK === undefined || s.alert === undefined) {
    st.alert = undefined;
    return known;
  }
  // Redundancy-aware reach beside the plain one (alert-reach.ts): walked when refining, else the
  // memo or a lower bound (a score on a bound is an upper bound, refined when it reaches the top).
  let alertMemo = s.alert.memo[node]!;
  if (alertMemo === 0 && exact) alertMemo = alertReachOf(s.index, node, s.maxDepth, DEFAULT_REACH_CAP);
  const alert = (st.alert ??= { k: 0, reach: 0, exact: false });
  alert.k = tally.alertK[c]!;
  alert.reach = alertMemo > 0 ? alertMemo : Math.max(alert.k, Math.min(DEFAULT_REACH_CAP, s.alert.lower[node]!));
  alert.exact = known && alertMemo > 0;
  return alert.exact;
}

/** Statistics of candidate `c` over the tally's active units, then its score and factors (see `statsOf`). */
export function evaluate(s: Settings, ev: Evidence, tally: Tally, c: number, exact: boolean, out?: CorrelationResult): Evaluation {
  const k = tally.acc[c * W]!;
  if (k <= 0) return { k: 0, score: Number.NEGATIVE_INFINITY, factors: [], exact: true };
  const known = statsOf(s, ev, tally, c, exact, out);
  const { score, factors } = scoreCandidate(s.buffers.stats, tally.forReport ? s.ctx : s.coverCtx);
  return { k, score, factors, exact: known };
}

/**
 * `evaluate` without the factor breakdown (`scoreValue`: the same score to the last bit), into
 * `s.buffers.scored` (reused: read it before the next call); `eligible`: may found a group (≥ 2 incident CIs, or one with a recent change on it).
 */
export function score(s: Settings, ev: Evidence, tally: Tally, c: number, exact: boolean, out?: CorrelationResult): Scored {
  const k = tally.acc[c * W]!;
  const { scored, stats } = s.buffers;
  scored.k = k;
  if (k <= 0) {
    scored.score = Number.NEGATIVE_INFINITY;
    scored.exact = true;
    scored.eligible = false;
    return scored;
  }
  scored.exact = statsOf(s, ev, tally, c, exact, out);
  scored.score = scoreValue(stats, tally.forReport ? s.ctx : s.coverCtx);
  scored.eligible = k >= 2 || (k === 1 && recentChangeValue(stats, s.ctx) > 0);
  return scored;
}

/**
 * Max-heap entries, keyed by gain per explained incident CI: (score − ln n) / k, or by score (see
 * `greedyCover`), then smaller CI id. Ordering by gain per element is the classic greedy for
 * weighted set cover; ordering by total score instead lets a hub that "explains" thousands of
 * unrelated incidents at a low rate win over the many tight causes that explain them better
 * (measured: 3 groups for 45 faults at 100k CIs).
 */

export interface Chosen {
  cand: number;
  score: number;
  incidents: number[];
}

export type Order = 'density' | 'score' | 'score-nosplit';

/**
 * Lazy greedy cover over `cands`. With order 'score', a chosen candidate's incidents are first
 * offered to the candidates that explain only part of them (a second greedy cover on that subset,
 * in `sandbox`): when two or more narrower causes explain them better — the partition's summed
 * score, each group paying ln n for its choice of root, beats the one broad cause — they are taken
 * instead. This is what keeps a core router above two simultaneous faults from swallowing both.
 */
export function greedyCover(
  s: Settings,
  ev: Evidence,
  cw: CoverWalks,
  incs: readonly Inc[],
  tally: Tally,
  cands: Iterable<number>,
  order: Order,
  out: CorrelationResult,
  sandbox?: Tally,
): Chosen[] {
  // Only representatives are in the walks of a compacted tally; the others stay at zero.
  const ids = s.index.nodeIds;
  const { active, version } = tally;
  const cost = s.cost;
  const heap = EntryHeap.for(s.buffers.heaps, order, (c) => ids[ev.candNode[c]!]!);
  const push = (c: number, exact: boolean) => {
    const r = score(s, ev, tally, c, exact, out);
    out.stats.evaluated++;
    if (r.eligible) heap.push(order === 'density' ? (r.score - cost) / r.k : r.score, r.score, c, version[c]!, r.exact);
  };
  for (const c of cands) {
    const k = tally.k(c);
    if (k >= 2 || (k === 1 && ev.candHasChange[c] === 1)) push(c, false);
  }
  const chosen: Chosen[] = [];
  while (heap.size > 0) {
    const e = heap.pop();
    const top = { cand: heap.cand[e]!, score: heap.score[e]! };
    if (heap.version[e] !== version[top.cand]) {
      push(top.cand, false);
      continue;
    }
    if (heap.exact[e] === 0) {
      push(top.cand, true);
      continue;
    }
    if (top.score < cost) break;
    const units: number[] = [];
    for (let i = cw.unitOff[top.cand]!; i < cw.unitOff[top.cand + 1]!; i++) if (active[cw.units[i]!]! > 0) units.push(cw.units[i]!);
    if (order === 'score' && sandbox !== undefined && units.length >= 4) {
      const parts = trySplit(s, ev, cw, incs, tally, sandbox, units, top.score, out);
      if (parts) {
        // One take for all parts: together they may leave few units (then the tally is rebuilt).
        tally.take(
          ev,
          incs,
          parts.flatMap((part) => part.incidents),
        );
        chosen.push(...parts);
        continue;
      }
    }
    const members = new Set<number>();
    for (const u of units) for (const p of ev.unitIncidents[u]!) if (tally.incidentActive[p] === 1) members.add(p);
    const list = [...members];
    tally.take(ev, incs, list);
    chosen.push({ cand: top.cand, score: top.score, incidents: list });
  }
  return chosen;
}

function trySplit(
  s: Settings,
  ev: Evidence,
  cw: CoverWalks,
  incs: readonly Inc[],
  tally: Tally,
  sandbox: Tally,
  units: readonly number[],
  score: number,
  out: CorrelationResult,
): Chosen[] | undefined {
  for (const u of units) {
    sandbox.active[u] = tally.active[u]!;
    for (const p of ev.unitIncidents[u]!) if (tally.incidentActive[p] === 1) sandbox.incidentActive[p] = 1;
  }
  const subtract = sandbox.fill(ev, units, { acc: tally.acc, active: tally.active, entries: tally.activeEntries, reps: cw.unitOff });
  // Candidates explaining part, not all, of the units.
  const partial = sandbox.touched!.filter((c) => sandbox.k(c) < units.length);
  const parts = greedyCover(s, ev, cw, incs, sandbox, partial, 'score-nosplit', out);
  if (subtract) sandbox.acc.fill(0);
  sandbox.reset();
  if (parts.length < 2) return undefined;
  let gain = 0;
  for (const p of parts) gain += p.score - s.cost;
  return gain > score - s.cost ? parts : undefined;
}

/** A unit a reported candidate explains: its hop count, and its walk entry when already known (−1: see `entryOf`). */
export interface Covered {
  u: number;
  entry: number;
  d: number;
}

/**
 * The units of a report group (the tally's active ones, `units`) that each of `cands` explains.
 * A representative's can be read off the compacted walks' transpose (every unit of the cluster
 * reaching it, ascending, with their distances: exact), which costs its units in the cluster; the
 * alternative is one scan of the group's walks for all the candidates left, which costs the
 * group's entries — in a 10,000-incident call a group of thousands of incident CIs has tens of
 * millions, while a small group's leading candidate may be a hub above the whole cluster. Each
 * representative takes the transpose while that is cheaper than the scan. Entries are left −1
 * there: `entryOf` finds the few evidence paths need.
 */
export function coveredUnits(ev: Evidence, report: Tally, cands: readonly number[], units: readonly number[]): Covered[][] {
  const out: Covered[][] = cands.map(() => []);
  const cw = report.transpose;
  const { active } = report;
  const { walkOff, walkCand, walkDist } = ev;
  let entries = 0;
  for (const u of units) entries += walkOff[u + 1]! - walkOff[u]!;
  let budget = entries;
  const scan: number[] = [];
  cands.forEach((c, k) => {
    const size = cw === undefined ? 0 : cw.unitOff[c + 1]! - cw.unitOff[c]!;
    if (cw === undefined || size === 0 || size >= budget) {
      scan.push(k);
      return;
    }
    budget -= size;
    for (let i = cw.unitOff[c]!; i < cw.unitOff[c + 1]!; i++) {
      const u = cw.units[i]!;
      if (active[u]! > 0) out[k]!.push({ u, entry: -1, d: cw.unitDist[i]! });
    }
  });
  if (scan.length === 0) return out;
  // Slot + 1 of each scanned candidate; all zero between calls (pooled, cleared after use).
  const slot = pooled(report.index, 'coveredSlot', 'i32', ev.candNode.length);
  for (const k of scan) slot[cands[k]!] = k + 1;
  for (const u of units) {
    const end = walkOff[u + 1]!;
    for (let i = walkOff[u]!; i < end; i++) {
      const k = slot[walkCand[i]!]!;
      if (k !== 0) out[k - 1]!.push({ u, entry: i, d: walkDist[i]! });
    }
  }
  for (const k of scan) slot[cands[k]!] = 0;
  return out;
}

/** The entry of candidate `c` in unit `u`'s walk (a walk reaches each CI once). */
export function entryOf(ev: Evidence, x: Covered, c: number): number {
  if (x.entry >= 0) return x.entry;
  let i = ev.walkOff[x.u]!;
  while (ev.walkCand[i] !== c) i++;
  return i;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The lazy greedy's max-heap, keyed by gain per explained incident CI: (score − ln n) / k, or by
 * score (see `greedyCover`), then smaller CI id. Ordering by gain per element is the classic greedy
 * for weighted set cover; ordering by total score instead lets a hub that "explains" thousands of
 * unrelated incidents at a low rate win over the many tight causes that explain them better
 * (measured: 3 groups for 45 faults at 100k CIs). Entries live in typed arrays, reused by every
 * call on the same index (`CoverBuffers.heaps`; one heap per order: the split test's cover runs
 * inside the 'score' one).
 */
export class EntryHeap {
  key = new Float64Array(1024);
  score = new Float64Array(1024);
  cand = new Int32Array(1024);
  version = new Int32Array(1024);
  exact = new Uint8Array(1024);
  private items = new Int32Array(1024);
  private entries = 0;
  size = 0;
  private idOf: (c: number) => string = () => '';

  static for(heaps: Map<Order, EntryHeap>, order: Order, idOf: (c: number) => string): EntryHeap {
    let h = heaps.get(order);
    if (h === undefined) heaps.set(order, (h = new EntryHeap()));
    h.entries = 0;
    h.size = 0;
    h.idOf = idOf;
    return h;
  }

  private before(a: number, b: number): boolean {
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    return ka > kb || (ka === kb && cmp(this.idOf(this.cand[a]!), this.idOf(this.cand[b]!)) < 0);
  }

  push(key: number, score: number, cand: number, version: number, exact: boolean): void {
    if (this.entries === this.key.length) this.grow();
    const e = this.entries++;
    this.key[e] = key;
    this.score[e] = score;
    this.cand[e] = cand;
    this.version[e] = version;
    this.exact[e] = exact ? 1 : 0;
    if (this.size === this.items.length) {
      const next = new Int32Array(this.items.length * 2);
      next.set(this.items);
      this.items = next;
    }
    const a = this.items;
    let i = this.size++;
    a[i] = e;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      const t = a[i]!;
      a[i] = a[p]!;
      a[p] = t;
      i = p;
    }
  }

  /** Removes the first entry and returns it (its fields stay readable until the next `push`). */
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a[--this.size]!;
    if (this.size > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.size && this.before(a[l]!, a[m]!)) m = l;
        if (r < this.size && this.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        const t = a[i]!;
        a[i] = a[m]!;
        a[m] = t;
        i = m;
      }
    }
    return top;
  }

  private grow(): void {
    const n = this.key.length * 2;
    const f64 = (x: Float64Array) => {
      const y = new Float64Array(n);
      y.set(x);
      return y;
    };
    const i32 = (x: Int32Array) => {
      const y = new Int32Array(n);
      y.set(x);
      return y;
    };
    this.key = f64(this.key);
    this.score = f64(this.score);
    this.cand = i32(this.cand);
    this.version = i32(this.version);
    const ex = new Uint8Array(n);
    ex.set(this.exact);
    this.exact = ex;
  }
}

/**
 * Equal-coverage compaction for the greedy cover. Candidates reached by exactly the same units
 * (same count and two order-independent 32-bit sums of per-unit random keys) form a class; every
 * member explains the same incidents, so the cover only needs one of them to decide *which*
 * incidents form a group — the group's candidates are all re-scored afterwards (rank.ts), so no
 * alternative is lost from the report. The representative is the member the cover would see
 * first: the best score with its reach lower bound (own incident, distance and time order decide
 * between equal coverage), then the smallest bound — the most specific — then first reached. A candidate with a change stays alone (its change is its own
 * evidence). Typical effect: the 400 members of a Kubernetes cluster and the racks, PDUs and
 * switches above them collapse into one class for the pods that reach them only through the
 * cluster. Measured: walk entries the cover folds fall to about 40 %.
 */
export function compactWalks(s: Settings, ev: Evidence, lowerBound: Int32Array): { walks: CoverWalks; reps: number[] } {
  const C = ev.candNode.length;
  const { h1, h2, sums } = ev;
  // 32 bits of one sum, 21 of the other mixed with the count: an exact integer key.
  const keyOf = (c: number) => (h1[c]! >>> 0) * 0x200000 + ((h2[c]! ^ Math.imul(ev.candUnits[c]!, 0x27d4eb2f)) & 0x1fffff);
  const alone = (c: number) => ev.candHasChange[c] === 1 || ev.candUnits[c]! < 2;
  // Class numbers by key, in an open-addressing table (typed and pooled: a Map of 360k entries a
  // call at 1M CIs was garbage the major GC had to trace).
  let capT = 1024;
  while (capT < 2 * C) capT *= 2;
  const tKeys = pooled(s.index, 'classKeys', 'f64', capT);
  const tSlot = pooled(s.index, 'classSlots', 'i32', capT);
  tSlot.fill(-1);
  const classOf = pooled(s.index, 'classOf', 'i32', C);
  let K = 0;
  for (let c = 0; c < C; c++) {
    if (alone(c)) {
      classOf[c] = -1;
      continue;
    }
    const key = keyOf(c);
    let h = Math.imul((h1[c]! >>> 0) ^ Math.imul(key % 0x200000, 0x9e3779b1), 0x85ebca6b) & (capT - 1);
    while (tSlot[h] !== -1 && tKeys[h] !== key) h = (h + 1) & (capT - 1);
    if (tSlot[h] === -1) {
      tKeys[h] = key;
      tSlot[h] = K++;
    }
    classOf[c] = tSlot[h]!;
  }
  const size = pooled(s.index, 'classSize', 'i32', K);
  size.fill(0);
  for (let c = 0; c < C; c++) if (classOf[c]! >= 0) size[classOf[c]!]!++;
  // Members of a class of several are compared by their score with the reach lower bound (the
  // score the cover would first see), then by specificity of the bound, then first reached.
  const boundScore = pooled(s.index, 'boundScore', 'f64', C);
  for (let c = 0; c < C; c++) {
    boundScore[c] = 0;
    if (classOf[c]! < 0 || size[classOf[c]!]! < 2) continue;
    const o = c * W;
    const own = ev.candOwnUnit[c]!;
    const node = ev.candNode[c]!;
    boundScore[c] = scoreValue(
      {
        n: s.index.n,
        background: ev.units / s.index.n,
        k: ev.candUnits[c]!,
        reach: Math.max(ev.candUnits[c]!, lowerBound[node]!),
        sumDistance: sums[o + 1]!,
        ownOpenedAt: own >= 0 ? ev.unitTime[own]! : Number.NaN,
        firstOpenedAt: Number.NaN,
        sumT: sums[o + 3]! * ev.tickMinutes,
        sumTT: sums[o + 4]! * ev.tickMinutes2,
        sumDD: sums[o + 2]!,
        sumDT: sums[o + 5]! * ev.tickMinutes,
        weightSum: sums[o + 6]!,
        ownWeight: own >= 0 ? ev.unitWeight[own]! : 1,
        ownStrength: own >= 0 ? ev.unitStrength[own]! : Number.NaN,
        ownQuiet: own >= 0 ? ev.unitQuiet[own]! : 0,
        ownCredit: own >= 0 ? ev.unitOwnCredit[own]! : 1,
        changes: NO_CHANGES,
      },
      s.coverCtx,
    );
  }
  const better = (x: number, y: number) => {
    if (boundScore[x] !== boundScore[y]) return boundScore[x]! > boundScore[y]!;
    const rx = lowerBound[ev.candNode[x]!]!;
    const ry = lowerBound[ev.candNode[y]!]!;
    if (rx !== ry) return rx < ry;
    return x < y;
  };
  const repOf = pooled(s.index, 'classRep', 'i32', K);
  repOf.fill(-1);
  const isRep = pooled(s.index, 'isRep', 'u8', C);
  isRep.fill(0);
  for (let c = 0; c < C; c++) {
    if (classOf[c]! < 0) {
      isRep[c] = 1;
      continue;
    }
    const key = classOf[c]!;
    const r = repOf[key]!;
    if (r < 0) {
      repOf[key] = c;
      isRep[c] = 1;
    } else if (ev.candUnits[r] === ev.candUnits[c] && better(c, r)) {
      repOf[key] = c;
      isRep[r] = 0;
      isRep[c] = 1;
    } else if (ev.candUnits[r] !== ev.candUnits[c]) {
      isRep[c] = 1;
    }
  }
  const reps: number[] = [];
  const unitOff = pooled(s.index, 'coverUnitOff', 'i32', C + 1);
  let m = 0;
  for (let c = 0; c < C; c++) {
    unitOff[c] = m;
    if (isRep[c] === 1) {
      reps.push(c);
      m += ev.candUnits[c]!;
    }
  }
  unitOff[C] = m;
  const off = pooled(s.index, 'coverOff', 'i32', ev.units + 1);
  const triple = pooledTriple(s.index, 'cover', m);
  const cand = triple.a.subarray(0, m);
  const units = triple.b.subarray(0, m);
  const dist = triple.c.subarray(0, m);
  const unitDist = pooled(s.index, 'coverUnitDist', 'u8', m);
  const fill = pooled(s.index, 'coverFill', 'i32', C);
  fill.set(unitOff.subarray(0, C));
  const { walkOff, walkCand, walkDist } = ev;
  let j = 0;
  for (let u = 0; u < ev.units; u++) {
    off[u] = j;
    const end = walkOff[u + 1]!;
    for (let i = walkOff[u]!; i < end; i++) {
      const c = walkCand[i]!;
      if (isRep[c] === 1) {
        cand[j] = c;
        dist[j] = walkDist[i]!;
        j++;
        unitDist[fill[c]!] = walkDist[i]!;
        units[fill[c]!++] = u;
      }
    }
  }
  off[ev.units] = j;
  return { walks: { off, cand, dist, unitOff, units, unitDist }, reps };
}
