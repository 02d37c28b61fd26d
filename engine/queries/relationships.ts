/**
 * Relationship lists for the API, from the mirror's edges (id, type, ends), with full documents
 * read from the store for the page only. A filter on one end walks that CI's edges instead of
 * every edge.
 */
import type { Relationship } from '../model/relationship.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { GraphStore } from '../store/port.ts';
import { compareIds, firstAfter, sortedEdgeIds, type MirrorLike } from './sorted-ids.ts';
import type { Page, PageQuery } from './cis.ts';

export interface RelationshipFilter {
  type?: string;
  from?: string;
  to?: string;
  /** Either end. */
  ci?: string;
}

export type MirrorRelationship = { id: string; type: string; from: string; to: string };

export async function listRelationships(
  cmdb: { mirror: MirrorLike; store: Pick<GraphStore, 'getRelationship'> },
  f: RelationshipFilter,
  page: PageQuery,
  opts: { fallbackToMirror?: boolean } = {},
): Promise<Page<Relationship | MirrorRelationship>> {
  const g = cmdb.mirror.graph;
  const anchor = f.from ?? f.to ?? f.ci;
  let pool: readonly string[];
  if (anchor !== undefined) pool = g.hasNode(anchor) ? g.edges(anchor).sort(compareIds) : [];
  else pool = sortedEdgeIds(cmdb.mirror);
  const ids: string[] = [];
  let more = false;
  for (let i = firstAfter(pool, page.after); i < pool.length; i++) {
    const id = pool[i]!;
    if (!g.hasEdge(id)) continue;
    if (f.type !== undefined && g.getEdgeAttribute(id, 'type') !== f.type) continue;
    if (f.from !== undefined && g.source(id) !== f.from) continue;
    if (f.to !== undefined && g.target(id) !== f.to) continue;
    if (f.ci !== undefined && g.source(id) !== f.ci && g.target(id) !== f.ci) continue;
    if (ids.length === page.limit) {
      more = true;
      break;
    }
    ids.push(id);
  }
  const next = more ? (ids[ids.length - 1] ?? null) : null;
  try {
    const docs = await Promise.all(ids.map((id) => cmdb.store.getRelationship(id)));
    return { items: docs.filter((d): d is Relationship => d !== undefined), next, source: 'store' };
  } catch (err) {
    if (!(err instanceof StoreUnavailableError) || !opts.fallbackToMirror) throw err;
    return { items: ids.map((id) => mirrorRelationship(cmdb.mirror, id)), next, source: 'mirror' };
  }
}

export function mirrorRelationship(mirror: MirrorLike, id: string): MirrorRelationship {
  const g = mirror.graph;
  return { id, type: g.getEdgeAttribute(id, 'type'), from: g.source(id), to: g.target(id) };
}
