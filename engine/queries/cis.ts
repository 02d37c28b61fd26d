/**
 * CI queries for the API: filtered, keyset-paginated lists answered from the mirror (class,
 * status, environment, owner and name are mirror attributes), with full documents read from the
 * store for the page only; one-hop neighbours; and the batch for a cascading delete.
 *
 * Tags are not in the mirror, so a tag filter reads documents in id order until the page is full
 * or a scan budget is spent; the page may then be short, and `next` says where to continue.
 */
import type { CI } from '../model/ci.ts';
import type { Registry } from '../model/registry.ts';
import type { NodeAttrs } from '../mirror/types.ts';
import { NotFoundError, StoreUnavailableError } from '../errors.ts';
import type { GraphStore, Mutation } from '../store/port.ts';
import { firstAfter, sortedNodeIds, type MirrorLike } from './sorted-ids.ts';

export interface CIFilter {
  /** Exactly this id (a search box's exact-id probe, answered without a 404). */
  id?: string;
  /** Ids starting with this (case-sensitive, as ids are); walks only the matching run of sorted ids. */
  idPrefix?: string;
  class?: string;
  status?: string;
  environment?: string;
  owner?: string;
  tag?: string;
  /** Case-insensitive substring of the name. */
  q?: string;
}

export interface PageQuery {
  after?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page (the last id looked at), or null at the end. */
  next: string | null;
  /** `store`: full documents; `mirror`: the store was unreachable, items hold mirror attributes only. */
  source: 'store' | 'mirror';
}

/** A CI as the mirror knows it: what a list can show while the store is down. */
export type MirrorCI = NodeAttrs & { id: string };

/** How many documents a tag-filtered page may read before it returns what it has. */
export const TAG_SCAN_BUDGET = 2_000;

function mirrorMatch(a: NodeAttrs, f: CIFilter, q: string | undefined): boolean {
  return (
    (f.class === undefined || a.class === f.class) &&
    (f.status === undefined || a.status === f.status) &&
    (f.environment === undefined || a.environment === f.environment) &&
    (f.owner === undefined || a.owner === f.owner) &&
    (q === undefined || a.name.toLowerCase().includes(q))
  );
}

/** Ids matching the mirror-side filters, in id order after the cursor. */
function* candidates(mirror: MirrorLike, f: CIFilter, after: string | undefined): Generator<string> {
  const g = mirror.graph;
  const q = f.q?.toLowerCase();
  if (f.id !== undefined) {
    if ((after === undefined || f.id > after) && g.hasNode(f.id) && mirrorMatch(g.getNodeAttributes(f.id), f, q) && prefixed(f.id, f))
      yield f.id;
    return;
  }
  const ids = sortedNodeIds(mirror);
  let i = firstAfter(ids, after);
  // Sorted ids with a prefix are one contiguous run: jump to its start, stop at its end.
  if (f.idPrefix !== undefined) i = Math.max(i, lowerBound(ids, f.idPrefix));
  for (; i < ids.length; i++) {
    const id = ids[i]!;
    if (f.idPrefix !== undefined && !id.startsWith(f.idPrefix)) return;
    if (!g.hasNode(id)) continue;
    if (mirrorMatch(g.getNodeAttributes(id), f, q)) yield id;
  }
}

function prefixed(id: string, f: CIFilter): boolean {
  return f.idPrefix === undefined || id.startsWith(f.idPrefix);
}

/** Index of the first id not less than `key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function fetchCIs(store: Pick<GraphStore, 'getCI'>, ids: readonly string[]): Promise<(CI | undefined)[]> {
  return Promise.all(ids.map((id) => store.getCI(id)));
}

export async function listCIs(
  cmdb: { mirror: MirrorLike; store: Pick<GraphStore, 'getCI'> },
  filter: CIFilter,
  page: PageQuery,
  opts: { fallbackToMirror?: boolean; scanBudget?: number } = {},
): Promise<Page<CI | MirrorCI>> {
  const it = candidates(cmdb.mirror, filter, page.after);
  if (filter.tag === undefined) {
    const ids: string[] = [];
    for (const id of it) {
      if (ids.length === page.limit) return finish(ids, true);
      ids.push(id);
    }
    return finish(ids, false);
  }
  // Tag filter: read documents in chunks, keep the tagged ones.
  const budget = opts.scanBudget ?? TAG_SCAN_BUDGET;
  const items: CI[] = [];
  let scanned = 0;
  let last: string | undefined;
  const chunk = Math.min(Math.max(page.limit, 50), 500);
  for (;;) {
    const ids: string[] = [];
    for (const id of it) {
      ids.push(id);
      if (ids.length === chunk) break;
    }
    if (ids.length === 0) return { items, next: null, source: 'store' };
    const docs = await fetchCIs(cmdb.store, ids);
    for (let i = 0; i < ids.length; i++) {
      scanned += 1;
      last = ids[i];
      const ci = docs[i];
      if (ci && ci.tags.includes(filter.tag)) {
        items.push(ci);
        if (items.length === page.limit) return { items, next: last ?? null, source: 'store' };
      }
    }
    if (scanned >= budget) return { items, next: last ?? null, source: 'store' };
  }

  async function finish(ids: string[], more: boolean): Promise<Page<CI | MirrorCI>> {
    const next = more ? (ids[ids.length - 1] ?? null) : null;
    try {
      const docs = await fetchCIs(cmdb.store, ids);
      // A CI deleted between the mirror read and the store read is simply left out.
      return { items: docs.filter((d): d is CI => d !== undefined), next, source: 'store' };
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || !opts.fallbackToMirror) throw err;
      return { items: ids.map((id) => mirrorCI(cmdb.mirror, id)), next, source: 'mirror' };
    }
  }
}

export function mirrorCI(mirror: MirrorLike, id: string): MirrorCI {
  return { id, ...mirror.graph.getNodeAttributes(id) };
}

export type Direction = 'out' | 'in' | 'both';

export interface Neighbour {
  /** `out`: this CI is the relationship's `from`; `in`: it is the `to`. */
  direction: 'out' | 'in';
  /** The registry's label read from this CI: `depends on` (out) or its inverse (in). */
  label: string;
  relationship: { id: string; type: string; from: string; to: string };
  ci: MirrorCI;
}

/** One hop in the mirror, both directions unless told, optionally one relationship type. */
export function neighbours(
  mirror: MirrorLike,
  registry: Registry,
  id: string,
  opts: { direction?: Direction; type?: string } = {},
): Neighbour[] {
  const g = mirror.graph;
  if (!g.hasNode(id)) throw new NotFoundError(`neighbours: CI "${id}" not found`, { id });
  const direction = opts.direction ?? 'both';
  const out: Neighbour[] = [];
  const add = (edge: string, dir: 'out' | 'in') => {
    const type = g.getEdgeAttribute(edge, 'type');
    if (opts.type !== undefined && type !== opts.type) return;
    const from = g.source(edge);
    const to = g.target(edge);
    const def = registry.relType(type);
    const label = def ? (dir === 'out' ? def.label : def.inverseLabel) : type;
    out.push({ direction: dir, label, relationship: { id: edge, type, from, to }, ci: mirrorCI(mirror, dir === 'out' ? to : from) });
  };
  if (direction !== 'in') g.forEachOutEdge(id, (e) => add(e, 'out'));
  if (direction !== 'out') g.forEachInEdge(id, (e) => add(e, 'in'));
  return out.sort((a, b) => (a.relationship.id < b.relationship.id ? -1 : a.relationship.id > b.relationship.id ? 1 : 0));
}

/** Relationship ids attached to a CI (either end), from the mirror, sorted. */
export function relationshipsOf(mirror: MirrorLike, id: string): string[] {
  return mirror.graph.hasNode(id) ? mirror.graph.edges(id).sort() : [];
}

/**
 * One batch deleting a CI and, when `cascade`, its relationships first. Without cascade the
 * store refuses a CI that still has relationships; the caller checks first for a clearer error.
 */
export function deleteCIBatch(mirror: MirrorLike, id: string, opts: { cascade: boolean; expectedVersion?: number }): Mutation[] {
  const batch: Mutation[] = opts.cascade ? relationshipsOf(mirror, id).map((rid) => ({ op: 'deleteRelationship' as const, id: rid })) : [];
  const del: Mutation =
    opts.expectedVersion === undefined ? { op: 'deleteCI', id } : { op: 'deleteCI', id, expectedVersion: opts.expectedVersion };
  batch.push(del);
  return batch;
}
