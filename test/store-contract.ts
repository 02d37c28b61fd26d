/**
 * The one contract every GraphStore adapter keeps (STYLE.md #9): a behaviour exists once here
 * and is proven on SqliteStore and Neo4jStore by test/store-contract.test.ts.
 */
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { CIInput, toCIData, type CIData } from '../engine/model/ci.ts';
import { RelationshipInput, toRelationshipData, type RelationshipData } from '../engine/model/relationship.ts';
import { ConflictError, InputError, NotFoundError, SemanticError } from '../engine/errors.ts';
import type { GraphStore, Mutation } from '../engine/store/port.ts';

export interface StoreHarness {
  /** A fresh, empty, initialised store. */
  create(): Promise<GraphStore>;
  /** A second handle on the same data (a restart), initialised. */
  reopen(store: GraphStore): Promise<GraphStore>;
}

export function ci(input: Record<string, unknown>): CIData {
  return toCIData(CIInput.parse(input));
}

export function rel(input: Record<string, unknown>): RelationshipData {
  return toRelationshipData(RelationshipInput.parse(input));
}

const actor = { actor: 'contract-test' };

async function all<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

export function storeContract(name: string, harness: () => StoreHarness | undefined): void {
  describe(`GraphStore contract: ${name}`, () => {
    let store: GraphStore;
    const extra: GraphStore[] = [];

    beforeEach(async () => {
      store = await harness()!.create();
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.close();
    });

    const web = ci({ id: 'web-01', class: 'VirtualMachine', name: 'web 01', attributes: { hostname: 'web01.corp' } });
    const db = ci({ id: 'db-01', class: 'Database', name: 'orders db', criticality: 1, owner: 'dba', tags: ['pci', 'tier:1'] });
    const dep = rel({ type: 'DEPENDS_ON', from: 'web-01', to: 'db-01' });

    it('starts empty at sequence 0', async () => {
      expect(await store.lastSeq()).toBe(0);
      expect(await store.counts()).toEqual({ cis: 0, relationships: 0, events: 0, records: 0 });
      expect(await all(store.streamCIs())).toEqual([]);
      expect(await all(store.streamRelationships())).toEqual([]);
    });

    it('creates a CI at version 1 with defaults, timestamps and a create event', async () => {
      const res = await store.apply([{ op: 'upsertCI', ci: web }], actor);
      expect(res.seq).toBe(1);
      expect(res.events).toHaveLength(1);
      const saved = await store.getCI('web-01');
      expect(saved).toMatchObject({ ...web, version: 1, status: 'in_service', environment: 'production', criticality: 3 });
      expect(saved!.createdAt).toBe(saved!.updatedAt);
      expect(Date.parse(saved!.createdAt)).not.toBeNaN();
      expect(res.events[0]).toMatchObject({
        seq: 1,
        actor: 'contract-test',
        op: 'create',
        entity: 'ci',
        id: 'web-01',
        before: null,
        after: saved,
      });
    });

    it('bumps the version on update, keeps createdAt and records before and after', async () => {
      await store.apply([{ op: 'upsertCI', ci: web }], actor);
      const first = (await store.getCI('web-01'))!;
      const res = await store.apply([{ op: 'upsertCI', ci: { ...web, status: 'maintenance' } }], { actor: 'alice', changeId: 'CHG-1' });
      const second = (await store.getCI('web-01'))!;
      expect(second.version).toBe(2);
      expect(second.status).toBe('maintenance');
      expect(second.createdAt).toBe(first.createdAt);
      expect(res.events[0]).toMatchObject({ seq: 2, op: 'update', actor: 'alice', changeId: 'CHG-1', before: first, after: second });
    });

    it('treats an identical upsert as a no-op: no event, no version bump', async () => {
      await store.apply(
        [
          { op: 'upsertCI', ci: web },
          { op: 'upsertCI', ci: db },
          { op: 'upsertRelationship', relationship: dep },
        ],
        actor,
      );
      const res = await store.apply(
        [
          { op: 'upsertCI', ci: { ...web, attributes: { hostname: 'web01.corp' } } },
          { op: 'upsertCI', ci: db },
          { op: 'upsertRelationship', relationship: dep },
        ],
        actor,
      );
      expect(res).toEqual({ seq: 3, events: [] });
      expect((await store.getCI('web-01'))!.version).toBe(1);
      expect((await store.counts()).events).toBe(3);
    });

    it('refuses a stale expectedVersion with ConflictError and writes nothing', async () => {
      await store.apply([{ op: 'upsertCI', ci: web }], actor);
      await store.apply([{ op: 'upsertCI', ci: { ...web, name: 'web one' } }], actor);
      const stale = store.apply(
        [
          { op: 'upsertCI', ci: db },
          { op: 'upsertCI', ci: { ...web, name: 'lost update' }, expectedVersion: 1 },
        ],
        actor,
      );
      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      await expect(stale).rejects.toThrow(/web-01.*version 2/);
      expect(await store.getCI('db-01')).toBeUndefined();
      expect((await store.getCI('web-01'))!.name).toBe('web one');
      expect(await store.lastSeq()).toBe(2);
    });

    it('refuses a mutation with an unknown op with InputError and writes nothing of its batch', async () => {
      const stray = store.apply([{ op: 'upsertCI', ci: web }, { op: 'upsertCi', ci: db } as unknown as Mutation], actor);
      await expect(stray).rejects.toBeInstanceOf(InputError);
      await expect(stray).rejects.toThrow('apply: mutation 1: unknown op "upsertCi"');
      expect(await store.getCI('web-01')).toBeUndefined();
      expect(await store.lastSeq()).toBe(0);
    });

    it('accepts the current expectedVersion, and expectedVersion 0 only for a new CI', async () => {
      await store.apply([{ op: 'upsertCI', ci: web, expectedVersion: 0 }], actor);
      await expect(store.apply([{ op: 'upsertCI', ci: web, expectedVersion: 0 }], actor)).rejects.toThrow(/already exists/);
      await store.apply([{ op: 'upsertCI', ci: { ...web, name: 'x' }, expectedVersion: 1 }], actor);
      expect((await store.getCI('web-01'))!.version).toBe(2);
    });

    it('applies a batch atomically: a dangling relationship rolls back the CIs before it', async () => {
      const bad = store.apply(
        [
          { op: 'upsertCI', ci: web },
          { op: 'upsertCI', ci: db },
          { op: 'upsertRelationship', relationship: dep },
          { op: 'upsertRelationship', relationship: rel({ type: 'RUNS_ON', from: 'db-01', to: 'vm-missing' }) },
        ],
        actor,
      );
      await expect(bad).rejects.toBeInstanceOf(SemanticError);
      await expect(bad).rejects.toThrow(/missing CI "vm-missing"/);
      expect(await store.counts()).toEqual({ cis: 0, relationships: 0, events: 0, records: 0 });
      expect(await store.lastSeq()).toBe(0);
    });

    it('stores relationships with their default id and attributes, endpoints created in the same batch', async () => {
      const withAttrs = rel({
        type: 'RUNS_ON',
        from: 'db-01',
        to: 'web-01',
        attributes: { port: 5432, tls: { enabled: true, versions: ['1.2', '1.3'] } },
      });
      await store.apply(
        [
          { op: 'upsertCI', ci: web },
          { op: 'upsertCI', ci: db },
          { op: 'upsertRelationship', relationship: dep },
          { op: 'upsertRelationship', relationship: withAttrs },
        ],
        actor,
      );
      const saved = await store.getRelationship('db-01|RUNS_ON|web-01');
      expect(saved).toMatchObject({
        id: 'db-01|RUNS_ON|web-01',
        type: 'RUNS_ON',
        from: 'db-01',
        to: 'web-01',
        version: 1,
        attributes: { port: 5432, tls: { enabled: true, versions: ['1.2', '1.3'] } },
      });
      expect((await all(store.streamRelationships())).map((r) => r.id)).toEqual(['db-01|RUNS_ON|web-01', 'web-01|DEPENDS_ON|db-01']);
    });

    it('refuses to delete a CI that relationships still reference, and deletes it once they are gone', async () => {
      await store.apply(
        [
          { op: 'upsertCI', ci: web },
          { op: 'upsertCI', ci: db },
          { op: 'upsertRelationship', relationship: dep },
        ],
        actor,
      );
      await expect(store.apply([{ op: 'deleteCI', id: 'db-01' }], actor)).rejects.toThrow(/still has relationships/);
      const res = await store.apply(
        [
          { op: 'deleteRelationship', id: dep.id },
          { op: 'deleteCI', id: 'db-01' },
        ],
        actor,
      );
      expect(res.events.map((e) => [e.op, e.entity, e.id])).toEqual([
        ['delete', 'relationship', dep.id],
        ['delete', 'ci', 'db-01'],
      ]);
      expect(res.events[1]!.before).toMatchObject({ id: 'db-01', version: 1 });
      expect(res.events[1]!.after).toBeNull();
      expect(await store.getCI('db-01')).toBeUndefined();
      expect(await store.counts()).toMatchObject({ cis: 1, relationships: 0 });
    });

    it('refuses to delete what does not exist with NotFoundError', async () => {
      await expect(store.apply([{ op: 'deleteCI', id: 'nope' }], actor)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.apply([{ op: 'deleteRelationship', id: 'a|DEPENDS_ON|b' }], actor)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('changes a CI class in place', async () => {
      await store.apply([{ op: 'upsertCI', ci: web }], actor);
      await store.apply([{ op: 'upsertCI', ci: { ...web, class: 'Server' } }], actor);
      expect((await store.getCI('web-01'))!.class).toBe('Server');
      expect((await all(store.streamCIs())).map((c) => c.class)).toEqual(['Server']);
    });

    it('keeps an append-only history with strictly increasing sequence numbers', async () => {
      await store.apply(
        [
          { op: 'upsertCI', ci: web },
          { op: 'upsertCI', ci: db },
        ],
        actor,
      );
      await store.apply([{ op: 'upsertCI', ci: { ...web, criticality: 2 } }], actor);
      await store.apply([{ op: 'upsertCI', ci: { ...web, criticality: 1 } }], actor);
      const hist = await store.history('ci', 'web-01');
      expect(hist.map((e) => [e.seq, e.op, (e.after as { criticality: number }).criticality])).toEqual([
        [1, 'create', 3],
        [3, 'update', 2],
        [4, 'update', 1],
      ]);
      expect((await store.history('ci', 'web-01', { after: 1, limit: 1 })).map((e) => e.seq)).toEqual([3]);
      expect((await store.eventsAfter(1)).map((e) => [e.seq, e.id])).toEqual([
        [2, 'db-01'],
        [3, 'web-01'],
        [4, 'web-01'],
      ]);
      expect(await store.history('ci', 'db-01')).toHaveLength(1);
      expect(await store.lastSeq()).toBe(4);
    });

    it('streams every CI ordered by id across pages', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => `ci-${String(i).padStart(3, '0')}`);
      await store.apply(
        ids.reverse().map((id) => ({ op: 'upsertCI' as const, ci: ci({ id, class: 'Server', name: `server ${id}` }) })),
        actor,
      );
      const pages: number[] = [];
      const seen: string[] = [];
      for await (const page of store.streamCIs(10)) {
        pages.push(page.length);
        seen.push(...page.map((c) => c.id));
      }
      expect(pages).toEqual([10, 10, 5]);
      expect(seen).toEqual([...ids].sort());
    });

    it("streams the mirror's view: CI summaries and relationship ends, in id order", async () => {
      const cluster = ci({
        id: 'cl-1',
        class: 'Cluster',
        name: 'cluster',
        owner: 'infra',
        status: 'maintenance',
        environment: 'staging',
        criticality: 2,
        attributes: { product: 'vsphere' },
        tags: ['x'],
        redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }],
      });
      await store.apply(
        [
          { op: 'upsertCI', ci: web },
          { op: 'upsertCI', ci: db },
          { op: 'upsertCI', ci: cluster },
          { op: 'upsertRelationship', relationship: dep },
          { op: 'upsertRelationship', relationship: rel({ type: 'MEMBER_OF', from: 'web-01', to: 'cl-1' }) },
        ],
        actor,
      );
      const summaries = await all(store.streamCISummaries(2));
      expect(summaries).toEqual([
        {
          id: 'cl-1',
          class: 'Cluster',
          name: 'cluster',
          status: 'maintenance',
          environment: 'staging',
          criticality: 2,
          owner: 'infra',
          redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }],
        },
        {
          id: 'db-01',
          class: 'Database',
          name: 'orders db',
          status: 'in_service',
          environment: 'production',
          criticality: 1,
          owner: 'dba',
          redundancy: [],
        },
        {
          id: 'web-01',
          class: 'VirtualMachine',
          name: 'web 01',
          status: 'in_service',
          environment: 'production',
          criticality: 3,
          redundancy: [],
        },
      ]);
      expect(await all(store.streamRelationshipEnds(1))).toEqual([
        { id: 'web-01|DEPENDS_ON|db-01', type: 'DEPENDS_ON', from: 'web-01', to: 'db-01' },
        { id: 'web-01|MEMBER_OF|cl-1', type: 'MEMBER_OF', from: 'web-01', to: 'cl-1' },
      ]);
    });

    it('round-trips unicode, empty and nested values exactly', async () => {
      const odd = ci({
        id: 'odd-1',
        class: 'Application',
        name: 'Zahlungsdienst – Ünïcødé 支付',
        owner: 'team ø',
        attributes: { empty: '', zero: 0, no: false, list: [1, 'two', null], nested: { b: 1, a: [{ z: 1 }] } },
        redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: '50%' }],
      });
      await store.apply([{ op: 'upsertCI', ci: odd }], actor);
      expect(await store.getCI('odd-1')).toMatchObject(odd);
      expect((await store.getCI('odd-1'))!.attributes).toEqual(odd.attributes);
    });

    it('survives a restart: a second handle sees the same data and continues the sequence', async () => {
      await store.apply(
        [
          { op: 'upsertCI', ci: web },
          { op: 'upsertCI', ci: db },
          { op: 'upsertRelationship', relationship: dep },
        ],
        actor,
      );
      const again = await harness()!.reopen(store);
      extra.push(again);
      expect(await again.counts()).toEqual({ cis: 2, relationships: 1, events: 3, records: 0 });
      expect(await again.getRelationship(dep.id)).toMatchObject(dep);
      const res = await again.apply([{ op: 'upsertCI', ci: { ...db, name: 'renamed' } }], actor);
      expect(res.seq).toBe(4);
    });

    it('lets exactly one of two concurrent writers with the same expectedVersion win', async () => {
      await store.apply([{ op: 'upsertCI', ci: web }], actor);
      const results = await Promise.allSettled([
        store.apply([{ op: 'upsertCI', ci: { ...web, name: 'A' }, expectedVersion: 1 }], { actor: 'a' }),
        store.apply([{ op: 'upsertCI', ci: { ...web, name: 'B' }, expectedVersion: 1 }], { actor: 'b' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      expect((await store.getCI('web-01'))!.version).toBe(2);
    });

    it('stores records beside the graph with versions, events and keyset paging', async () => {
      const res = await store.apply(
        [
          { op: 'upsertCI', ci: web },
          {
            op: 'putRecord',
            kind: 'change',
            id: 'CHG-2',
            doc: { title: 'patch web', targets: ['web-01'], window: { start: '2026-11-28T22:00:00Z' } },
          },
          { op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'reboot' } },
          { op: 'putRecord', kind: 'incident', id: 'CHG-1', doc: { title: 'same id, other kind' } },
        ],
        { actor: 'carol' },
      );
      expect(res.events.map((e) => [e.seq, e.entity, e.id, e.op])).toEqual([
        [1, 'ci', 'web-01', 'create'],
        [2, 'change', 'CHG-2', 'create'],
        [3, 'change', 'CHG-1', 'create'],
        [4, 'incident', 'CHG-1', 'create'],
      ]);
      expect(await store.getRecord('change', 'CHG-2')).toMatchObject({
        kind: 'change',
        id: 'CHG-2',
        version: 1,
        doc: { title: 'patch web', targets: ['web-01'], window: { start: '2026-11-28T22:00:00Z' } },
      });
      expect((await store.listRecords('change')).map((r) => r.id)).toEqual(['CHG-1', 'CHG-2']);
      expect((await store.listRecords('change', { after: 'CHG-1', limit: 5 })).map((r) => r.id)).toEqual(['CHG-2']);
      expect(await store.apply([{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'reboot' } }], actor)).toEqual({
        seq: 4,
        events: [],
      });
      await expect(
        store.apply([{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'x' }, expectedVersion: 7 }], actor),
      ).rejects.toBeInstanceOf(ConflictError);
      const upd = await store.apply(
        [{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'reboot twice' }, expectedVersion: 1 }],
        actor,
      );
      expect(upd.events[0]).toMatchObject({
        op: 'update',
        entity: 'change',
        before: { version: 1, doc: { title: 'reboot' } },
        after: { version: 2, doc: { title: 'reboot twice' } },
      });
      await store.apply([{ op: 'deleteRecord', kind: 'change', id: 'CHG-1' }], actor);
      expect(await store.getRecord('change', 'CHG-1')).toBeUndefined();
      expect(await store.getRecord('incident', 'CHG-1')).toBeDefined();
      expect((await store.history('change', 'CHG-1')).map((e) => e.op)).toEqual(['create', 'update', 'delete']);
      expect(await store.counts()).toMatchObject({ cis: 1, records: 2 });
      await expect(store.apply([{ op: 'putRecord', kind: 'Bad Kind', id: 'x', doc: {} }], actor)).rejects.toThrow(
        /not a valid record kind/,
      );
    });

    it('keeps checkpoint bytes exactly, parts in order, replaced by name, outside the event log', async () => {
      expect(await store.getCheckpoint('b1')).toBeUndefined();
      const big = new Uint8Array(300_000).map((_, i) => (i * 7919) % 256);
      await store.putCheckpoint({ name: 'b1', seq: 0, parts: [Uint8Array.of(0, 255, 128), big, new Uint8Array(0)] });
      const got = await store.getCheckpoint('b1');
      expect(got?.seq).toBe(0);
      expect(got?.parts.map((p) => Buffer.from(p).toString('hex'))).toEqual(['00ff80', Buffer.from(big).toString('hex'), '']);
      await store.putCheckpoint({ name: 'b1', seq: 7, parts: [Uint8Array.of(1)] });
      await store.putCheckpoint({ name: 'b2', seq: 9, parts: [Uint8Array.of(2)] });
      expect(await store.getCheckpoint('b1')).toEqual({ name: 'b1', seq: 7, parts: [Uint8Array.of(1)] });
      expect((await store.getCheckpoint('b2'))?.parts).toEqual([Uint8Array.of(2)]);
      expect(await store.lastSeq()).toBe(0);
      expect(await store.counts()).toMatchObject({ events: 0, records: 0 });
    });

    it('answers ping while open', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
