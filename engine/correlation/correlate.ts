/**
 * Correlation → problem identification (DESIGN.md): ranks candidate root-cause CIs for a set of
 * incidents and groups the incidents by their best explanation. A pure function over the impact
 * index (or the mirror graph, indexed on the fly) — no store, no clock.
 *
 * Direction: candidates are found walking 'providers' (the index's `prov*` CSR) from each incident
 * CI; specificity walks 'dependents' (`dep*`, see reach.ts). Only propagating relationship types
 * count, as in the impact engine.
 *
 * 1. Incidents are sorted by open time and cut into time clusters wherever two consecutive ones are
 *    more than `window` apart; clusters are correlated independently.
 * 2. Every distinct incident CI ("unit") gets one bounded breadth-first walk upward (`maxDepth`
 *    hops, `maxWalk` nodes): each node reached is a candidate that explains that unit, at that
 *    distance (evidence.ts: flat walks with parent entries, each entry folded into its candidate's
 *    sums as it is read — there is no candidate → units transpose of the full walks; 10,000
 *    incidents on a 1M-CI graph: ~27M entries).
 * 3. Each candidate is scored by folding the signal processors of signals/ (coverage, specificity,
 *    distance, own incident, recent change, time order) over additive tallies of its units: a
 *    log-likelihood ratio in nats plus priors (cover.ts).
 * 4. Greedy cover, lazily evaluated (scores only fall as incidents get explained), over one
 *    representative per equal-coverage class: take the best candidate explaining ≥ 2 incident CIs
 *    (or one, with a recent change on it) whose score pays for choosing one CI among n (ln n nats);
 *    its incidents form a group; repeat (cover.ts).
 * 5. Incidents the cover left out join a group they are linked to, or form groups of linked
 *    incidents, or groups of one (assemble.ts): every incident with a known CI ends in one group.
 * 6. Each group's candidates are re-scored on the group's incidents alone; the top ones are
 *    reported with their factors and evidence paths (rank.ts); each group gets a confidence and
 *    groups are ordered by it (assemble.ts).
 *
 * Observed alerts (`observedBy`, "A's calls to B got slow"): the observer joins B's walk at one hop,
 * B joins A's, and B's own-incident credit shrinks when A saw other callees slow (observed.ts).
 *
 * Chronic noise: `history` (past incidents) gives each CI the share of `window`-long windows in
 * which it alerted; an incident CI's weight as evidence and as a candidate falls with it
 * (signals/chronic-noise.ts). Nothing is configured per CI.
 *
 * Determinism: every order is by score, then CI id (code-unit order), then incident id.
 */
import { InputError } from '../errors.ts';
import { indexFor, type ImpactIndex } from '../impact/index.ts';
import { parseDuration, toMillis } from './duration.ts';
import { cmp, compactWalks, coverBuffers, greedyCover, reachLowerBounds, Tally, type Chosen, type Settings, type Walks } from './cover.ts';
import { assembleCluster } from './assemble.ts';
import { alertWindows, learnHistory } from './history.ts';
import { gatherEvidence, type Inc } from './evidence.ts';
import { readPairs } from './observed.ts';
import { DEFAULT_REACH_CAP, reachMemo, refinedBounds } from './reach.ts';
import { alertReachLowerBounds, alertReachMemo, hasAbsorbingGroups } from './alert-reach.ts';
import { chanceRate } from './signals/index.ts';
import {
  DEFAULT_WEIGHTS,
  INCIDENT_SIGNALS,
  type CorrelateOptions,
  type CorrelationIncident,
  type CorrelationResult,
  type IncidentSignal,
} from './types.ts';

export { cmp };

const MINUTE = 60_000;

export function correlate(source: ImpactIndex, incidents: readonly CorrelationIncident[], options: CorrelateOptions): CorrelationResult {
  const index = indexFor(source, options.registry, 'correlate');
  const window = parseDuration(options.window ?? '30m', 'correlate: window');
  const changeLookback = parseDuration(options.changeLookback ?? '2h', 'correlate: changeLookback');
  const maxDepth = options.maxDepth ?? 16;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 64)
    throw new InputError(`correlate: maxDepth ${maxDepth} must be an integer in 1..64`);
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  const settings: Settings = {
    index,
    maxDepth,
    maxWalk: Math.max(16, options.maxWalk ?? 4096),
    top: Math.max(1, options.topCandidates ?? 5),
    maxPaths: Math.max(0, options.maxPaths ?? 10),
    ctx: {
      weights,
      changeLookback,
      changeGrace: 5 * MINUTE,
      noiseRate: Math.min(0.5, Math.max(1e-12, options.noiseRate ?? 1e-4)),
      backgroundShare: Math.min(1, Math.max(0, options.backgroundShare ?? 0.25)),
    },
    coverCtx: undefined as unknown as Settings['coverCtx'],
    changesByNode: new Map(),
    cost: Math.log(Math.max(index.n, 2)),
    memo: reachMemo(index, maxDepth),
    lower: refinedBounds(index, maxDepth),
    buffers: coverBuffers(index),
    alert: hasAbsorbingGroups(index)
      ? { memo: alertReachMemo(index, maxDepth, DEFAULT_REACH_CAP), lower: alertReachLowerBounds(index, maxDepth) }
      : undefined,
    history: learnHistory(index.idToIndex, options.history ?? [], window),
  };
  settings.coverCtx = { ...settings.ctx, weights: { ...weights, naturalRoot: 0 } };
  for (const c of options.changes ?? []) {
    const at = toMillis(c.implementedAt, `correlate: change "${c.id}" implementedAt`);
    for (const ci of c.cis) {
      const v = index.idToIndex.get(ci);
      if (v === undefined) continue;
      let list = settings.changesByNode.get(v);
      if (!list) settings.changesByNode.set(v, (list = []));
      list.push({ id: c.id, at });
    }
  }
  for (const list of settings.changesByNode.values()) list.sort((a, b) => a.at - b.at || cmp(a.id, b.id));

  const seenIds = new Set<string>();
  const known: Inc[] = [];
  const unknownCis: string[] = [];
  for (const inc of incidents) {
    if (seenIds.has(inc.id)) throw new InputError(`correlate: incident "${inc.id}" given twice`, { id: inc.id });
    seenIds.add(inc.id);
    const t = toMillis(inc.openedAt, `correlate: incident "${inc.id}" openedAt`);
    const strength = strengthOf(inc);
    const nodes = [...new Set(inc.cis)].map((ci) => index.idToIndex.get(ci)).filter((v): v is number => v !== undefined);
    const observers = observersOf(inc, index.idToIndex);
    if (nodes.length === 0) unknownCis.push(inc.id);
    else known.push({ id: inc.id, nodes, t, strength, signal: inc.signal, observers });
  }
  known.sort((a, b) => a.t - b.t || cmp(a.id, b.id));

  const result: CorrelationResult = {
    groups: [],
    unexplained: [],
    unknownCis: unknownCis.sort(cmp),
    stats: { incidents: incidents.length, timeClusters: 0, candidates: 0, walkEntries: 0, coverEntries: 0, evaluated: 0, reachWalks: 0 },
  };
  let start = 0;
  for (let i = 1; i <= known.length; i++) {
    if (i === known.length || known[i]!.t - known[i - 1]!.t > window) {
      result.stats.timeClusters++;
      correlateCluster(settings, known.slice(start, i), result);
      start = i;
    }
  }
  // Groups of every time cluster by confidence, then size, then time: deterministic.
  const first = (g: CorrelationResult['groups'][number]) => g.incidents[0]!;
  result.groups.sort(
    (a, b) => b.confidence - a.confidence || b.incidents.length - a.incidents.length || cmp(a.start, b.start) || cmp(first(a), first(b)),
  );
  result.unexplained = [...result.unknownCis];
  return result;
}

/** Per signal, how much an alert of that kind says its own CI is the one failing (saturation and availability are causes; latency travels up to callers). */
const SIGNAL_STRENGTH: Record<IncidentSignal, number> = { availability: 1, saturation: 0.8, errors: 0.6, latency: 0.3 };

/**
 * The incident's strength in [0, 1], the mean of what it carries: severity (1 → 1 … 4 → 0), its
 * signal's strength, and 1 − e^(−score/6) of its anomaly score (a z-score of 3 → 0.39, 12 → 0.86);
 * NaN when it carries none (then it weighs as incidents always did).
 */
export function strengthOf(inc: CorrelationIncident): number {
  const parts: number[] = [];
  const what = `correlate: incident "${inc.id}"`;
  if (inc.severity !== undefined) {
    if (!Number.isInteger(inc.severity) || inc.severity < 1 || inc.severity > 4)
      throw new InputError(`${what} severity ${String(inc.severity)} must be an integer in 1..4`, { id: inc.id });
    parts.push((4 - inc.severity) / 3);
  }
  if (inc.signal !== undefined) {
    if (!INCIDENT_SIGNALS.includes(inc.signal))
      throw new InputError(`${what} signal "${String(inc.signal)}" must be one of ${INCIDENT_SIGNALS.join(', ')}`, { id: inc.id });
    parts.push(SIGNAL_STRENGTH[inc.signal]);
  }
  if (inc.anomalyScore !== undefined) {
    if (typeof inc.anomalyScore !== 'number' || !Number.isFinite(inc.anomalyScore) || inc.anomalyScore < 0)
      throw new InputError(`${what} anomalyScore ${String(inc.anomalyScore)} must be a finite number ≥ 0`, { id: inc.id });
    parts.push(1 - Math.exp(-inc.anomalyScore / 6));
  }
  return parts.length === 0 ? Number.NaN : parts.reduce((a, b) => a + b, 0) / parts.length;
}

/**
 * The nodes of an incident's observers (`observedBy`): CIs unknown to the graph are left out (an
 * observer outside the CMDB explains nothing in it); an observer among the incident's own CIs is
 * a contradiction ("B's calls to B got slow") and refused.
 */
function observersOf(inc: CorrelationIncident, idToIndex: ReadonlyMap<string, number>): number[] {
  if (inc.observedBy === undefined || inc.observedBy.length === 0) return [];
  const out: number[] = [];
  for (const ci of new Set(inc.observedBy)) {
    if (inc.cis.includes(ci))
      throw new InputError(`correlate: incident "${inc.id}" observedBy "${ci}" is one of its own CIs`, { id: inc.id, observedBy: ci });
    const v = idToIndex.get(ci);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/**
 * An incident CI's weight as evidence, ln(1/max(c, q)) / ln(1/c): c the cluster's chance rate
 * (signals/coverage.ts), q its alert rate in the history (windows with an alert / (windows + 1)).
 */
function unitWeight(s: Settings, node: number, units: number, signal: string | undefined, observers: readonly number[]): number {
  const a = alertWindows(s.history, node, signal, observers);
  if (a === 0) return 1;
  const c = chanceRate(s.index.n, units / s.index.n, s.ctx);
  const q = a / (s.history.buckets + 1);
  return q <= c ? 1 : Math.max(1e-3, Math.log(q) / Math.log(c));
}

function correlateCluster(s: Settings, incs: readonly Inc[], out: CorrelationResult): void {
  const ev = gatherEvidence(
    s.index,
    incs,
    s.maxDepth,
    s.maxWalk,
    s.changesByNode.keys(),
    (v, units, signal, observers) => unitWeight(s, v, units, signal, observers),
    readPairs(incs),
  );
  const C = ev.candNode.length;
  out.stats.candidates += C;
  out.stats.walkEntries += ev.walkCand.length;
  const full: Walks = { off: ev.walkOff, cand: ev.walkCand, dist: ev.walkDist };
  const { walks, reps } = compactWalks(s, ev, reachLowerBounds(s.index, s.maxDepth));
  out.stats.coverEntries += walks.cand.length;
  const base = Tally.full(s.index, 'base', walks, ev, incs.length);
  const sandbox = new Tally(s.index, 'split', walks, ev.units, incs.length, C, true);
  // Two greedy orders, keeping the partition with the larger total gain Σ(score − ln n): by gain
  // per explained CI (keeps hubs from swallowing many tight faults) and by total score with the
  // split test (keeps one fault's alerts together when a symptom CI alerted too).
  const byDensity = new Tally(s.index, 'density', walks, ev.units, incs.length, C, false, base);
  const a = greedyCover(s, ev, walks, incs, byDensity, reps, 'density', out);
  const byScore = new Tally(s.index, 'score', walks, ev.units, incs.length, C, false, base);
  const b = greedyCover(s, ev, walks, incs, byScore, reps, 'score', out, sandbox);
  const gain = (xs: Chosen[]) => xs.reduce((t, x) => t + x.score - s.cost, 0);
  const [chosen, final] = gain(b) > gain(a) + 1e-9 ? [b, byScore] : [a, byDensity];
  const report = new Tally(s.index, 'report', full, ev.units, incs.length, C, true);
  report.versioned = false;
  report.forReport = true;
  report.transpose = walks;
  assembleCluster(s, ev, incs, chosen, final.incidentActive, report, out);
}
