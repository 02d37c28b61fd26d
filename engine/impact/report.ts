/**
 * The blast-radius report (DESIGN.md shape; semantics in blast-radius.ts): turns a fixpoint result
 * into origins, impacted CIs with `via` paths and redundancy detail, services, counts and cycles,
 * applying the reporting-only filters (`maxDepth`, `environments`). Levels are already in depth
 * order; each is sorted by id — by string compare, or for large reports by the index's id rank with
 * a radix sort (ordering.ts; thresholds in the index's tuning).
 */
import type { Registry } from '../model/registry.ts';
import { DOWN, type ImpactCore, type ImpactEffect, type ImpactState } from './fixpoint.ts';
import { cmp, idRank, radixBuffers, sortByRank, topoOrder, type RadixBuffers } from './ordering.ts';
import { cachedStepOf, stepOf, type PathStep } from './path-step.ts';
import { stepCache } from './scratch.ts';

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
  // Stryker disable next-line EqualityOperator: equivalent: `<=` adds one entry for the position past the origins, whose node is never an origin's
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
  // Stryker disable next-line ArithmeticOperator: equivalent: a larger buffer, only its first `m` entries are read
  const reported = new Int32Array(size - originCount);
  let m = 0;
  for (let p = originCount; p < size; p++) {
    if (depth[p]! > maxDepth) break;
    if (envs !== undefined && !envs.has(attrs[order[p]!]!.environment)) continue;
    reported[m++] = p;
  }
  const tuning = index.tuning.report;
  // Stryker disable next-line EqualityOperator: equivalent: at the threshold, either sort gives the same order
  const rank = m > tuning.largeReport ? idRank(index) : undefined;
  // For the next queries' cycle test (see fixpoint): large ones pay for it once, small ones never.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent: the order is a cache; computing it always or never changes no answer (fixpoint then searches cycles itself)
  if (rank !== undefined) topoOrder(index);
  let radix: RadixBuffers | undefined;
  let lo = 0;
  while (lo < m) {
    let hi = lo + 1;
    const d = depth[reported[lo]!]!;
    // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent: the slot past the last reported entry holds 0 (an origin, depth 0) or lies past the buffer, never at depth d ≥ 1
    while (hi < m && depth[reported[hi]!] === d) hi++;
    // Stryker disable ConditionalExpression,EqualityOperator,ArithmeticOperator: equivalent: the radix and the comparison sort give the same order (test/impact/report.test.ts compares them on random graphs), and a level of one entry needs no sort
    if (rank !== undefined && hi - lo > tuning.radixLevel) {
      radix ??= radixBuffers(m, tuning.radixBits);
      sortByRank(reported, lo, hi, order, rank, radix);
    } else if (hi - lo > 1) {
      const level = Array.from(reported.subarray(lo, hi)).sort((x, y) => cmp(nodeIds[order[x]!]!, nodeIds[order[y]!]!));
      reported.set(level, lo);
    }
    // Stryker restore ConditionalExpression,EqualityOperator,ArithmeticOperator
    lo = hi;
  }

  // Stryker disable next-line ArrayDeclaration: equivalent: presizing only
  const steps: (PathStep | undefined)[] = new Array<PathStep | undefined>(size);
  const cache = stepCache(index);
  const stepAt = (p: number): PathStep => (steps[p] ??= cachedStepOf(index, cache, order[parentPos[p]!]!, order[p]!, parentType[p]!));

  // Stryker disable next-line ArrayDeclaration: equivalent: presizing only, every slot is written below
  const impacted: ImpactedCI[] = new Array<ImpactedCI>(m);
  const byClass: Record<string, StateCounts> = {};
  let down = 0;
  let degraded = 0;
  for (let k = 0; k < m; k++) {
    const p = reported[k]!;
    const node = order[p]!;
    const a = attrs[node]!;
    const d = depth[p]!;
    // Stryker disable next-line ArrayDeclaration: equivalent: presizing only, every slot is written below
    const via: PathStep[] = new Array<PathStep>(d);
    for (let q = p, i = d - 1; i >= 0; q = parentPos[q]!, i--) via[i] = stepAt(q);
    const st = stateName(p);
    const item: ImpactedCI = { id: nodeIds[node]!, class: a.class, name: a.name, environment: a.environment, state: st, depth: d, via };
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent: a lookup in an empty map finds nothing and sets no key
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

function serviceOf(
  id: string,
  a: { name: string; criticality: number; owner?: string },
  state: ImpactState,
  depth: number,
): ImpactedService {
  return { id, name: a.name, criticality: a.criticality, owner: a.owner ?? null, state, depth };
}
