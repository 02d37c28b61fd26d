/**
 * Dependencies (DESIGN.md "Blast radius", last paragraph): the transitive providers of a CI — what
 * it relies on. Direction: 'providers' — from a dependent to what provides to it, i.e. along the
 * index's `prov*` arrays (for `A DEPENDS_ON B`, B is a dependency of A; for `m MEMBER_OF g`, m is a
 * dependency of g). Only propagating relationship types count: an audit-only link (BACKED_UP_BY …)
 * is not something a CI needs in order to work.
 *
 * `depth` is the shortest provider chain (breadth-first, level by level) and `via` one such chain of
 * stored relationships, from the CI to the provider; among equally short chains the one whose last
 * hop comes from the smaller CI id (then type) is kept, so results never depend on insertion order.
 */
import { NotFoundError } from '../errors.ts';
import type { Registry } from '../model/registry.ts';
import { checkMaxDepth } from './fixpoint.ts';
import { indexFor, typeMask, type ImpactIndex } from './impact-index.ts';
import { cmp } from './ordering.ts';
import { stepOf, type PathStep } from './path-step.ts';
import { acquireScratch, releaseScratch, type Scratch } from './scratch.ts';

export interface DependenciesOptions {
  /** Follow at most this many hops (default: unlimited). */
  maxDepth?: number;
  /** Only these relationship types are followed (default: every propagating type). */
  relationshipTypes?: readonly string[];
}

export interface Dependency {
  id: string;
  class: string;
  name: string;
  environment: string;
  depth: number;
  /** Stored relationships from the CI to this provider. */
  via: PathStep[];
}

export interface DependenciesResult {
  ci: string;
  /** Sorted by depth, then id; the CI itself is excluded even when it lies on a cycle. */
  dependencies: Dependency[];
}

/** Breadth-first closure over providers; position 0 is the start CI. */
export interface ProviderClosure {
  index: ImpactIndex;
  size: number;
  order: Int32Array;
  depth: Int32Array;
  /** Position of the dependent one hop closer to the start (-1 for the start) and the type index. */
  parentPos: Int32Array;
  parentType: Uint16Array;
}

/**
 * Walks providers from `start` with a caller-held scratch, leaving `s.mark[v] === stamp` and
 * `s.pos[v]` valid for every reached node (SPOF relies on both).
 */
export function walkProviders(
  index: ImpactIndex,
  s: Scratch,
  stamp: number,
  start: number,
  mask: Uint8Array,
  maxDepth: number,
): ProviderClosure {
  const { start: provStart, end: provEnd, other: provSource, type: provType } = index.prov;
  const { mark, pos, order, depthAt, parentAt, parentTypeAt } = s;
  const ids = index.nodeIds;
  mark[start] = stamp;
  pos[start] = 0;
  order[0] = start;
  depthAt[0] = 0;
  // Stryker disable next-line UnaryOperator: equivalent: the start's parent is never read (paths stop after `depth` steps)
  parentAt[0] = -1;
  parentTypeAt[0] = 0;
  let r = 1;
  for (let head = 0; head < r; head++) {
    const u = order[head]!;
    const dNext = depthAt[head]! + 1;
    if (dNext > maxDepth) break;
    const end = provEnd[u]!;
    for (let e = provStart[u]!; e < end; e++) {
      const t = provType[e]!;
      if (mask[t] === 0) continue;
      const v = provSource[e]!;
      if (mark[v] !== stamp) {
        mark[v] = stamp;
        pos[v] = r;
        order[r] = v;
        depthAt[r] = dNext;
        parentAt[r] = head;
        parentTypeAt[r] = t;
        r++;
      } else {
        const pv = pos[v]!;
        if (depthAt[pv] === dNext) {
          const old = order[parentAt[pv]!]!;
          // Stryker disable next-line EqualityOperator: equivalent: on a tie of types the provider is the same, so the same parent and type are written back; distinct nodes have distinct ids
          if (u === old ? t < parentTypeAt[pv]! : ids[u]! < ids[old]!) {
            parentAt[pv] = head;
            parentTypeAt[pv] = t;
          }
        }
      }
    }
  }
  return {
    index,
    size: r,
    // Stryker disable MethodExpression: equivalent: returned unsliced, the scratch arrays hold the same first `size` entries and no caller reads past them
    order: order.slice(0, r),
    depth: depthAt.slice(0, r),
    parentPos: parentAt.slice(0, r),
    parentType: parentTypeAt.slice(0, r),
  };
}

// Stryker restore MethodExpression

/** The stored relationships from the start CI down to position `p`. */
export function providerPath(c: ProviderClosure, p: number, steps: (PathStep | undefined)[]): PathStep[] {
  const d = c.depth[p]!;
  // Stryker disable next-line ArrayDeclaration: equivalent: presizing only, every slot is written below
  const via = new Array<PathStep>(d);
  for (let q = p, i = d - 1; i >= 0; q = c.parentPos[q]!, i--) {
    let st = steps[q];
    // Stryker disable next-line ConditionalExpression: equivalent: bypassing the cache rebuilds the same step
    if (st === undefined) {
      // provider = order[q], dependent = its parent in the walk.
      st = stepOf(c.index, c.order[q]!, c.order[c.parentPos[q]!]!, c.parentType[q]!);
      steps[q] = st;
    }
    via[i] = st;
  }
  return via;
}

export function dependencies(index: ImpactIndex, registry: Registry, ci: string, options: DependenciesOptions = {}): DependenciesResult {
  indexFor(index, registry, 'dependencies');
  const start = index.idToIndex.get(ci);
  if (start === undefined) throw new NotFoundError(`dependencies: CI "${ci}" not found`, { ci });
  const maxDepth = checkMaxDepth(options.maxDepth, 'dependencies');
  const mask = typeMask(index, options.relationshipTypes, 'dependencies');
  const s = acquireScratch(index);
  let c: ProviderClosure;
  // Stryker disable BlockStatement: equivalent: without the release (the finally block) the next query allocates a new scratch (memory, not answers)
  try {
    c = walkProviders(index, s, s.next(), start, mask, maxDepth);
  } finally {
    releaseScratch(s);
  }
  // Stryker restore BlockStatement
  const positions: number[] = [];
  for (let p = 1; p < c.size; p++) positions.push(p);
  positions.sort((a, b) => c.depth[a]! - c.depth[b]! || cmp(index.nodeIds[c.order[a]!]!, index.nodeIds[c.order[b]!]!));
  // Stryker disable next-line ArrayDeclaration: equivalent: presizing only
  const steps: (PathStep | undefined)[] = new Array<PathStep | undefined>(c.size);
  const out: Dependency[] = positions.map((p) => {
    const node = c.order[p]!;
    const a = index.attrs[node]!;
    return {
      id: index.nodeIds[node]!,
      class: a.class,
      name: a.name,
      environment: a.environment,
      depth: c.depth[p]!,
      via: providerPath(c, p, steps),
    };
  });
  return { ci, dependencies: out };
}
