/**
 * Freeze and maintenance windows, as pure functions over the graph (DESIGN.md "Freeze windows").
 * A window's scope is global, or names CIs and services; a service covers itself and everything
 * it depends on — its transitive providers through propagating relationships (engine/impact
 * `dependencies`, direction 'providers').
 *
 * - A freeze window applies to a change when the windows overlap and a target is in scope.
 * - Maintenance windows are advisory: when some target has maintenance windows in scope, the change
 *   window should lie entirely inside one of them; otherwise risk gets a factor. Targets without
 *   any maintenance window in scope are not judged.
 */
import { dependencies, indexFor, type ImpactIndex } from '../impact/index.ts';
import type { Registry } from '../model/registry.ts';
import { overlap } from './conflicts.ts';
import type { FreezeHit, TimeWindow, WindowDoc, WindowScope } from './model.ts';

/** Every CI a scope covers, with the reason (`ci`, or `service:<id>`); undefined for a global scope. */
export function scopeCoverage(scope: WindowScope, source: ImpactIndex, registry: Registry): Map<string, string> | undefined {
  if (scope.global) return undefined;
  const index = indexFor(source, registry, 'windows');
  const covered = new Map<string, string>();
  for (const ci of scope.cis) covered.set(ci, 'ci');
  for (const service of scope.services) {
    // A service deleted since the window was created covers nothing.
    if (!index.idToIndex.has(service)) continue;
    const via = `service:${service}`;
    if (!covered.has(service)) covered.set(service, via);
    for (const d of dependencies(index, registry, service).dependencies) if (!covered.has(d.id)) covered.set(d.id, via);
  }
  return covered;
}

/** The freeze windows a change planned for `window` on `targets` falls into, sorted by window id. */
export function freezeHits(
  window: TimeWindow | null,
  targets: readonly string[],
  freezes: readonly WindowDoc[],
  source: ImpactIndex,
  registry: Registry,
): FreezeHit[] {
  const hits: FreezeHit[] = [];
  // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent: the tie branches only differ for equal ids, and a target listed twice gives two identical entries
  const byCi = (a: { ci: string }, b: { ci: string }) => (a.ci < b.ci ? -1 : a.ci > b.ci ? 1 : 0);
  for (const f of freezes) {
    if (overlap(window, { start: f.start, end: f.end }) === null) continue;
    const coverage = scopeCoverage(f.scope, source, registry);
    const cis = targets
      .filter((t) => coverage === undefined || coverage.has(t))
      .map((t) => ({ ci: t, via: coverage === undefined ? 'global' : coverage.get(t)! }))
      .sort(byCi);
    if (cis.length === 0) continue;
    hits.push({ window: f.id, name: f.name, start: f.start, end: f.end, global: f.scope.global, cis });
  }
  // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent: the tie branches only differ for equal ids, and freeze window ids are unique
  return hits.sort((a, b) => (a.window < b.window ? -1 : a.window > b.window ? 1 : 0));
}

export interface MaintenanceCheck {
  /** Targets that have maintenance windows in scope but whose change window lies in none of them. */
  outside: { ci: string; windows: string[] }[];
  /** Targets whose change window lies inside one of their maintenance windows. */
  inside: { ci: string; window: string }[];
}

export function maintenanceCheck(
  window: TimeWindow | null,
  targets: readonly string[],
  windows: readonly WindowDoc[],
  source: ImpactIndex,
  registry: Registry,
): MaintenanceCheck {
  const result: MaintenanceCheck = { outside: [], inside: [] };
  if (window === null) return result;
  const coverage = windows.map((w) => ({ w, covered: scopeCoverage(w.scope, source, registry) }));
  for (const t of [...targets].sort()) {
    const applicable = coverage.filter((c) => c.covered === undefined || c.covered.has(t)).map((c) => c.w);
    if (applicable.length === 0) continue;
    const inside = applicable.find((w) => w.start <= window.start && window.end <= w.end);
    if (inside) result.inside.push({ ci: t, window: inside.id });
    else result.outside.push({ ci: t, windows: applicable.map((w) => w.id).sort() });
  }
  return result;
}
