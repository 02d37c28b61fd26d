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
 *    distance (evidence.ts: flat walks with parent entries, and the candidate → units CSR; 10,000
 *    incidents on a 1M-CI graph: ~27M entries).
 * 3. Each candidate is scored by folding the signal processors of signals/ (coverage, specificity,
 *    distance, own incident, recent change, time order) over additive tallies of its units: a
 *    log-likelihood ratio in nats plus priors (cover.ts).
 * 4. Greedy cover, lazily evaluated (scores only fall as incidents get explained), over one
 *    representative per equal-coverage class: take the best candidate explaining ≥ 2 incident CIs
 *    (or one, with a recent change on it) whose score pays for choosing one CI among n (ln n nats);
 *    its incidents form a group; repeat (cover.ts).
 * 5. Each group's candidates are re-scored on the group's incidents alone; the top ones are
 *    reported with their factors and evidence paths (rank.ts).
 *
 * Determinism: every order is by score, then CI id (code-unit order), then incident id.
 */
import { InputError } from '../errors.ts';
import { indexFor, type ImpactIndex } from '../impact/index.ts';
import { parseDuration, toMillis } from './duration.ts';
import { cmp, compactWalks, greedyCover, reachLowerBounds, Tally, type Chosen, type Settings, type Walks } from './cover.ts';
import { gatherEvidence, type Inc } from './evidence.ts';
import { rankGroup } from './rank.ts';
import { reachMemo, refinedBounds } from './reach.ts';
import { DEFAULT_WEIGHTS, type CorrelateOptions, type CorrelationIncident, type CorrelationResult } from './types.ts';

export { cmp };

const MINUTE = 60_000;

export function correlate(source: ImpactIndex, incidents: readonly CorrelationIncident[], options: CorrelateOptions): CorrelationResult {
  const index = indexFor(source, options.registry, 'correlate');
  const window = parseDuration(options.window ?? '30m', 'correlate: window');
  const changeLookback = parseDuration(options.changeLookback ?? '2h', 'correlate: changeLookback');
  const maxDepth = options.maxDepth ?? 16;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > 64) throw new InputError(`correlate: maxDepth ${maxDepth} must be an integer in 1..64`);
  const settings: Settings = {
    index,
    maxDepth,
    maxWalk: Math.max(16, options.maxWalk ?? 4096),
    top: Math.max(1, options.topCandidates ?? 5),
    maxPaths: Math.max(0, options.maxPaths ?? 10),
    ctx: { weights: { ...DEFAULT_WEIGHTS, ...options.weights }, changeLookback, changeGrace: 5 * MINUTE, noiseRate: Math.min(0.5, Math.max(1e-12, options.noiseRate ?? 1e-4)), backgroundShare: Math.min(1, Math.max(0, options.backgroundShare ?? 0.25)) },
    changesByNode: new Map(),
    cost: Math.log(Math.max(index.n, 2)),
    memo: reachMemo(index, maxDepth),
    lower: refinedBounds(index, maxDepth),
  };
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
    const nodes = [...new Set(inc.cis)].map((ci) => index.idToIndex.get(ci)).filter((v): v is number => v !== undefined);
    if (nodes.length === 0) unknownCis.push(inc.id);
    else known.push({ id: inc.id, nodes, t });
  }
  known.sort((a, b) => a.t - b.t || cmp(a.id, b.id));

  const result: CorrelationResult = { groups: [], unexplained: [], unknownCis: unknownCis.sort(cmp), stats: { incidents: incidents.length, timeClusters: 0, candidates: 0, walkEntries: 0, coverEntries: 0, evaluated: 0, reachWalks: 0 } };
  let start = 0;
  for (let i = 1; i <= known.length; i++) {
    if (i === known.length || known[i]!.t - known[i - 1]!.t > window) {
      result.stats.timeClusters++;
      correlateCluster(settings, known.slice(start, i), result);
      start = i;
    }
  }
  result.unexplained.sort(cmp);
  return result;
}

function correlateCluster(s: Settings, incs: readonly Inc[], out: CorrelationResult): void {
  const ev = gatherEvidence(s.index, incs, s.maxDepth, s.maxWalk, s.changesByNode.keys());
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
  for (const g of chosen) out.groups.push(rankGroup(s, ev, incs, g.incidents, report, out));
  incs.forEach((inc, p) => {
    if (final.incidentActive[p] === 1) out.unexplained.push(inc.id);
  });
}
