/** The mirror follows the store: never ahead, never behind after a write, equal after hydration. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { Mirror } from '../engine/mirror/mirror.ts';
import { checkMirror } from '../engine/mirror/check.ts';
import { ConflictError, SemanticError, StoreUnavailableError } from '../engine/errors.ts';
import type { Mutation } from '../engine/store/port.ts';
import { ci, rel } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-mirror-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = Registry.load();
let n = 0;
const actor = { actor: 'test' };

function snapshot(m: Mirror) {
  const g = m.graph;
  return {
    seq: m.seq,
    nodes: g.nodes().map((id) => [id, g.getNodeAttributes(id)]),
    edges: g.edges().map((e) => [e, g.source(e), g.target(e), g.getEdgeAttributes(e)]),
  };
}

const base: Mutation[] = [
  {
    op: 'upsertCI',
    ci: ci({ id: 'cluster-1', class: 'Cluster', name: 'esx cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] }),
  },
  { op: 'upsertCI', ci: ci({ id: 'esx-1', class: 'Hypervisor', name: 'esx 1' }) },
  { op: 'upsertCI', ci: ci({ id: 'esx-2', class: 'Hypervisor', name: 'esx 2', owner: 'infra' }) },
  { op: 'upsertRelationship', relationship: rel({ type: 'MEMBER_OF', from: 'esx-1', to: 'cluster-1' }) },
  { op: 'upsertRelationship', relationship: rel({ type: 'MEMBER_OF', from: 'esx-2', to: 'cluster-1' }) },
];

async function fresh(path = join(dir, `m-${++n}.sqlite`)): Promise<Cmdb> {
  return Cmdb.open({ store: new SqliteStore(path), registry });
}

describe('mirror', () => {
  it('applies committed writes with the algorithm attributes only', async () => {
    const cmdb = await fresh();
    const res = await cmdb.apply(base, actor);
    expect(cmdb.seq).toBe(res.seq);
    expect(cmdb.mirror.graph.getNodeAttributes('cluster-1')).toEqual({
      class: 'Cluster',
      name: 'esx cluster',
      status: 'in_service',
      environment: 'production',
      criticality: 3,
      redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }],
    });
    expect(cmdb.mirror.graph.getNodeAttributes('esx-2')).toEqual({
      class: 'Hypervisor',
      name: 'esx 2',
      status: 'in_service',
      environment: 'production',
      criticality: 3,
      owner: 'infra',
    });
    expect(cmdb.mirror.graph.source('esx-1|MEMBER_OF|cluster-1')).toBe('esx-1');
    expect(cmdb.mirror.graph.getEdgeAttributes('esx-1|MEMBER_OF|cluster-1')).toEqual({ type: 'MEMBER_OF' });
    await cmdb.close();
  });

  it('drops attributes a CI no longer has instead of merging them', async () => {
    const cmdb = await fresh();
    await cmdb.apply(base, actor);
    await cmdb.apply(
      [
        { op: 'upsertCI', ci: ci({ id: 'esx-2', class: 'Hypervisor', name: 'esx 2' }) },
        { op: 'upsertCI', ci: ci({ id: 'cluster-1', class: 'Cluster', name: 'esx cluster' }) },
      ],
      actor,
    );
    expect(cmdb.mirror.graph.getNodeAttributes('esx-2').owner).toBeUndefined();
    expect(cmdb.mirror.graph.getNodeAttributes('cluster-1').redundancy).toBeUndefined();
    expect((await checkMirror(cmdb.mirror, cmdb.store)).consistent).toBe(true);
    await cmdb.close();
  });

  it('removes edges and nodes on delete and moves an edge whose endpoints changed', async () => {
    const cmdb = await fresh();
    await cmdb.apply(base, actor);
    await cmdb.apply(
      [
        { op: 'upsertCI', ci: ci({ id: 'esx-3', class: 'Hypervisor', name: 'esx 3' }) },
        {
          op: 'upsertRelationship',
          relationship: { id: 'esx-2|MEMBER_OF|cluster-1', type: 'MEMBER_OF', from: 'esx-3', to: 'cluster-1', attributes: {} },
        },
      ],
      actor,
    );
    expect(cmdb.mirror.graph.source('esx-2|MEMBER_OF|cluster-1')).toBe('esx-3');
    await cmdb.apply(
      [
        { op: 'deleteRelationship', id: 'esx-1|MEMBER_OF|cluster-1' },
        { op: 'deleteCI', id: 'esx-1' },
      ],
      actor,
    );
    expect(cmdb.mirror.graph.hasNode('esx-1')).toBe(false);
    expect(cmdb.mirror.graph.size).toBe(1);
    expect((await checkMirror(cmdb.mirror, cmdb.store)).consistent).toBe(true);
    await cmdb.close();
  });

  it('leaves the mirror untouched when the store refuses a write', async () => {
    const cmdb = await fresh();
    await cmdb.apply(base, actor);
    const before = snapshot(cmdb.mirror);
    await expect(
      cmdb.apply(
        [
          { op: 'upsertCI', ci: ci({ id: 'esx-9', class: 'Hypervisor', name: 'new' }) },
          { op: 'upsertCI', ci: ci({ id: 'esx-1', class: 'Hypervisor', name: 'stale' }), expectedVersion: 5 },
        ],
        actor,
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      cmdb.apply(
        [
          { op: 'upsertCI', ci: ci({ id: 'esx-8', class: 'Hypervisor', name: 'x' }) },
          { op: 'deleteCI', id: 'cluster-1' },
        ],
        actor,
      ),
    ).rejects.toBeInstanceOf(SemanticError);
    expect(snapshot(cmdb.mirror)).toEqual(before);
    expect((await checkMirror(cmdb.mirror, cmdb.store)).consistent).toBe(true);
    await cmdb.close();
  });

  it('leaves the mirror untouched when the store is gone mid-run', async () => {
    const cmdb = await fresh();
    await cmdb.apply(base, actor);
    const before = snapshot(cmdb.mirror);
    await cmdb.store.close();
    await expect(cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'esx-7', class: 'Hypervisor', name: 'x' }) }], actor)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(snapshot(cmdb.mirror)).toEqual(before);
  });

  it('refuses a relationship to a CI missing from the graph before reaching the store', async () => {
    const cmdb = await fresh();
    await expect(
      cmdb.apply([{ op: 'upsertRelationship', relationship: rel({ type: 'RUNS_ON', from: 'a', to: 'b' }) }], actor),
    ).rejects.toThrow(/references missing CI "a"/);
    expect(await cmdb.store.lastSeq()).toBe(0);
    await cmdb.close();
  });

  it('catches up on writes made by another process on the same store', async () => {
    const path = join(dir, `shared-${++n}.sqlite`);
    const a = await fresh(path);
    const b = await fresh(path);
    await a.apply(base, actor);
    expect(b.mirror.graph.order).toBe(0);
    // b's next write sees a gap in seq and replays the log, including a's writes.
    await b.apply([{ op: 'upsertCI', ci: ci({ id: 'esx-4', class: 'Hypervisor', name: 'esx 4' }) }], actor);
    expect(b.mirror.graph.order).toBe(4);
    expect(b.seq).toBe(6);
    expect((await checkMirror(b.mirror, b.store)).consistent).toBe(true);
    expect(await a.mirror.catchUp(a.store)).toBe(1);
    expect(snapshot(a.mirror)).toEqual(snapshot(b.mirror));
    await a.close();
    await b.close();
  });

  it('hydrates a mirror equal to the one built by the writes', async () => {
    const path = join(dir, `hyd-${++n}.sqlite`);
    const writer = await fresh(path);
    await writer.apply(base, actor);
    await writer.apply([{ op: 'deleteRelationship', id: 'esx-2|MEMBER_OF|cluster-1' }], actor);
    const reader = await fresh(path);
    expect(snapshot(reader.mirror)).toEqual(snapshot(writer.mirror));
    await writer.close();
    await reader.close();
  });

  it('applies writes in commit order when many are issued at once', async () => {
    const cmdb = await fresh();
    await cmdb.apply(base, actor);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'esx-1', class: 'Hypervisor', name: `rename ${i}` }) }], actor),
      ),
    );
    expect(cmdb.seq).toBe(25);
    expect((await checkMirror(cmdb.mirror, cmdb.store)).consistent).toBe(true);
    await cmdb.close();
  });

  it('bumps its revision on graph writes only, not on record writes', async () => {
    const cmdb = await fresh();
    await cmdb.apply(base, actor);
    const revision = cmdb.mirror.revision;
    await cmdb.apply([{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'x' } }], actor);
    expect(cmdb.mirror.revision).toBe(revision);
    expect(cmdb.seq).toBe(6);
    await cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'esx-1', class: 'Hypervisor', name: 'renamed' }) }], actor);
    expect(cmdb.mirror.revision).toBe(revision + 1);
    await cmdb.close();
  });

  it('shares repeated strings and per-type edge attributes within one mirror, and nothing between two mirrors', async () => {
    const path = join(dir, `m-${++n}.sqlite`);
    const a = await fresh(path);
    await a.apply(base, actor);
    const g = a.mirror.graph;
    // Interned: the class string of both hypervisors is one value; the edges of one type one object.
    expect(g.getEdgeAttributes('esx-1|MEMBER_OF|cluster-1')).toBe(g.getEdgeAttributes('esx-2|MEMBER_OF|cluster-1'));
    expect(Object.isFrozen(g.getEdgeAttributes('esx-1|MEMBER_OF|cluster-1'))).toBe(true);
    const b = await Mirror.hydrate(a.store);
    expect(b.graph.getEdgeAttributes('esx-1|MEMBER_OF|cluster-1')).toEqual({ type: 'MEMBER_OF' });
    // The tables belong to each mirror, not to the module: a second mirror builds its own.
    expect(b.graph.getEdgeAttributes('esx-1|MEMBER_OF|cluster-1')).not.toBe(g.getEdgeAttributes('esx-1|MEMBER_OF|cluster-1'));
    expect(b.attrs).not.toBe(a.mirror.attrs);
    expect(b.graph.getEdgeAttributes('esx-1|MEMBER_OF|cluster-1')).toBe(b.graph.getEdgeAttributes('esx-2|MEMBER_OF|cluster-1'));
    await a.close();
  });

  it('keeps a derived value until its revision moves, then builds it again', async () => {
    const cmdb = await fresh();
    await cmdb.apply(base, actor);
    const key = {};
    let builds = 0;
    const make = () => ({ build: ++builds, order: cmdb.mirror.graph.order });
    const first = cmdb.mirror.derived(key, make);
    expect(cmdb.mirror.derived(key, make)).toBe(first);
    // A record write does not touch the graph: the value stays.
    await cmdb.apply([{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'x' } }], actor);
    expect(cmdb.mirror.derived(key, make)).toBe(first);
    await cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'esx-3', class: 'Hypervisor', name: 'esx 3' }) }], actor);
    expect(cmdb.mirror.derived(key, make)).toEqual({ build: 2, order: 4 });
    // Keys are separate slots, and another mirror has none of them.
    expect(cmdb.mirror.derived({}, () => 'other')).toBe('other');
    expect(new Mirror().derived(key, () => 'fresh')).toBe('fresh');
    await cmdb.close();
  });

  it('check names each difference between mirror and store', async () => {
    const cmdb = await fresh();
    await cmdb.apply(base, actor);
    cmdb.mirror.graph.setNodeAttribute('esx-1', 'status', 'retired');
    cmdb.mirror.graph.dropEdge('esx-2|MEMBER_OF|cluster-1');
    cmdb.mirror.graph.addNode('ghost', { class: 'Server', name: 'ghost', status: 'in_service', environment: 'production', criticality: 3 });
    const result = await checkMirror(cmdb.mirror, cmdb.store);
    expect(result.consistent).toBe(false);
    expect(result.differences.map((d) => [d.kind, d.id, d.problem])).toEqual([
      ['ci', 'esx-1', 'attributes_differ'],
      ['ci', 'ghost', 'missing_in_store'],
      ['relationship', 'esx-2|MEMBER_OF|cluster-1', 'missing_in_mirror'],
    ]);
    await cmdb.close();
  });
});
