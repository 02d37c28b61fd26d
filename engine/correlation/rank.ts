/**
 * The report of one group: every candidate reached by the group's incident CIs is re-scored on the
 * group alone (a sandbox tally filled from the group's walks), the top ones are returned with their
 * factors, the incidents they explain and evidence paths read back from the walks' parent entries.
 */
import type { Evidence, Inc } from './evidence.ts';
import { cmp, evaluate, type Evaluation, type Settings, type Tally } from './cover.ts';
import type { CorrelationGroup, CorrelationResult, EvidencePath, EvidenceStep, Factor, RankedCandidate } from './types.ts';

export function rankGroup(s: Settings, ev: Evidence, incs: readonly Inc[], members: readonly number[], sandbox: Tally, out: CorrelationResult): CorrelationGroup {
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
  for (const u of units) sandbox.addUnit(ev, u, 1);
  // Alternatives must explain at least half the group (and two incident CIs when it has several).
  const need = units.length === 1 ? 1 : Math.max(2, Math.ceil(units.length / 2));
  // Scores with a reach lower bound are upper bounds (cover.ts): sorted by them, the leading
  // entries are made exact until the first `top` are exact and in order — the rest never pay for
  // their reach walk (a group under a Kubernetes cluster has hundreds of equal-coverage nodes).
  const order = (a: { c: number; score: number }, b: { c: number; score: number }) => b.score - a.score || cmp(ids[ev.candNode[a.c]!]!, ids[ev.candNode[b.c]!]!);
  const scored: ({ c: number } & Evaluation)[] = [];
  for (const c of sandbox.touched!) if (sandbox.k(c) >= need) scored.push({ c, ...evaluate(s, ev, sandbox, c, false) });
  scored.sort(order);
  for (let i = 0; i < Math.min(s.top, scored.length); ) {
    if (scored[i]!.exact) {
      i++;
      continue;
    }
    const x = { c: scored[i]!.c, ...evaluate(s, ev, sandbox, scored[i]!.c, true, out) };
    // Re-insert where the refined score belongs (it can only fall); refined again if still leading.
    let j = i;
    while (j + 1 < scored.length && order(scored[j + 1]!, x) < 0) {
      scored[j] = scored[j + 1]!;
      j++;
    }
    scored[j] = x;
  }
  const memberSet = new Set(members);
  const incidentsOn = (u: number) => ev.unitIncidents[u]!.filter((p) => memberSet.has(p)).map((p) => incs[p]!.id).sort(cmp);
  const candidates: RankedCandidate[] = scored.slice(0, s.top).map((x) => {
    const node = ev.candNode[x.c]!;
    const a = index.attrs[node]!;
    const covered: { u: number; entry: number; d: number }[] = [];
    for (let i = ev.candOff[x.c]!; i < ev.candOff[x.c + 1]!; i++) {
      const u = ev.candUnit[i]!;
      if (active[u]! > 0) covered.push({ u, entry: ev.candEntry[i]!, d: ev.walkDist[ev.candEntry[i]!]! });
    }
    covered.sort((p, q) => p.d - q.d || cmp(ids[ev.unitNode[p.u]!]!, ids[ev.unitNode[q.u]!]!));
    const explains = new Set<string>();
    for (const { u } of covered) for (const id of incidentsOn(u)) explains.add(id);
    const paths: EvidencePath[] = covered.slice(0, s.maxPaths).map(({ u, entry }) => ({ incidents: incidentsOn(u), ci: ids[ev.unitNode[u]!]!, steps: pathUp(s, ev, entry) }));
    return { id: ids[node]!, class: a.class, name: a.name, score: round3(x.score), factors: x.factors.map(roundFactor), explains: [...explains].sort(cmp), paths };
  });
  sandbox.reset();
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const p of members) {
    start = Math.min(start, incs[p]!.t);
    end = Math.max(end, incs[p]!.t);
  }
  const incidentIds = [...members].sort((p, q) => incs[p]!.t - incs[q]!.t || cmp(incs[p]!.id, incs[q]!.id)).map((p) => incs[p]!.id);
  return { incidents: incidentIds, start: new Date(start).toISOString(), end: new Date(end).toISOString(), candidates };
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
    while (provSource[e] !== provider) e++;
    const t = provType[e]!;
    const type = typeNames[t]!;
    steps.push(typeProviderIsFrom[t] === 1 ? { from: nodeIds[provider]!, type, to: nodeIds[dependent]! } : { from: nodeIds[dependent]!, type, to: nodeIds[provider]! });
  }
  return steps.reverse();
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function roundFactor(f: Factor): Factor {
  return { ...f, value: round3(f.value), contribution: round3(f.contribution) };
}
