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
 */
import { NotFoundError } from '../errors.ts';
import type { Registry } from '../model/registry.ts';
import { providerPath, walkProviders, type ProviderClosure } from './dependencies.ts';
import { indexFor, typeMask, type ImpactIndex } from './impact-index.ts';
import { cmp } from './ordering.ts';
import type { PathStep } from './path-step.ts';
import { acquireScratch, releaseScratch } from './scratch.ts';

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

export function singlePointsOfFailure(index: ImpactIndex, registry: Registry, ci: string, options: SpofOptions = {}): SpofResult {
  indexFor(index, registry, 'spof');
  const start = index.idToIndex.get(ci);
  if (start === undefined) throw new NotFoundError(`spof: CI "${ci}" not found`, { ci });
  const mask = typeMask(index, options.relationshipTypes, 'spof');
  const { start: provStart, end: provEnd, other: provSource, type: provType, group: provGroup } = index.prov;
  const { start: depStart, end: depEnd, other: depTarget, type: depType, group: depGroup } = index.dep;
  const { groupSize, groupNeed } = index;

  const s = acquireScratch(index);
  let c: ProviderClosure;
  let kind: Uint8Array;
  try {
    // The walk's stamp must stay valid through one generation per candidate: reserve them up front.
    const inClosure = s.next(index.n + 1);
    c = walkProviders(index, s, inClosure, start, mask, Number.POSITIVE_INFINITY);
    const r = c.size;
    const { mark, pos, downMark, groupMark, groupDown, queue } = s;
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
          if (g >= 0) {
            if (groupMark[g] !== stamp) {
              groupMark[g] = stamp;
              groupDown[g] = 0;
            }
            groupDown[g]!++;
            if (groupSize[g]! - groupDown[g]! >= groupNeed[g]!) continue;
          }
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

  const positions: number[] = [];
  for (let p = 1; p < c.size; p++) if (kind[p] !== 0) positions.push(p);
  positions.sort((a, b) => c.depth[a]! - c.depth[b]! || cmp(index.nodeIds[c.order[a]!]!, index.nodeIds[c.order[b]!]!));
  const steps: (PathStep | undefined)[] = new Array<PathStep | undefined>(c.size);
  const spofs = positions.map((p): SinglePointOfFailure => {
    const node = c.order[p]!;
    const a = index.attrs[node]!;
    return {
      id: index.nodeIds[node]!,
      class: a.class,
      name: a.name,
      environment: a.environment,
      depth: c.depth[p]!,
      via: providerPath(c, p, steps),
      kind: kind[p] === HARD ? 'hard' : 'group',
    };
  });
  return { ci, spofs };
}
