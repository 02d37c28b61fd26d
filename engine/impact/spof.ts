/**
 * Single points of failure (DESIGN.md): every CI whose failure alone makes `ci` down, with the
 * blast-radius semantics (hard dependencies and k-of-n redundancy groups).
 * Direction: candidates are found along 'providers' (the transitive providers of `ci`); each
 * candidate's failure is then propagated along 'dependents', restricted to that provider subgraph.
 *
 * Why the restriction is sound: whether `ci` goes down depends only on the states of its transitive
 * providers, and every redundancy group of a node in that set has all its members in the set too
 * (a member is a provider of the node), so group sizes and counts are unchanged.
 *
 * Shortcuts (no dominator tree: with k-of-n groups, "every path passes through X" is neither
 * necessary nor sufficient — a rack can take out both PDU feeds of a 1-of-2 group without being on
 * every path, and a group of three replicas is a dominator-free cut only when enough fail):
 *   1. `hard`: a provider with a chain of hard dependencies (no redundancy rule on the way) up to
 *      `ci` is a SPOF outright — down crosses a hard edge unconditionally. One reverse walk finds them.
 *   2. every other candidate runs the down-propagation fixpoint from itself alone, closest candidates
 *      first, and stops as soon as it downs `ci` or any CI already known to be a SPOF: propagation is
 *      monotone, so if X's failure downs a SPOF S, everything S's failure downs is downed too.
 * Worst case O(candidates × provider-subgraph edges), fine for the few thousand providers of a
 * real service; the shortcuts make the common all-hard chain linear.
 *
 * Many CIs at once (`singlePointsOfFailureAmong`, the audit's tier-1 services): one walk per
 * service repeats the shared infrastructure's closure once per service, which is quadratic when
 * every service leans on the same hubs. The batch turns the question around: each candidate's
 * failure is propagated once along 'dependents', restricted to the union of the targets' provider
 * closures (sound for the same reason as above: a node of the union has every group member in
 * it), and every target it downs has it as a SPOF. `hard` is a target reached by hard
 * relationships alone (propagated first); depth and chain come from one provider walk per target
 * that has any SPOF — so results are exactly those of `singlePointsOfFailure`, filtered to the
 * candidates.
 */
import { NotFoundError } from '../errors.ts';
import type { Registry } from '../model/registry.ts';
import { providerPath, walkProviders, type ProviderClosure } from './dependencies.ts';
import { indexFor, typeMask, type ImpactIndex } from './impact-index.ts';
import { cmp } from './ordering.ts';
import type { PathStep } from './path-step.ts';
import { acquireScratch, releaseScratch, type Scratch } from './scratch.ts';

export interface SpofOptions {
  /** Only these relationship types propagate (default: every propagating type). */
  relationshipTypes?: readonly string[];
}

export interface SinglePointOfFailure {
  id: string;
  class: string;
  name: string;
  environment: string;
  /** Shortest provider chain from `ci`. */
  depth: number;
  /** Stored relationships from `ci` to this CI (one shortest chain). */
  via: PathStep[];
  /**
   * `hard`: a chain of hard dependencies links it to `ci`. `group`: every chain crosses a
   * redundancy group, but its failure alone leaves a group below `minAvailable` (e.g. one rack
   * holding both power feeds of a 1-of-2 group, or a group of one).
   */
  kind: 'hard' | 'group';
}

export interface SpofResult {
  ci: string;
  /** Sorted by depth, then id. */
  spofs: SinglePointOfFailure[];
}

const HARD = 1;
const GROUP = 2;

/** Counts one more member of group `g` down in generation `stamp`; true while the group still has `minAvailable`. */
function groupHolds(index: ImpactIndex, s: Scratch, g: number, stamp: number): boolean {
  const { groupMark, groupDown } = s;
  if (groupMark[g] !== stamp) {
    groupMark[g] = stamp;
    groupDown[g] = 0;
  }
  groupDown[g]!++;
  return index.groupSize[g]! - groupDown[g]! >= index.groupNeed[g]!;
}

export function singlePointsOfFailure(index: ImpactIndex, registry: Registry, ci: string, options: SpofOptions = {}): SpofResult {
  indexFor(index, registry, 'spof');
  const start = index.idToIndex.get(ci);
  if (start === undefined) throw new NotFoundError(`spof: CI "${ci}" not found`, { ci });
  const mask = typeMask(index, options.relationshipTypes, 'spof');
  const { start: provStart, end: provEnd, other: provSource, type: provType, group: provGroup } = index.prov;
  const { start: depStart, end: depEnd, other: depTarget, type: depType, group: depGroup } = index.dep;

  const s = acquireScratch(index);
  let c: ProviderClosure;
  let kind: Uint8Array;
  try {
    // The walk's stamp must stay valid through one generation per candidate: reserve them up front.
    const inClosure = s.next(index.n + 1);
    c = walkProviders(index, s, inClosure, start, mask, Number.POSITIVE_INFINITY);
    const r = c.size;
    const { mark, pos, downMark, queue } = s;
    kind = new Uint8Array(r);

    // 1. Hard chains: reverse walk from ci over hard provider relationships only.
    const hardQueue = new Int32Array(r);
    let ht = 0;
    hardQueue[ht++] = 0;
    kind[0] = HARD;
    for (let hh = 0; hh < ht; hh++) {
      const u = c.order[hardQueue[hh]!]!;
      const end = provEnd[u]!;
      for (let e = provStart[u]!; e < end; e++) {
        if (mask[provType[e]!] === 0 || provGroup[e]! >= 0) continue;
        const q = pos[provSource[e]!]!;
        if (kind[q] === 0) {
          kind[q] = HARD;
          hardQueue[ht++] = q;
        }
      }
    }

    // 2. Every other candidate, closest first.
    for (let p = 1; p < r; p++) {
      if (kind[p] !== 0) continue;
      const stamp = s.next();
      const x = c.order[p]!;
      downMark[x] = stamp;
      queue[0] = x;
      let qt = 1;
      let found = false;
      for (let qh = 0; qh < qt && !found; qh++) {
        const u = queue[qh]!;
        const end = depEnd[u]!;
        for (let e = depStart[u]!; e < end; e++) {
          if (mask[depType[e]!] === 0) continue;
          const v = depTarget[e]!;
          if (mark[v] !== inClosure || downMark[v] === stamp) continue;
          const g = depGroup[e]!;
          if (g >= 0 && groupHolds(index, s, g, stamp)) continue;
          downMark[v] = stamp;
          if (kind[pos[v]!] !== 0) {
            found = true;
            break;
          }
          queue[qt++] = v;
        }
      }
      if (found) kind[p] = GROUP;
    }
  } finally {
    releaseScratch(s);
  }

  const kindAt = new Map<number, number>();
  for (let p = 1; p < c.size; p++) if (kind[p] !== 0) kindAt.set(p, kind[p]!);
  return { ci, spofs: report(index, c, kindAt) };
}

/** The SPOFs at closure positions `kindAt` (position → HARD | GROUP), sorted by depth, then id. */
function report(index: ImpactIndex, c: ProviderClosure, kindAt: ReadonlyMap<number, number>): SinglePointOfFailure[] {
  const positions = [...kindAt.keys()];
  positions.sort((a, b) => c.depth[a]! - c.depth[b]! || cmp(index.nodeIds[c.order[a]!]!, index.nodeIds[c.order[b]!]!));
  const steps: (PathStep | undefined)[] = new Array<PathStep | undefined>(c.size);
  return positions.map((p): SinglePointOfFailure => {
    const node = c.order[p]!;
    const a = index.attrs[node]!;
    return {
      id: index.nodeIds[node]!,
      class: a.class,
      name: a.name,
      environment: a.environment,
      depth: c.depth[p]!,
      via: providerPath(c, p, steps),
      kind: kindAt.get(p) === HARD ? 'hard' : 'group',
    };
  });
}

/**
 * `singlePointsOfFailure` of each CI of `cis` (same order), keeping only SPOFs whose class passes
 * `isCandidate` — in one propagation per candidate instead of one provider walk per CI (header).
 */
export function singlePointsOfFailureAmong(
  index: ImpactIndex,
  registry: Registry,
  cis: readonly string[],
  isCandidate: (cls: string) => boolean,
  options: SpofOptions = {},
): SpofResult[] {
  indexFor(index, registry, 'spof');
  const targets = cis.map((ci) => {
    const t = index.idToIndex.get(ci);
    if (t === undefined) throw new NotFoundError(`spof: CI "${ci}" not found`, { ci });
    return t;
  });
  const mask = typeMask(index, options.relationshipTypes, 'spof');
  const { start: provStart, end: provEnd, other: provSource, type: provType } = index.prov;
  const { start: depStart, end: depEnd, other: depTarget, type: depType, group: depGroup } = index.dep;
  const { attrs } = index;
  /** node → slot of the target it is (-1: not a target); several slots when a CI is listed twice. */
  const slotOf = new Map<number, number[]>();
  targets.forEach((t, i) => slotOf.set(t, [...(slotOf.get(t) ?? []), i]));
  /** Per target: candidate nodes and their kinds, flattened. */
  const found: number[][] = targets.map(() => []);

  const s = acquireScratch(index);
  const results: SpofResult[] = [];
  try {
    const { mark, downMark, queue } = s;
    // 1. The union of the targets' provider closures (multi-source walk). The stamp stays valid
    //    through one generation per candidate: reserve them.
    const inUnion = s.next(index.n + 1);
    let u = 0;
    for (const t of targets) {
      if (mark[t] === inUnion) continue;
      mark[t] = inUnion;
      queue[u++] = t;
    }
    for (let h = 0; h < u; h++) {
      const x = queue[h]!;
      const end = provEnd[x]!;
      for (let e = provStart[x]!; e < end; e++) {
        if (mask[provType[e]!] === 0) continue;
        const v = provSource[e]!;
        if (mark[v] === inUnion) continue;
        mark[v] = inUnion;
        queue[u++] = v;
      }
    }
    const union = queue.slice(0, u);

    // 2. Each candidate's failure alone: hard relationships first (what they reach is `hard`),
    //    then the redundancy groups, counted as spof.ts counts them.
    for (const x of union) {
      if (!isCandidate(attrs[x]!.class)) continue;
      const stamp = s.next();
      downMark[x] = stamp;
      queue[0] = x;
      let qt = 1;
      for (let qh = 0; qh < qt; qh++) {
        const w = queue[qh]!;
        const end = depEnd[w]!;
        for (let e = depStart[w]!; e < end; e++) {
          if (mask[depType[e]!] === 0 || depGroup[e]! >= 0) continue;
          const v = depTarget[e]!;
          if (mark[v] !== inUnion || downMark[v] === stamp) continue;
          downMark[v] = stamp;
          queue[qt++] = v;
        }
      }
      const hardEnd = qt;
      for (let qh = 0; qh < qt; qh++) {
        const w = queue[qh]!;
        const end = depEnd[w]!;
        for (let e = depStart[w]!; e < end; e++) {
          if (mask[depType[e]!] === 0) continue;
          const g = depGroup[e]!;
          if (qh < hardEnd && g < 0) continue; // already followed
          const v = depTarget[e]!;
          if (mark[v] !== inUnion || downMark[v] === stamp) continue;
          if (g >= 0 && groupHolds(index, s, g, stamp)) continue;
          downMark[v] = stamp;
          queue[qt++] = v;
        }
      }
      for (let i = 1; i < qt; i++) {
        const slots = slotOf.get(queue[i]!);
        if (slots === undefined) continue;
        for (const slot of slots) found[slot]!.push(x, i < hardEnd ? HARD : GROUP);
      }
    }

    // 3. Depth and chain of each SPOF from its target, as singlePointsOfFailure reports them.
    targets.forEach((t, slot) => {
      const hits = found[slot]!;
      if (hits.length === 0) {
        results.push({ ci: cis[slot]!, spofs: [] });
        return;
      }
      const c = walkProviders(index, s, s.next(), t, mask, Number.POSITIVE_INFINITY);
      const kindAt = new Map<number, number>();
      for (let i = 0; i < hits.length; i += 2) kindAt.set(s.pos[hits[i]!]!, hits[i + 1]!);
      results.push({ ci: cis[slot]!, spofs: report(index, c, kindAt) });
    });
  } finally {
    releaseScratch(s);
  }
  return results;
}
