/**
 * What a map needs to group an impact answer by location or by business service, computed on the
 * server because both are graph questions the browser must not answer (DESIGN.md: the UI never
 * computes impact). Pure over the mirror graph and one blast-radius report; it never recomputes
 * impact and never reads a store. For every CI of the report (origins and impacted):
 *
 * - `location`: where it stands — the target of its own location relationship (`LOCATED_IN` by
 *   default), else the nearest one found walking its propagating providers level by level (a VM is
 *   where its hypervisor is), at most `maxHops` levels; among equally near ones the smallest id.
 * - `services`: the impacted business services it supports — those that reach it through
 *   propagating provider relationships whose every CI is in the report — in the report's service
 *   order (criticality first), so a map can put a CI in its most critical service's group.
 *
 * Direction: locations walk towards providers; services walk from each service towards its
 * providers and credit every CI reached.
 */
import type { GraphView } from '../mirror/types.ts';
import type { Registry } from '../model/registry.ts';

export interface ContextOptions {
  /** The relationship type whose target is a location (default LOCATED_IN). */
  locationType?: string;
  /** How many provider levels a location search walks (default 4). */
  maxHops?: number;
  /** Most CIs one location search looks at (default 256): hubs cannot make it quadratic. */
  maxVisited?: number;
}

export interface CIContext {
  location: string | null;
  services: string[];
}

interface Report {
  origins: readonly { id: string }[];
  impacted: readonly { id: string }[];
  services: readonly { id: string }[];
}

export function impactContext(graph: GraphView, registry: Registry, report: Report, opts: ContextOptions = {}): Map<string, CIContext> {
  const locType = opts.locationType ?? 'LOCATED_IN';
  const maxHops = opts.maxHops ?? 4;
  const maxVisited = opts.maxVisited ?? 256;
  const propagates = new Map<string, 'from' | 'to' | null>();
  const providerEnd = (type: string): 'from' | 'to' | null => {
    let p = propagates.get(type);
    if (p === undefined) {
      const def = registry.relType(type);
      p = def && def.propagates ? def.provider : null;
      propagates.set(type, p);
    }
    return p;
  };
  // Each CI's providers are read once per call: hubs (a database with thousands of dependents)
  // would otherwise have all their in-edges scanned again by every walk that passes them.
  const providerCache = new Map<string, string[]>();
  /** Providers of `id` through propagating types, sorted. */
  const providersOf = (id: string): string[] => {
    const hit = providerCache.get(id);
    if (hit !== undefined) return hit;
    const out: string[] = [];
    providerCache.set(id, out);
    graph.forEachOutEdge(id, (_e, a, _s, to) => {
      if (providerEnd(a.type) === 'to') out.push(to);
    });
    graph.forEachInEdge(id, (_e, a, from) => {
      if (providerEnd(a.type) === 'from') out.push(from);
    });
    return out.sort();
  };
  const locationCache = new Map<string, string | null>();
  const ownLocation = (id: string): string | null => {
    const hit = locationCache.get(id);
    if (hit !== undefined) return hit;
    let best: string | null = null;
    graph.forEachOutEdge(id, (_e, a, _s, to) => {
      if (a.type === locType && (best === null || to < best)) best = to;
    });
    locationCache.set(id, best);
    return best;
  };

  const ids = [...report.origins.map((o) => o.id), ...report.impacted.map((c) => c.id)];
  const inReport = new Set(ids);
  const out = new Map<string, CIContext>();
  for (const id of ids) if (!out.has(id) && graph.hasNode(id)) out.set(id, { location: null, services: [] });

  // Nearest location as (hops, id), memoised per CI: a walk that reaches a CI whose answer is known
  // takes it (hops added) instead of walking on. Origins come first and impacted CIs by depth, so
  // providers nearer the origin are usually known before their dependents ask.
  const best = new Map<string, { hops: number; loc: string } | null>();
  const better = (a: { hops: number; loc: string } | null, b: { hops: number; loc: string }) =>
    a === null || b.hops < a.hops || (b.hops === a.hops && b.loc < a.loc) ? b : a;
  for (const [id, ctx] of out) {
    let found: { hops: number; loc: string } | null = null;
    let level = [id];
    const seen = new Set(level);
    for (let hop = 0; hop <= maxHops && level.length > 0; hop++) {
      if (found !== null && found.hops <= hop) break;
      const next: string[] = [];
      for (const n of level) {
        const own = ownLocation(n);
        if (own !== null) {
          found = better(found, { hops: hop, loc: own });
          continue;
        }
        const memo = n === id ? undefined : best.get(n);
        if (memo !== undefined) {
          if (memo !== null && hop + memo.hops <= maxHops) found = better(found, { hops: hop + memo.hops, loc: memo.loc });
          continue;
        }
        for (const p of providersOf(n))
          if (!seen.has(p) && seen.size < maxVisited) {
            seen.add(p);
            next.push(p);
          }
      }
      level = next;
    }
    best.set(id, found);
    ctx.location = found?.loc ?? null;
  }

  // The service walks stay inside the report: each CI's providers in the report, filtered once.
  const inside = new Map<string, string[]>();
  const providersInside = (id: string): string[] => {
    let ps = inside.get(id);
    if (ps === undefined) inside.set(id, (ps = providersOf(id).filter((p) => inReport.has(p))));
    return ps;
  };
  for (const svc of report.services) {
    if (!out.has(svc.id)) continue;
    const seen = new Set([svc.id]);
    const queue = [svc.id];
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!;
      out.get(n)!.services.push(svc.id);
      for (const p of providersInside(n))
        if (!seen.has(p)) {
          seen.add(p);
          queue.push(p);
        }
    }
  }
  return out;
}

/** The report with `location` and `services` on every origin and impacted CI (new objects; the report is not changed). */
export function withContext<R extends Report>(graph: GraphView, registry: Registry, report: R, opts?: ContextOptions): R {
  const ctx = impactContext(graph, registry, report, opts);
  const add = <T extends { id: string }>(x: T) => ({ ...x, ...(ctx.get(x.id) ?? { location: null, services: [] }) });
  return { ...report, origins: report.origins.map(add), impacted: report.impacted.map(add) };
}
