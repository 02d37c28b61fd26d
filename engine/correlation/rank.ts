/**
 * The report of one group: every candidate reached by the group's incident CIs is re-scored on the
 * group alone (a sandbox tally filled from the group's walks), the top ones are returned with their
 * factors, the incidents they explain and evidence paths read back from the walks' parent entries.
 * Candidates are the providers explaining at least half of the group and the group's own incident
 * CIs (an alerting CI is always a candidate of its group); a single incident's are its CI and the
 * providers up to two hops above it (the rest could only explain it less specifically).
 * Confidence, ambiguity and the order of groups are assemble.ts's.
 */
import { pooled, W, type Evidence, type Inc } from './evidence.ts';
import { cmp, coveredUnits, entryOf, evaluate, score, type Evaluation, type Settings, type Tally } from './cover.ts';
import { OBSERVED_CALL } from './observed.ts';
import type { CorrelationResult, EvidencePath, EvidenceStep, Factor, GroupBasis, RankedCandidate } from './types.ts';

/** Hops above a single incident's CI its candidates may be. */
const SINGLE_REACH = 2;

export interface RankedGroup {
  incidents: string[];
  start: string;
  end: string;
  basis: GroupBasis;
  candidates: RankedCandidate[];
}

export function rankGroup(
  s: Settings,
  ev: Evidence,
  incs: readonly Inc[],
  members: readonly number[],
  sandbox: Tally,
  out: CorrelationResult,
  basis: GroupBasis,
): RankedGroup {
  const { index } = s;
  const ids = index.nodeIds;
  const { active } = sandbox;
  const units: number[] = [];
  for (const p of members) {
    for (const v of incs[p]!.nodes) {
      const u = ev.unitIndex.get(v)!;
      if (active[u] === 0) units.push(u);
      active[u] = active[u]! + 1;
    }
  }
  // By subtraction from the cluster's sums when the group holds most of the cluster (cover.ts).
  sandbox.fill(ev, units, { acc: ev.sums, active: undefined, entries: ev.walkOff[ev.units]!, reps: undefined });
  // On an estate with redundancy: which of them each candidate's failure could make alert (alert-reach.ts).
  sandbox.countAlertable(s, ev, units);
  // Alternatives must explain at least half the group (and two incident CIs when it has several).
  const need = units.length === 1 ? 1 : Math.max(2, Math.ceil(units.length / 2));
  // Scores with a reach lower bound are upper bounds (cover.ts): taken best-first from a heap, a
  // bound is made exact and put back until the first `top` are exact — the rest never pay for
  // their reach walk (a group under a Kubernetes cluster has hundreds of equal-coverage nodes).
  // Scores only (no factors) for the ~500k candidates of a 10k-incident call; the reported ones
  // are evaluated in full at the end.
  const before = (a: number, b: number) =>
    // Stryker disable next-line EqualityOperator: two candidates are two CIs, their ids never compare equal
    keys[a]! > keys[b]! || (keys[a] === keys[b] && cmp(ids[ev.candNode[a]!]!, ids[ev.candNode[b]!]!) < 0);
  const heap: number[] = [];
  // Stryker disable next-line StringLiteral: a pool name is only a distinct key, and an unknown kind is f64
  const keys = pooled(index, 'rankKeys', 'f64', ev.candNode.length);
  // Stryker disable next-line StringLiteral: as above (0/1 flags fit an f64 as well)
  const exact = pooled(index, 'rankExact', 'u8', ev.candNode.length);
  const lone = units.length === 1;
  for (const c of sandbox.touched!) {
    const own = ev.candOwnUnit[c]!;
    if (sandbox.k(c) < need && !(own >= 0 && active[own]! > 0)) continue;
    // k = 1: the sum of distances is the distance.
    if (lone && sandbox.acc[c * W + 1]! > SINGLE_REACH) continue;
    // Stryker disable next-line BooleanLiteral: refining every reach up front gives the same exact scores, only slower
    const r = score(s, ev, sandbox, c, false);
    keys[c] = r.score;
    exact[c] = r.exact ? 1 : 0;
    heap.push(c);
  }
  heapify(heap, before);
  const top: ({ c: number } & Evaluation)[] = [];
  while (top.length < s.top && heap.length > 0) {
    const c = heap[0]!;
    if (exact[c] === 1) {
      heapPop(heap, before);
      // Stryker disable next-line BooleanLiteral: the candidate's reach is already exact here
      top.push({ c, ...evaluate(s, ev, sandbox, c, false) });
      continue;
    }
    // Refine, then let the refined score (it can only fall) sink to where it belongs.
    const r = score(s, ev, sandbox, c, true, out);
    keys[c] = r.score;
    exact[c] = r.exact ? 1 : 0;
    siftDown(heap, 0, before);
  }
  const memberSet = new Set(members);
  const incidentsOn = (u: number) =>
    ev.unitIncidents[u]!.filter((p) => memberSet.has(p))
      .map((p) => incs[p]!.id)
      .sort(cmp);
  // The units each reported candidate explains, with their walk entries where needed (cover.ts).
  const coveredBy = coveredUnits(
    ev,
    sandbox,
    top.map((x) => x.c),
    units,
  );
  const candidates: RankedCandidate[] = top.map((x, rank) => {
    const node = ev.candNode[x.c]!;
    const a = index.attrs[node]!;
    const covered = coveredBy[rank]!;
    covered.sort((p, q) => p.d - q.d || cmp(ids[ev.unitNode[p.u]!]!, ids[ev.unitNode[q.u]!]!));
    const explains = new Set<string>();
    for (const { u } of covered) for (const id of incidentsOn(u)) explains.add(id);
    const paths: EvidencePath[] = covered
      .slice(0, s.maxPaths)
      .map((y) => ({ incidents: incidentsOn(y.u), ci: ids[ev.unitNode[y.u]!]!, steps: pathUp(s, ev, entryOf(ev, y, x.c)) }));
    return {
      id: ids[node]!,
      class: a.class,
      name: a.name,
      score: round3(x.score),
      factors: x.factors.map(roundFactor),
      explains: [...explains].sort(cmp),
      paths,
    };
  });
  sandbox.reset();
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const p of members) {
    start = Math.min(start, incs[p]!.t);
    end = Math.max(end, incs[p]!.t);
  }
  const incidentIds = [...members].sort((p, q) => incs[p]!.t - incs[q]!.t || cmp(incs[p]!.id, incs[q]!.id)).map((p) => incs[p]!.id);
  return { incidents: incidentIds, start: new Date(start).toISOString(), end: new Date(end).toISOString(), basis, candidates };
}

/**
 * The provider chain the walk followed from its incident CI up to walk entry `entry`, as stored
 * relationships (dependent side first): one shortest path, the first one breadth-first order finds.
 */
function pathUp(s: Settings, ev: Evidence, entry: number): EvidenceStep[] {
  const { provOffsets, provSource, provType, typeNames, typeProviderIsFrom, nodeIds } = s.index;
  const steps: EvidenceStep[] = [];
  for (let i = entry; ev.walkParent[i]! >= 0; i = ev.walkParent[i]!) {
    const provider = ev.candNode[ev.walkCand[i]!]!;
    const dependent = ev.candNode[ev.walkCand[ev.walkParent[i]!]!]!;
    let e = provOffsets[dependent]!;
    const end = provOffsets[dependent + 1]!;
    while (e < end && provSource[e] !== provider) e++;
    if (e === end) {
      // No stored relationship: a step of the pair reading (observed.ts), the observed call A → B
      // whichever end the walk came from (B's walk reaching its observer A, or A's reaching B).
      const aSawB = ev.pairs?.calls.get(dependent)?.has(provider) === true;
      const [from, to] = aSawB ? [dependent, provider] : [provider, dependent];
      steps.push({ from: nodeIds[from]!, type: OBSERVED_CALL, to: nodeIds[to]! });
      continue;
    }
    const t = provType[e]!;
    const type = typeNames[t]!;
    steps.push(
      typeProviderIsFrom[t] === 1
        ? { from: nodeIds[provider]!, type, to: nodeIds[dependent]! }
        : { from: nodeIds[dependent]!, type, to: nodeIds[provider]! },
    );
  }
  return steps.reverse();
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function roundFactor(f: Factor): Factor {
  return { ...f, value: round3(f.value), contribution: round3(f.contribution) };
}

function siftDown(a: number[], i: number, before: (x: number, y: number) => boolean): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    // Stryker disable next-line EqualityOperator: a[a.length] is undefined, and `before` of undefined is false
    if (l < a.length && before(a[l]!, a[m]!)) m = l;
    // Stryker disable next-line EqualityOperator: as above
    if (r < a.length && before(a[r]!, a[m]!)) m = r;
    if (m === i) return;
    [a[i], a[m]] = [a[m]!, a[i]!];
    i = m;
  }
}

function heapify(a: number[], before: (x: number, y: number) => boolean): void {
  // Stryker disable next-line ArithmeticOperator: starting past the last parent only sifts leaves, which do not move
  for (let i = (a.length >> 1) - 1; i >= 0; i--) siftDown(a, i, before);
}

function heapPop(a: number[], before: (x: number, y: number) => boolean): void {
  const last = a.pop()!;
  if (a.length === 0) return;
  a[0] = last;
  siftDown(a, 0, before);
}
