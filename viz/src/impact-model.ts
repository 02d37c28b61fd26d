/**
 * Turns the API's impact answer into what the map draws — it maps states to classes and never
 * computes impact (STYLE.md #13): nodes are the origins, the impacted CIs (or the server's counted
 * groups, unless expanded) and optional compound groups (class, location or service); edges are
 * the stored relationships of the `via` paths, drawn from the origin's side. Pure, so it is unit
 * tested without a browser.
 */
import type { ImpactAnswer, ImpactedCI, Step } from './api.ts';
import { DEFAULT_LAYOUT, layeredPositions, wrapFor, type LayoutNode } from './layout.ts';

export type GroupBy = 'none' | 'class' | 'location' | 'service';

export interface MapNode {
  id: string;
  label: string;
  classes: string[];
  depth: number;
  state: 'down' | 'degraded';
  ciClass: string;
  environment: string;
  parent?: string;
  x: number;
  y: number;
  /** For a counted group: its members. */
  members?: string[];
}
export interface MapEdge {
  id: string;
  source: string;
  target: string;
  type: string;
}
export interface MapParent {
  id: string;
  label: string;
}
export interface ImpactMap {
  nodes: MapNode[];
  edges: MapEdge[];
  parents: MapParent[];
}

export interface MapOptions {
  groupBy: GroupBy;
  /** Server groups the user expanded. */
  expanded: ReadonlySet<string>;
  /**
   * CI → its location and the impacted business services it supports, as the server computed them
   * (`context: true` on POST /impact): grouping by location or service needs graph knowledge, so
   * the page only reads it. Without it those groupings put every CI in one "unknown" group.
   */
  context?: ReadonlyMap<string, CIContext>;
}

export interface CIContext {
  location: string | null;
  services: readonly string[];
}

/** The server's per-CI context carried by an answer asked with `context: true`, or null when it has none. */
export function contextOf(answer: ImpactAnswer): Map<string, CIContext> | null {
  const out = new Map<string, CIContext>();
  for (const c of [...answer.origins, ...answer.impacted]) {
    if (c.services === undefined || c.location === undefined) return null;
    out.set(c.id, { location: c.location, services: c.services });
  }
  return out;
}

/** The CI one hop nearer the origin on the explanation path. */
export function previousOnPath(ci: { id: string; via: readonly Step[] }): string | null {
  const last = ci.via[ci.via.length - 1];
  if (!last) return null;
  return last.from === ci.id ? last.to : last.from;
}

/** Edges of one via path, each oriented from the origin's side: [source, target, step]. */
export function pathEdges(ci: { id: string; via: readonly Step[] }): [string, string, Step][] {
  const out: [string, string, Step][] = [];
  let node = ci.id;
  for (let i = ci.via.length - 1; i >= 0; i--) {
    const s = ci.via[i]!;
    const other = s.from === node ? s.to : s.from;
    out.push([other, node, s]);
    node = other;
  }
  return out.reverse();
}

export const stepId = (s: Step) => `${s.from}|${s.type}|${s.to}`;

function ciLabel(ci: ImpactedCI, service?: { criticality: number; owner: string | null }): string {
  const lines = [ci.name, `${ci.class} · ${ci.state.toUpperCase()}`];
  if (service) lines.push(`criticality ${service.criticality} · ${service.owner ?? 'no owner'}`);
  for (const r of ci.redundancy ?? []) lines.push(`${r.available} of ${r.members} ${r.relationship} up (needs ${r.required})`);
  return lines.join('\n');
}

function groupKeys(answer: ImpactAnswer, opts: MapOptions): Map<string, { key: string; label: string }> {
  const out = new Map<string, { key: string; label: string }>();
  if (opts.groupBy === 'class') {
    for (const c of answer.impacted) out.set(c.id, { key: `class:${c.class}`, label: c.class });
  } else if (opts.groupBy === 'location') {
    for (const c of [...answer.origins, ...answer.impacted]) {
      const loc = opts.context?.get(c.id)?.location ?? null;
      out.set(c.id, { key: `location:${loc ?? '-'}`, label: loc ?? 'no known location' });
    }
  } else if (opts.groupBy === 'service') {
    // The server lists a CI's services in the answer's order (criticality first): it joins the most critical one's group.
    const names = new Map(answer.services.map((s) => [s.id, s.name]));
    for (const c of [...answer.origins, ...answer.impacted]) {
      const first = opts.context?.get(c.id)?.services[0];
      out.set(
        c.id,
        first === undefined
          ? { key: 'service:-', label: 'supports no impacted service' }
          : { key: `service:${first}`, label: `${names.get(first) ?? first} (${first})` },
      );
    }
  }
  return out;
}

export function impactMap(answer: ImpactAnswer, opts: MapOptions): ImpactMap {
  const services = new Map(answer.services.map((s) => [s.id, s]));
  const groupOf = new Map<string, string>(); // member → server group node id (collapsed groups only)
  for (const g of answer.groups?.groups ?? []) if (!opts.expanded.has(g.id)) for (const m of g.members) groupOf.set(m, g.id);
  const shown = (id: string) => groupOf.get(id) ?? id;
  const keys = groupKeys(answer, opts);

  const layout: LayoutNode[] = [];
  const nodes: MapNode[] = [];
  const parents = new Map<string, MapParent>();
  const parentOf = (id: string) => {
    const k = keys.get(id);
    if (!k) return undefined;
    if (!parents.has(k.key)) parents.set(k.key, { id: k.key, label: k.label });
    return k.key;
  };
  for (const o of answer.origins) {
    const parent = parentOf(o.id);
    nodes.push({
      id: o.id,
      label: `${o.id}\nORIGIN · ${o.state.toUpperCase()}`,
      classes: ['origin', o.state],
      depth: 0,
      state: o.state,
      ciClass: '',
      environment: '',
      x: 0,
      y: 0,
      ...(parent ? { parent } : {}),
    });
    layout.push({ id: o.id, rank: 0, group: parent ?? '', parentHint: null });
  }
  const originIds = new Set(answer.origins.map((o) => o.id));
  for (const ci of answer.impacted) {
    if (groupOf.has(ci.id) || originIds.has(ci.id)) continue;
    const svc = services.get(ci.id);
    const parent = parentOf(ci.id);
    nodes.push({
      id: ci.id,
      label: ciLabel(ci, svc),
      classes: [ci.state, ...(svc ? ['service'] : [])],
      depth: ci.depth,
      state: ci.state,
      ciClass: ci.class,
      environment: ci.environment,
      x: 0,
      y: 0,
      ...(parent ? { parent } : {}),
    });
    const prev = previousOnPath(ci);
    layout.push({ id: ci.id, rank: ci.depth, group: parent ?? '', parentHint: prev === null ? null : shown(prev) });
  }
  const byId = new Map(answer.impacted.map((c) => [c.id, c]));
  for (const g of answer.groups?.groups ?? []) {
    if (opts.expanded.has(g.id)) continue;
    const first = byId.get(g.members[0]!);
    const parent = first ? parentOf(first.id) : undefined;
    const depth = g.depth ?? first?.depth ?? 1;
    nodes.push({
      id: g.id,
      label: `${g.label}\n${g.state.toUpperCase()} · click to expand`,
      classes: ['group', g.state],
      depth,
      state: g.state,
      ciClass: g.class,
      environment: first?.environment ?? '',
      x: 0,
      y: 0,
      members: g.members,
      ...(parent ? { parent } : {}),
    });
    const prev = first ? previousOnPath(first) : null;
    layout.push({ id: g.id, rank: depth, group: parent ?? '', parentHint: prev === null ? null : shown(prev) });
  }

  const edges = new Map<string, MapEdge>();
  for (const ci of answer.impacted) {
    for (const [source, target, step] of pathEdges(ci)) {
      const s = shown(source);
      const t = shown(target);
      if (s === t) continue;
      const id = s === source && t === target ? stepId(step) : `${s}->${t}|${step.type}`;
      if (!edges.has(id)) edges.set(id, { id, source: s, target: t, type: step.type });
    }
  }

  const pos = layeredPositions(layout, { ...DEFAULT_LAYOUT, wrap: wrapFor(layout.length) });
  for (const n of nodes) Object.assign(n, pos.get(n.id));
  return {
    nodes,
    edges: [...edges.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    parents: [...parents.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}
