/**
 * Problem assembly: turns the greedy cover's groups of one time cluster into the answer, so that
 * every incident with a known CI is in exactly one group, every group has ranked candidates, and
 * groups come ordered by a confidence that they are a real problem.
 *
 * 1. The cover's groups (`shared_provider`) are kept as they are.
 * 2. An incident the cover left out joins a group it is linked to: first as a cause — its CI is a
 *    provider, at most `LINK` hops down, of an incident CI of the group (the failing service whose
 *    caller's incident the cover gave to an alerting sibling, a load balancer whose edge to the
 *    service the CMDB misses) — else as a symptom: its CI depends, within `LINK` hops, on one.
 * 3. The rest are linked with one another the same way (a caller and the service it calls:
 *    `linked`); what is linked to nothing is a group of its own (`single`).
 * 4. Each group is ranked (rank.ts), given its confidence, and flagged as ambiguous when its
 *    leading candidates cannot be told apart (see `ambiguityOf`).
 *
 * Confidence: each incident CI u alerts by chance with probability q_u — its alert rate in the
 * history smoothed toward the prior `PRIOR_CHANCE` (with `PRIOR_WINDOWS` pseudo-windows), at least
 * B/(B+1) where B is the estate's stray alerts per window in the history (a CI that never alerted
 * is still one of many that might; with one stray alert per window, a lone alert is a coin toss),
 * lowered when the incident is strong (severity, signal, anomaly score) — and the group is a real problem
 * unless all of them did. Chance alerts are not independent (flappers flap together, one noisy
 * dependency makes several callers noisy), so the i-th least likely chance counts with exponent
 * 1/i: confidence = 1 − Π q_(i)^(1/i). Ten chronic alerts (q 0.8) give 0.48, not the 0.89 of
 * independence; one alert on a CI that never alerts gives ~0.95. Measured in bench/README.md.
 */
import type { Evidence, Inc } from './evidence.ts';
import { cmp, type Chosen, type Settings, type Tally } from './cover.ts';
import { alertWindows } from './history.ts';
import { rankGroup, type RankedGroup } from './rank.ts';
import type { CorrelationGroup, CorrelationResult, GroupBasis } from './types.ts';

/** Hops between two incident CIs that still link their incidents (caller → service → database). */
const LINK = 3;
/** Dependents a cause-side link search visits at most (a hub's dependents are not worth scanning). */
const LINK_VISITS = 512;
/** Chance that an alert with no history behind it is spurious. */
export const PRIOR_CHANCE = 0.3;
/** Weight of the prior, in windows of history. */
export const PRIOR_WINDOWS = 3;
/** Score gap (nats) under which the two leading candidates are reported as ambiguous. */
const AMBIGUOUS_GAP = 0.5;

export function assembleCluster(
  s: Settings,
  ev: Evidence,
  incs: readonly Inc[],
  chosen: readonly Chosen[],
  left: Uint8Array,
  report: Tally,
  out: CorrelationResult,
): void {
  const U = ev.units;
  const groups: { members: number[]; basis: GroupBasis }[] = chosen.map((g) => ({ members: [...g.incidents], basis: 'shared_provider' }));
  const unitGroup = new Int32Array(U).fill(-1);
  const mark = (k: number, p: number) => {
    for (const v of incs[p]!.nodes) {
      const u = ev.unitIndex.get(v)!;
      if (unitGroup[u] === -1) unitGroup[u] = k;
    }
  };
  groups.forEach((g, k) => g.members.forEach((p) => mark(k, p)));

  const leftovers: number[] = [];
  incs.forEach((_, p) => {
    if (left[p] === 1) leftovers.push(p);
  });
  // 2. Attach to a cover group, cause side before symptom side, nearest first.
  const rest: number[] = [];
  for (const p of leftovers) {
    const k = linkedGroup(s, ev, incs[p]!, unitGroup);
    if (k >= 0) groups[k]!.members.push(p);
    else rest.push(p);
  }
  // Attached incidents do not mark their units: a group grows from the cover's incidents only, so
  // the order of the leftovers cannot chain unrelated ones into it.

  // 3. Union–find over the rest, linked the same way.
  const restUnit = new Int32Array(U).fill(-1);
  rest.forEach((p, i) => {
    for (const v of incs[p]!.nodes) {
      const u = ev.unitIndex.get(v)!;
      if (restUnit[u] === -1) restUnit[u] = i;
    }
  });
  const parent = rest.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  rest.forEach((p, i) => {
    for (const v of incs[p]!.nodes) {
      const u = ev.unitIndex.get(v)!;
      // Providers within LINK hops (the walk is breadth-first: stop at the first entry beyond).
      for (let e = ev.walkOff[u]! + 1; e < ev.walkOff[u + 1]! && ev.walkDist[e]! <= LINK; e++) {
        const w = ev.unitIndex.get(ev.candNode[ev.walkCand[e]!]!);
        if (w === undefined || restUnit[w] === -1) continue;
        const a = find(i);
        const b = find(restUnit[w]!);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
      // Another leftover incident on the same CI.
      if (restUnit[u] !== i) {
        const a = find(i);
        const b = find(restUnit[u]!);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const byRoot = new Map<number, number[]>();
  rest.forEach((p, i) => {
    const r = find(i);
    let list = byRoot.get(r);
    if (list === undefined) byRoot.set(r, (list = []));
    list.push(p);
  });
  for (const members of byRoot.values()) {
    const cis = new Set(members.flatMap((p) => incs[p]!.nodes));
    groups.push({ members, basis: cis.size === 1 ? 'single' : 'linked' });
  }

  for (const g of groups) {
    const ranked = rankGroup(s, ev, incs, g.members, report, out, g.basis);
    out.groups.push(finish(s, ev, incs, g.members, ranked));
  }
}

/** The cover group an incident links to (cause side first, nearest first, then lowest group number), or −1. */
function linkedGroup(s: Settings, ev: Evidence, inc: Inc, unitGroup: Int32Array): number {
  const { depOffsets, depTarget } = s.index;
  let best = -1;
  let bestD = Number.POSITIVE_INFINITY;
  // Cause side: dependents of the incident's CIs, breadth-first, up to LINK hops.
  for (const v of inc.nodes) {
    const seen = new Map<number, number>([[v, 0]]);
    let frontier = [v];
    for (let d = 1; d <= LINK && frontier.length > 0 && seen.size < LINK_VISITS; d++) {
      const next: number[] = [];
      for (const x of frontier) {
        for (let e = depOffsets[x]!; e < depOffsets[x + 1]! && seen.size < LINK_VISITS; e++) {
          const y = depTarget[e]!;
          if (seen.has(y)) continue;
          seen.set(y, d);
          next.push(y);
          const u = ev.unitIndex.get(y);
          const k = u === undefined ? -1 : unitGroup[u]!;
          if (k >= 0 && (d < bestD || (d === bestD && k < best))) {
            best = k;
            bestD = d;
          }
        }
      }
      frontier = next;
    }
  }
  if (best >= 0) return best;
  // Symptom side: providers of the incident's CIs, read off its walks.
  for (const v of inc.nodes) {
    const u = ev.unitIndex.get(v)!;
    for (let e = ev.walkOff[u]! + 1; e < ev.walkOff[u + 1]! && ev.walkDist[e]! <= LINK; e++) {
      const w = ev.unitIndex.get(ev.candNode[ev.walkCand[e]!]!);
      const k = w === undefined ? -1 : unitGroup[w]!;
      const d = ev.walkDist[e]!;
      if (k >= 0 && (d < bestD || (d === bestD && k < best))) {
        best = k;
        bestD = d;
      }
    }
  }
  return best;
}

/** Chance that incident CI `node` alerted by chance, given the strongest incident on it (`strength`, NaN if unknown) and its signal. */
export function chanceOfAlert(
  s: Settings,
  node: number,
  strength: number,
  signal: string | undefined,
  observers: readonly number[] = [],
): number {
  const a = alertWindows(s.history, node, signal, observers);
  const b = s.history.background;
  const q = Math.max((a + PRIOR_CHANCE * PRIOR_WINDOWS) / (s.history.buckets + PRIOR_WINDOWS), b / (b + 1));
  const scaled = Number.isNaN(strength) ? q : q * (1.4 - 0.8 * strength);
  return Math.min(0.999, Math.max(1e-4, scaled));
}

function finish(s: Settings, ev: Evidence, incs: readonly Inc[], members: readonly number[], g: RankedGroup): CorrelationGroup {
  const units = new Set<number>();
  for (const p of members) for (const v of incs[p]!.nodes) units.add(ev.unitIndex.get(v)!);
  // A unit's chance is its least chronic incident's (an error spike on a CI that flaps on latency).
  const qs = [...units]
    .map((u) =>
      Math.min(
        ...ev.unitIncidents[u]!.filter((p) => members.includes(p)).map((p) =>
          chanceOfAlert(s, ev.unitNode[u]!, ev.unitStrength[u]!, incs[p]!.signal, incs[p]!.observers),
        ),
      ),
    )
    .sort((a, b) => a - b);
  let allChance = 1;
  qs.forEach((q, i) => (allChance *= q ** (1 / (i + 1))));
  const group: CorrelationGroup = {
    incidents: g.incidents,
    start: g.start,
    end: g.end,
    confidence: Math.round((1 - allChance) * 1000) / 1000,
    basis: g.basis,
    candidates: g.candidates,
  };
  const ambiguity = ambiguityOf(g);
  if (ambiguity) group.ambiguity = ambiguity;
  return group;
}

/**
 * Two leading candidates the evidence cannot separate: scores within `AMBIGUOUS_GAP`, or both
 * alerting natural roots (no alerting provider of their own) explaining a common caller while
 * neither explains the other's incident — siblings of one caller with no edge between them, which
 * in a real CMDB is often a missing edge (a load balancer in front of the service).
 */
function ambiguityOf(g: RankedGroup): CorrelationGroup['ambiguity'] {
  const [a, ...others] = g.candidates;
  if (a === undefined || others.length === 0) return undefined;
  const isRoot = (c: typeof a) => c.factors.some((f) => f.signal === 'natural_root' && f.value === 1);
  const ownOf = (c: typeof a) => c.paths.find((p) => p.ci === c.id)?.incidents ?? [];
  if (isRoot(a)) {
    const aOwn = new Set(ownOf(a));
    for (const b of others) {
      if (!isRoot(b)) continue;
      const bOwn = new Set(ownOf(b));
      if (a.explains.some((i) => bOwn.has(i)) || b.explains.some((i) => aOwn.has(i))) continue;
      const shared = a.explains.filter((i) => !aOwn.has(i) && b.explains.includes(i) && !bOwn.has(i));
      if (shared.length === 0) continue;
      const callers = [...new Set(a.paths.filter((p) => p.incidents.some((i) => shared.includes(i))).map((p) => p.ci))].sort(cmp);
      return {
        candidates: [a.id, b.id],
        note: `${a.id} and ${b.id} both alerted with quiet providers and both explain ${callers.join(', ')}; no relationship links them, so either may be the cause (the CMDB may be missing an edge between them)`,
      };
    }
  }
  const close = g.candidates.filter((c) => a.score - c.score <= AMBIGUOUS_GAP);
  if (close.length >= 2)
    return {
      candidates: close.map((c) => c.id),
      note: `${close.map((c) => c.id).join(', ')} explain the group within ${AMBIGUOUS_GAP} nats of each other: the evidence does not separate them`,
    };
  return tiedReplicas(g);
}

/**
 * Replicas that tie below the leader: reported candidates of one class explaining the same
 * incidents with the same score (pod-catalog-cache-0/1/2 behind one cache service). Nothing in the
 * evidence tells them apart, so their order is only their ids: said, not hidden. They stay separate
 * entries (an SRE checks each), so a flattened top-k still counts them one by one.
 */
function tiedReplicas(g: RankedGroup): CorrelationGroup['ambiguity'] {
  type C = RankedGroup['candidates'][number];
  // Compared field by field: a group's candidates may each explain thousands of incidents.
  const same = (a: C, b: C) =>
    a.class === b.class &&
    a.score === b.score &&
    a.explains.length === b.explains.length &&
    a.explains.every((x, i) => x === b.explains[i]);
  // A tie reaching into the first three (what an SRE reads first); deeper ties are left unsaid.
  for (let i = 1; i < Math.min(3, g.candidates.length); i++) {
    const tied = g.candidates.filter((c) => same(c, g.candidates[i]!));
    if (tied.length < 2) continue;
    const ids = tied.map((c) => c.id);
    return {
      candidates: ids,
      note: `${ids.join(', ')} explain the same incidents with the same evidence (replicas of one ${tied[0]!.class}): nothing tells them apart, they are listed in id order`,
    };
  }
  return undefined;
}
