/** Tiny graphs, a real SQLite-backed Cmdb, and principals for the change-management tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiDirectedGraph } from 'graphology';
import { Cmdb } from '../../engine/cmdb.ts';
import type { MirrorGraph, NodeAttrs } from '../../engine/mirror/types.ts';
import { CIInput, toCIData, type RedundancyRule } from '../../engine/model/ci.ts';
import { Registry } from '../../engine/model/registry.ts';
import { RelationshipInput, toRelationshipData } from '../../engine/model/relationship.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { buildImpactIndex, type ImpactIndex } from '../../engine/impact/index.ts';
import type { Mutation } from '../../engine/store/port.ts';
import { ChangeService } from '../../engine/changes/service.ts';
import type { ChangeTarget, Principal } from '../../engine/changes/model.ts';
import { changeImpact } from '../../engine/changes/assessment.ts';
import type { assessRisk, RiskInput } from '../../engine/changes/risk.ts';

export const registry = Registry.load();

export interface NodeSpec {
  class?: string;
  criticality?: number;
  owner?: string;
  redundancy?: RedundancyRule[];
}

/** `nodes`: id → spec (class defaults to Application); `edges`: `[from, TYPE, to]` as stored. */
export function graphOf(nodes: Record<string, NodeSpec>, edges: [string, string, string][]): MirrorGraph {
  const g: MirrorGraph = new MultiDirectedGraph<NodeAttrs, { type: string }>();
  for (const [id, s] of Object.entries(nodes)) {
    const a: NodeAttrs = {
      class: s.class ?? 'Application',
      name: `${id} name`,
      status: 'in_service',
      environment: 'production',
      criticality: s.criticality ?? 3,
    };
    if (s.owner !== undefined) a.owner = s.owner;
    if (s.redundancy !== undefined) a.redundancy = s.redundancy;
    g.addNode(id, a);
  }
  for (const [from, type, to] of edges) g.addEdgeWithKey(`${from}|${type}|${to}`, from, to, { type });
  return g;
}

/** The same graph as a batch of mutations, to load a real store. */
export function batchOf(nodes: Record<string, NodeSpec>, edges: [string, string, string][]): Mutation[] {
  return [
    ...Object.entries(nodes).map(([id, s]): Mutation => ({
      op: 'upsertCI',
      ci: toCIData(
        CIInput.parse({
          id,
          name: `${id} name`,
          class: s.class ?? 'Application',
          criticality: s.criticality ?? 3,
          owner: s.owner,
          redundancy: s.redundancy ?? [],
        }),
      ),
    })),
    ...edges.map(([from, type, to]): Mutation => ({
      op: 'upsertRelationship',
      relationship: toRelationshipData(RelationshipInput.parse({ from, type, to })),
    })),
  ];
}

export const P = {
  eng: { name: 'erin', role: 'engineer' },
  eng2: { name: 'eddie', role: 'engineer' },
  cm: { name: 'carol', role: 'change_manager' },
  cab1: { name: 'ana', role: 'cab_member' },
  cab2: { name: 'ben', role: 'cab_member' },
  cab3: { name: 'cho', role: 'cab_member' },
  viewer: { name: 'vic', role: 'viewer' },
} satisfies Record<string, Principal>;

/** A temp directory for SQLite files, removed by the returned cleanup. */
export function tmpDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;

/** A Cmdb on a fresh SQLite file loaded with the graph, and a ChangeService on a settable clock. */
export async function serviceOn(
  dir: string,
  nodes: Record<string, NodeSpec>,
  edges: [string, string, string][],
  start = '2026-12-01T09:00:00Z',
) {
  const cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, `c-${++counter}.sqlite`)), registry });
  await cmdb.apply(batchOf(nodes, edges), { actor: 'fixture' });
  const clock = { now: new Date(start) };
  const service = new ChangeService({ cmdb, now: () => clock.now });
  return { cmdb, service, clock };
}

export const W = (start: string, end: string) => ({ start: new Date(start).toISOString(), end: new Date(end).toISOString() });

/** A standalone impact index over `g` (what `cmdb.impactIndex()` hands the algorithms in the app). */
export const indexOf = (g: MirrorGraph): ImpactIndex => buildImpactIndex(g, registry);

/** A risk input for a change on a tiny graph: its impact computed, every other factor empty unless `extra` sets it. */
export function riskInput(
  nodes: Record<string, NodeSpec>,
  edges: [string, string, string][],
  targets: ChangeTarget[],
  extra: Partial<RiskInput> = {},
): RiskInput {
  return {
    id: 'CHG-000100',
    type: 'normal',
    targets,
    impact: changeImpact(indexOf(graphOf(nodes, edges)), registry, targets),
    conflicts: [],
    freezes: [],
    maintenance: { outside: [], inside: [] },
    incidents: [],
    problems: [],
    pastChanges: [],
    ...extra,
  };
}

/** One factor of an assessment by id. */
export const factorOf = (r: ReturnType<typeof assessRisk>, id: string) => r.factors.find((f) => f.id === id)!;
