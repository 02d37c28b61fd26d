/**
 * `npm run bench -- correlation … --diagnose`: for every single fault whose root is not among the
 * first three candidates of the group holding most of its incidents, one line saying why — the
 * classification the issue-13 miss analysis uses (bench/README.md):
 *   - `unreachable`: on the CMDB correlation is given (the realistic generator drops edges), fewer
 *     than two of the fault's incident CIs other than the root have it among their providers, so no
 *     walk can make it explain them together;
 *   - `split`: the fault's incidents are spread over several groups (the cover or the assembly did
 *     not keep them together), with how many of those groups hold one of its incidents alone;
 *   - `not-candidate`: they are together but the root is not among the group's candidates (asked
 *     again with 1,000 candidates per group);
 *   - `rank N`: the root is a candidate ranked N (≥ 4).
 * Each line also says whether the root alerted, its class, the fault's incident CIs (with how many
 * hops below the root they are on the given CMDB, `-` when they do not reach it) and the group's
 * three leading candidates. Kept as a flag, not a throwaway, so that every attempt on the realistic
 * bench can be read the same way. The diagnosis never feeds the method.
 *
 * The **oracle** (realistic generator only) is what a method that knew the generator's model and
 * which incidents belong to the fault could reach: every CI the generator could have failed (a
 * monitored production CI with dependents) whose blast radius on the true graph holds all the
 * fault's alerting CIs is scored by the generator's own likelihood — the root alerts with 2/3; a
 * load balancer within two hops alerts with 0.7; each other symptom is drawn with weight 1/depth
 * among the monitored CIs of the blast radius that can alert (by default, `--degraded-alerts
 * direct`, the down ones and those that lost a direct provider: a CI degraded only transitively is
 * outside what the root can explain) — and the root's chance to be among the first one or
 * three is counted with ties broken at random. It bounds what any correlation can score on these
 * cases, up to two approximations of that likelihood (symptoms drawn with replacement; with
 * `--degraded-weight`, the thinning of degraded draws taken as a factor on each): a silent PDU whose symptoms are three random pods of a Kubernetes cluster it feeds through
 * redundancy has the same likelihood as every PDU and switch of that cluster.
 */
import { correlate, reachOf, type CorrelationResult } from '../engine/correlation/index.ts';
import { computeImpact, DOWN, typeMask, type ImpactIndex } from '../engine/impact/index.ts';
import type { Registry } from '../engine/model/registry.ts';

// A type-only import: erased at run time, so the bench importing this module makes no cycle.
import type { Case, Fault } from './correlation.ts';
import { impactKinds, type DegradedAlerts } from './correlation-alerting.ts';

/** The realistic generator's alerting knobs the oracle must model (bench/correlation.ts `--degraded-weight`, `--degraded-alerts`). */
export interface AlertModel {
  degradedWeight: number;
  degradedAlerts: DegradedAlerts;
}

const DEFAULT_MODEL: AlertModel = { degradedWeight: 1, degradedAlerts: 'direct' };

export type MissKind = 'unreachable' | 'split' | 'not-candidate' | 'rank';

export interface Miss {
  graph: string;
  root: string;
  rootClass: string;
  ownAlert: boolean;
  kind: MissKind;
  /** Rank of the root among its group's candidates (1-based), or 0 when it is not one. */
  rank: number;
  /** Groups holding the fault's incidents. */
  groups: number;
  /** Of those, groups of one of the fault's incidents and nothing else (a split miss's symptoms left alone). */
  lone: number;
  /** The fault's incident CIs with their hop count below the root on the given CMDB (−1: not reached). */
  symptoms: { ci: string; hops: number }[];
  /** Leading candidates of the group holding most of the fault's incidents. */
  leaders: string[];
  groupSize: number;
  /** The oracle's chance of having the root in its top 3 (realistic cases only), see `Oracle`. */
  oracleTop3?: number;
}

/** Hops from `from` up to `to` through providers (breadth-first, at most `maxDepth`), or −1. */
function hopsUp(index: ImpactIndex, from: number, to: number, maxDepth = 16): number {
  if (from === to) return 0;
  const seen = new Set([from]);
  let frontier = [from];
  for (let d = 1; d <= maxDepth && frontier.length > 0; d++) {
    const next: number[] = [];
    for (const x of frontier)
      for (let e = index.provOffsets[x]!; e < index.provOffsets[x + 1]!; e++) {
        const y = index.provSource[e]!;
        if (y === to) return d;
        if (seen.has(y)) continue;
        seen.add(y);
        next.push(y);
      }
    frontier = next;
  }
  return -1;
}

function diagnoseFault(index: ImpactIndex, c: Case, f: Fault, result: CorrelationResult, wide: CorrelationResult): Miss | undefined {
  const mine = new Set(f.incidents);
  const holding = result.groups.filter((g) => g.incidents.some((i) => mine.has(i)));
  let best = holding[0];
  for (const g of holding) if (g.incidents.filter((i) => mine.has(i)).length > best!.incidents.filter((i) => mine.has(i)).length) best = g;
  if (best === undefined) return undefined;
  const rank = best.candidates.findIndex((x) => x.id === f.ci) + 1;
  if (rank >= 1 && rank <= 3) return undefined;
  // The same group in the wide answer (same grouping: only the number of candidates differs).
  const key = best.incidents.join('\n');
  const wideGroup = wide.groups.find((g) => g.incidents.join('\n') === key);
  const wideRank = wideGroup ? wideGroup.candidates.findIndex((x) => x.id === f.ci) + 1 : 0;
  const root = index.idToIndex.get(f.ci)!;
  const byId = new Map(c.incidents.map((i) => [i.id, i]));
  const symptoms = f.incidents.map((id) => {
    const ci = byId.get(id)!.cis[0]!;
    return { ci, hops: hopsUp(index, index.idToIndex.get(ci)!, root) };
  });
  const reaching = symptoms.filter((x) => x.hops > 0).length;
  const kind: MissKind =
    reaching < 2 && !f.ownAlert ? 'unreachable' : holding.length > 1 ? 'split' : wideRank === 0 ? 'not-candidate' : 'rank';
  return {
    graph: c.graph,
    root: f.ci,
    rootClass: index.attrs[root]!.class,
    ownAlert: f.ownAlert,
    kind,
    rank: wideRank,
    groups: holding.length,
    lone: holding.filter((g) => g.incidents.length === 1).length,
    symptoms,
    leaders: best.candidates.slice(0, 3).map((x) => x.id),
    groupSize: best.incidents.length,
  };
}

/** Diagnoses every single-fault miss of `cases` (top-3 of the group holding most of the fault's incidents). */
export function diagnoseCases(
  registry: Registry,
  indexes: Map<string, ImpactIndex>,
  cases: readonly Case[],
  trueIndexOf?: (graph: string) => ImpactIndex,
  monitored: ReadonlySet<string> = new Set(),
  model: AlertModel = DEFAULT_MODEL,
): Miss[] {
  const misses: Miss[] = [];
  const oracles = new Map<ImpactIndex, Oracle>();
  for (const c of cases) {
    if (c.faults.length !== 1) continue;
    const index = indexes.get(c.graph)!;
    const options = { registry, window: '30m', changes: c.changes, ...(c.history && { history: c.history }) };
    const result = correlate(index, c.incidents, options);
    const f = c.faults[0]!;
    const rank = (() => {
      const mine = new Set(f.incidents);
      let best: { overlap: number; ids: string[] } = { overlap: 0, ids: [] };
      for (const g of result.groups) {
        const overlap = g.incidents.filter((i) => mine.has(i)).length;
        if (overlap > best.overlap) best = { overlap, ids: g.candidates.map((x) => x.id) };
      }
      return best.ids.indexOf(f.ci) + 1;
    })();
    if (rank >= 1 && rank <= 3) continue;
    const wide = correlate(index, c.incidents, { ...options, topCandidates: 1000 });
    const m = diagnoseFault(index, c, f, result, wide);
    if (m && trueIndexOf) {
      const t = trueIndexOf(c.graph);
      let o = oracles.get(t);
      if (!o) oracles.set(t, (o = new Oracle(t, monitored, model)));
      const byId = new Map(c.incidents.map((i) => [i.id, i]));
      m.oracleTop3 = o.rank(t.idToIndex.get(f.ci)!, [...new Set(f.incidents.map((id) => t.idToIndex.get(byId.get(id)!.cis[0]!)!))]).top3;
    }
    if (m) misses.push(m);
  }
  return misses;
}

export function printDiagnosis(name: string, misses: readonly Miss[]): void {
  const count = (k: MissKind) => misses.filter((m) => m.kind === k).length;
  const oracle = misses.filter((m) => m.oracleTop3 !== undefined);
  const splits = misses.filter((m) => m.kind === 'split');
  console.log(
    `diagnosis, ${name}: ${misses.length} single-fault misses at top-3 — unreachable ${count('unreachable')}, split ${count('split')} (${splits.filter((m) => m.lone > 0).length} with a symptom left alone in a group of one), not a candidate ${count('not-candidate')}, ranked ≥ 4 ${count('rank')}; root silent in ${misses.filter((m) => !m.ownAlert).length}${oracle.length ? `; the oracle would have had ${oracle.reduce((t, m) => t + m.oracleTop3!, 0).toFixed(1)} of them in its top 3` : ''}`,
  );
  for (const m of misses) {
    const why = m.kind === 'rank' ? `rank ${m.rank}` : m.kind === 'split' ? `split ${m.lone}/${m.groups} lone` : m.kind;
    const syms = m.symptoms.map((x) => `${x.ci}(${x.hops < 0 ? '-' : x.hops})`).join(' ');
    const oracle = m.oracleTop3 === undefined ? '' : ` oracle ${m.oracleTop3.toFixed(2)}`;
    console.log(
      `  ${why.padEnd(13)}${oracle} ${m.graph} root ${m.root} [${m.rootClass}${m.ownAlert ? ', alerted' : ', silent'}] in ${m.groups} group(s); group of ${m.groupSize}: ${m.leaders.join(', ')} | fault CIs: ${syms}`,
    );
  }
}

/** The generator's likelihood ranking of a single fault's root (see the header), as expected top-1 / top-3 hits. */
export class Oracle {
  private readonly blasts = new Map<
    number,
    { depth: Map<number, number>; weight: Map<number, number>; harmonic: number; lbs: number } | null
  >();
  private readonly ups = new Map<number, Set<number>>();
  private readonly mask: Uint8Array;
  /** `monitored`: the classes the generator raises alerts on (bench/correlation.ts `MONITORED`); `model`: its alerting knobs. */
  constructor(
    private readonly index: ImpactIndex,
    private readonly monitored: ReadonlySet<string>,
    private readonly model: AlertModel = DEFAULT_MODEL,
  ) {
    this.mask = typeMask(index, undefined, 'bench');
  }

  private up(v: number): Set<number> {
    let s = this.ups.get(v);
    if (s) return s;
    s = new Set([v]);
    const q = [v];
    for (let i = 0; i < q.length; i++)
      for (let e = this.index.provOffsets[q[i]!]!; e < this.index.provOffsets[q[i]! + 1]!; e++) {
        const y = this.index.provSource[e]!;
        if (!s.has(y)) {
          s.add(y);
          q.push(y);
        }
      }
    this.ups.set(v, s);
    return s;
  }

  private blast(x: number) {
    if (this.blasts.has(x)) return this.blasts.get(x)!;
    const a = this.index.attrs[x]!;
    const eligible =
      this.monitored.has(a.class) &&
      a.environment === 'production' &&
      this.index.depOffsets[x + 1]! > this.index.depOffsets[x]! &&
      reachOf(this.index, x, 8, 200) > 3;
    let b: { depth: Map<number, number>; weight: Map<number, number>; harmonic: number; lbs: number } | null = null;
    if (eligible) {
      const core = computeImpact(this.index, [{ node: x, effect: 'down' }], this.mask);
      const kinds = this.model.degradedAlerts === 'direct' ? impactKinds(this.index, core, this.mask) : undefined;
      const depth = new Map<number, number>();
      const weight = new Map<number, number>();
      let harmonic = 0;
      let lbs = 0;
      for (let p = core.originCount; p < core.size; p++) {
        const v = core.order[p]!;
        const d = core.depth[p]!;
        // A transitively degraded CI never alerts (`direct`): not in the blast radius as far as alerts go.
        if (kinds !== undefined && kinds[p] === 0) continue;
        depth.set(v, d);
        const cls = this.index.attrs[v]!.class;
        if (cls === 'LoadBalancer' && d <= 2) lbs++;
        else if (this.monitored.has(cls)) {
          // Drawn with weight 1/d; a degraded CI drawn then alerts with `degradedWeight` (approximated
          // as a factor on its draw: the dropped draws are not modelled).
          weight.set(v, (core.state[p] === DOWN ? 1 : this.model.degradedWeight) / d);
          harmonic += 1 / d;
        }
      }
      b = { depth, weight, harmonic, lbs };
    }
    this.blasts.set(x, b);
    return b;
  }

  /** ln P(alerts | x failed) under the generator, or −∞. */
  private logLikelihood(x: number, alerts: readonly number[]): number {
    const b = this.blast(x);
    if (b === null) return Number.NEGATIVE_INFINITY;
    let ll = Math.log(alerts.includes(x) ? 2 / 3 : 1 / 3);
    let lbSeen = false;
    for (const v of alerts) {
      if (v === x) continue;
      const d = b.depth.get(v);
      if (d === undefined) return Number.NEGATIVE_INFINITY;
      if (this.index.attrs[v]!.class === 'LoadBalancer' && d <= 2 && !lbSeen) {
        lbSeen = true;
        ll += Math.log(0.7 / b.lbs);
      } else ll += Math.log((b.weight.get(v) ?? 0) / b.harmonic);
    }
    if (b.lbs > 0 && !lbSeen) ll += Math.log(0.3);
    return ll;
  }

  /** Expected top-1 and top-3 hits of the root among every CI explaining all of `alerts` (ties at random). */
  rank(root: number, alerts: readonly number[]): { top1: number; top3: number } {
    let cands: Set<number> | undefined;
    for (const v of alerts) {
      const u = this.up(v);
      // x explains v when v is x itself or x is above v: candidates are in every closure.
      cands = cands === undefined ? new Set(u) : new Set([...cands].filter((x) => u.has(x)));
    }
    const mine = this.logLikelihood(root, alerts);
    if (mine === Number.NEGATIVE_INFINITY) return { top1: 0, top3: 0 };
    let better = 0;
    let tied = 0;
    for (const x of cands ?? []) {
      if (x === root) continue;
      const ll = this.logLikelihood(x, alerts);
      if (ll > mine + 1e-9) better++;
      else if (Math.abs(ll - mine) <= 1e-9) tied++;
    }
    const within = (k: number) => (better >= k ? 0 : Math.min(1, (k - better) / (tied + 1)));
    return { top1: within(1), top3: within(3) };
  }
}

/** The oracle's expected top-1 / top-3 over the single faults of `cases` (`trueIndexOf`: the graph faults propagated on). */
export function oracleAccuracy(
  cases: readonly Case[],
  trueIndexOf: (graph: string) => ImpactIndex,
  monitored: ReadonlySet<string>,
  model: AlertModel = DEFAULT_MODEL,
): { faults: number; top1: number; top3: number } {
  const oracles = new Map<ImpactIndex, Oracle>();
  let faults = 0;
  let top1 = 0;
  let top3 = 0;
  for (const c of cases) {
    if (c.faults.length !== 1) continue;
    const f = c.faults[0]!;
    const index = trueIndexOf(c.graph);
    let o = oracles.get(index);
    if (!o) oracles.set(index, (o = new Oracle(index, monitored, model)));
    const byId = new Map(c.incidents.map((i) => [i.id, i]));
    const alerts = [...new Set(f.incidents.map((id) => index.idToIndex.get(byId.get(id)!.cis[0]!)!))];
    const r = o.rank(index.idToIndex.get(f.ci)!, alerts);
    faults++;
    top1 += r.top1;
    top3 += r.top3;
  }
  return { faults, top1: faults ? top1 / faults : 0, top3: faults ? top3 / faults : 0 };
}
