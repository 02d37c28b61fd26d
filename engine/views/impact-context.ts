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
  /** Providers of `id` through propagating types, sorted. */
  const providersOf = (id: string): string[] => {
    const out: string[] = [];
    graph.forEachOutEdge(id, (_e, a, _s, to) => {
      if (providerEnd(a.type) === 'to') out.push(to);
    });
    graph.forEachInEdge(id, (_e, a, from) => {
      if (providerEnd(a.type) === 'from') out.push(from);
    });
    return out.sort();
  };
  const ownLocation = (id: string): string | null => {
    let best: string | null = null;
    graph.forEachOutEdge(id, (_e, a, _s, to) => {
      if (a.type === locType && (best === null || to < best)) best = to;
    });
    return best;
  };

  const ids = [...report.origins.map((o) => o.id), ...report.impacted.map((c) => c.id)];
  const inReport = new Set(ids);
  const out = new Map<string, CIContext>();
  for (const id of ids) if (!out.has(id) && graph.hasNode(id)) out.set(id, { location: null, services: [] });

  for (const [id, ctx] of out) {
    let level = [id];
    const seen = new Set(level);
    for (let hop = 0; hop <= maxHops && level.length > 0 && ctx.location === null; hop++) {
      for (const n of level) {
        const loc = ownLocation(n);
        if (loc !== null && (ctx.location === null || loc < ctx.location)) ctx.location = loc;
      }
      if (ctx.location !== null || seen.size >= maxVisited) break;
      const next: string[] = [];
      for (const n of level)
        for (const p of providersOf(n))
          if (!seen.has(p) && seen.size < maxVisited) {
            seen.add(p);
            next.push(p);
          }
      level = next.sort();
    }
  }

  for (const svc of report.services) {
    if (!out.has(svc.id)) continue;
    const seen = new Set([svc.id]);
    const queue = [svc.id];
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!;
      out.get(n)!.services.push(svc.id);
      for (const p of providersOf(n))
        if (inReport.has(p) && !seen.has(p)) {
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
