/**
 * Reading the past on a real store (SQLite in history.test.ts, Neo4j in history.neo4j.test.ts):
 * as-of snapshots and impact after creates, updates and deletes; baselines and their diffs; the
 * hash chain verified and an event altered directly in the database detected, by seq.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cmdb } from '../../engine/cmdb.ts';
import { Registry } from '../../engine/model/registry.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { blastRadius, buildImpactIndex } from '../../engine/impact/index.ts';
import { resolveAsOf } from '../../engine/verification/as-of.ts';
import { PastGraphs } from '../../engine/verification/past-graphs.ts';
import { encodeCheckpoint } from '../../engine/verification/checkpoints.ts';
import type { Snapshot } from '../../engine/audit/snapshot.ts';
import { BaselineService } from '../../engine/verification/baselines.ts';
import { verifyLog } from '../../engine/verification/log.ts';
import { findUnauthorised } from '../../engine/verification/unauthorised.ts';
import { AttestationService } from '../../engine/verification/attestation.ts';
import { ci, rel } from '../store-contract.ts';

export interface HistoryHarness {
  create(): Promise<GraphStore>;
  /** Alters one field of the stored event `seq` directly in the database (SQL UPDATE / Cypher SET). */
  tamper(store: GraphStore, seq: number): Promise<void>;
}

const registry = Registry.load();
const actor = { actor: 'history-test' };

export function historySuite(name: string, harness: () => HistoryHarness) {
  describe(`history, as-of reads and baselines on ${name}`, () => {
    let cmdb: Cmdb;
    /** Seq after the creates, after the updates, after the deletes. */
    let s1: number;
    let s2: number;
    let s3: number;
    beforeEach(async () => {
      cmdb = await Cmdb.open({ store: await harness().create(), registry });
      s1 = (
        await cmdb.apply(
          [
            { op: 'upsertCI', ci: ci({ id: 'svc', class: 'BusinessService', name: 'Shop', criticality: 1 }) },
            { op: 'upsertCI', ci: ci({ id: 'app', class: 'Application', name: 'App', attributes: { version: '1.0' } }) },
            { op: 'upsertCI', ci: ci({ id: 'db', class: 'Database', name: 'DB', attributes: { engine: 'pg' } }) },
            { op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'svc', to: 'app' }) },
            { op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'app', to: 'db' }) },
          ],
          actor,
        )
      ).seq;
      s2 = (
        await cmdb.apply(
          [
            {
              op: 'upsertCI',
              ci: ci({ id: 'app', class: 'Application', name: 'App', status: 'maintenance', attributes: { version: '2.0', port: 8080 } }),
            },
          ],
          actor,
        )
      ).seq;
      s3 = (
        await cmdb.apply(
          [
            { op: 'deleteRelationship', id: 'app|DEPENDS_ON|db' },
            { op: 'deleteCI', id: 'db' },
            { op: 'upsertCI', ci: ci({ id: 'cache', class: 'Cache', name: 'Cache', attributes: { engine: 'redis' } }) },
            { op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'app', to: 'cache' }) },
          ],
          actor,
        )
      ).seq;
    });
    afterEach(async () => cmdb?.close());

    it('rebuilds the graph as of any seq, right for creates, updates and deletes', async () => {
      const [a, b, c, zero] = [await cmdb.snapshotAt(s1), await cmdb.snapshotAt(s2), await cmdb.snapshotAt(s3), await cmdb.snapshotAt(0)];
      expect([...a!.cis.keys()].sort()).toEqual(['app', 'db', 'svc']);
      expect(a!.cis.get('app')!.attributes).toEqual({ version: '1.0' });
      expect(b!.cis.get('app')).toMatchObject({ status: 'maintenance', attributes: { version: '2.0', port: 8080 }, version: 2 });
      expect([...c!.cis.keys()].sort()).toEqual(['app', 'cache', 'svc']);
      expect([...c!.relationships.keys()].sort()).toEqual(['app|DEPENDS_ON|cache', 'svc|DEPENDS_ON|app']);
      expect(zero!.cis.size).toBe(0);
      await expect(cmdb.snapshotAt(s3 + 5)).rejects.toThrow(/in the future/);
    });

    it('answers impact as of a past seq: the deleted database took the shop down then, not now', async () => {
      const then = (await cmdb.asOf({ seq: s1 })).mirror;
      const past = blastRadius(buildImpactIndex(then.graph, registry), registry, [{ ci: 'db', effect: 'down' }]);
      expect(past.services.map((s) => [s.id, s.state])).toEqual([['svc', 'down']]);
      expect(cmdb.mirror.graph.hasNode('db')).toBe(false);
      const nowImpact = blastRadius(cmdb.impactIndex(), registry, [{ ci: 'cache', effect: 'down' }]);
      expect(nowImpact.services.map((s) => s.id)).toEqual(['svc']);
    });

    /** A snapshot's documents in id order, for comparing two rebuilds exactly. */
    const docs = (s: Snapshot) => ({
      cis: [...s.cis.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
      relationships: [...s.relationships.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    });
    /** Writes after s3: an update, a relationship delete, a CI delete and a create. */
    async function laterWrites(): Promise<number> {
      return (
        await cmdb.apply(
          [
            {
              op: 'upsertCI',
              ci: ci({ id: 'cache', class: 'Cache', name: 'Cache', status: 'maintenance', attributes: { engine: 'valkey' } }),
            },
            { op: 'deleteRelationship', id: 'app|DEPENDS_ON|cache' },
            { op: 'deleteCI', id: 'cache' },
            { op: 'upsertCI', ci: ci({ id: 'queue', class: 'MessageQueue', name: 'Queue' }) },
            { op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'app', to: 'queue' }) },
          ],
          actor,
        )
      ).seq;
    }

    it('answers as-of reads identically with and without a baseline checkpoint, on both sides of the baseline', async () => {
      const s4 = await laterWrites();
      const seqs = [s1, s2, s2 + 1, s3, s4];
      const plain = new PastGraphs(cmdb.store, registry);
      const expected = [];
      for (const seq of seqs) {
        const g = await plain.graph({ seq });
        expected.push({ docs: docs(g.snapshot), impact: blastRadius(g.impactIndex(), registry, [{ ci: 'app', effect: 'down' }]) });
      }
      expect(plain.stats.checkpointsUsed).toBe(0);

      const b = await new BaselineService(cmdb).create('mid', 'auditor', { seq: s2 });
      expect(b.checkpoint).toMatchObject({ seq: s2, parts: 1 });
      expect((await cmdb.store.getCheckpoint('mid'))?.seq).toBe(s2);

      for (const [i, seq] of seqs.entries()) {
        const fresh = new PastGraphs(cmdb.store, registry);
        const g = await fresh.graph({ seq });
        expect(docs(g.snapshot)).toEqual(expected[i]!.docs);
        expect(blastRadius(g.impactIndex(), registry, [{ ci: 'app', effect: 'down' }])).toEqual(expected[i]!.impact);
        // Before the baseline the log is replayed from seq 0; at or after it, only the events after s2.
        expect(fresh.stats.checkpointsUsed).toBe(seq >= s2 ? 1 : 0);
        expect(fresh.stats.eventsReplayed).toBe(seq >= s2 ? seq - s2 : seq);
      }
    });

    it('refuses a tampered checkpoint and answers from the log instead, the same as without one', async () => {
      const s4 = await laterWrites();
      const expected = docs((await new PastGraphs(cmdb.store, registry).graph({ seq: s4 })).snapshot);
      await new BaselineService(cmdb).create('mid', 'auditor', { seq: s3 });
      // Someone with write access to the store swaps in a graph with an extra CI at the same seq.
      const forged = await cmdb.snapshotAt(s3);
      const cis = new Map(forged.cis).set('ghost', { ...forged.cis.get('svc')!, id: 'ghost', name: 'Ghost' });
      await cmdb.store.putCheckpoint({ name: 'mid', seq: s3, parts: encodeCheckpoint({ ...forged, cis }).parts });

      const fresh = new PastGraphs(cmdb.store, registry);
      const g = await fresh.graph({ seq: s4 });
      expect(g.ci('ghost')).toBeUndefined();
      expect(docs(g.snapshot)).toEqual(expected);
      expect(fresh.stats).toMatchObject({ checkpointsUsed: 0, checkpointsRefused: 1, eventsReplayed: s4 });
      expect(fresh.lastRefusal).toMatch(/checkpoint "mid" does not match the hash its baseline's creation event recorded/);
    });

    it('refuses a checkpoint whose vouching event was altered in the database', async () => {
      await new BaselineService(cmdb).create('mid', 'auditor', { seq: s2 });
      const created = await cmdb.store.lastSeq();
      await harness().tamper(cmdb.store, created);
      const fresh = new PastGraphs(cmdb.store, registry);
      const g = await fresh.graph({ seq: s3 });
      expect([...g.snapshot.cis.keys()].sort()).toEqual(['app', 'cache', 'svc']);
      expect(fresh.stats).toMatchObject({ checkpointsUsed: 0, checkpointsRefused: 1 });
      expect(fresh.lastRefusal).toMatch(new RegExp(`event ${created} does not match its own hash`));
    });

    it('turns a timestamp into the seq in force then', async () => {
      const events = await cmdb.store.eventsAfter(0, 100);
      expect(await resolveAsOf(cmdb.store, events.find((e) => e.seq === s2)!.at)).toBeGreaterThanOrEqual(s2);
      expect(await resolveAsOf(cmdb.store, '2000-01-01T00:00:00Z')).toBe(0);
      expect(await resolveAsOf(cmdb.store, String(s1))).toBe(s1);
    });

    it('creates baselines, lists them and diffs two of them or one against now, attribute by attribute', async () => {
      const svc = new BaselineService(cmdb);
      const b1 = await svc.create('before-upgrade', 'auditor', { seq: s1 });
      expect(b1).toMatchObject({ name: 'before-upgrade', seq: s1, counts: { cis: 3, relationships: 2 } });
      await svc.create('after-upgrade', 'auditor', { seq: s2 });
      await expect(svc.create('before-upgrade', 'auditor')).rejects.toThrow(/already exists/);
      expect((await svc.list()).map((b) => b.name)).toEqual(['before-upgrade', 'after-upgrade']);

      const d12 = await svc.diff('before-upgrade', 'after-upgrade');
      expect(d12.cis).toEqual({
        added: [],
        removed: [],
        changed: [
          {
            id: 'app',
            fields: [
              { field: 'attributes.port', before: null, after: 8080 },
              { field: 'attributes.version', before: '1.0', after: '2.0' },
              { field: 'status', before: 'in_service', after: 'maintenance' },
            ],
          },
        ],
      });
      expect(d12.relationships).toEqual({ added: [], removed: [], changed: [] });

      const dNow = await svc.diff('before-upgrade');
      expect(dNow.cis.added).toEqual(['cache']);
      expect(dNow.cis.removed).toEqual(['db']);
      expect(dNow.cis.changed.map((c) => c.id)).toEqual(['app']);
      expect(dNow.relationships).toEqual({ added: ['app|DEPENDS_ON|cache'], removed: ['app|DEPENDS_ON|db'], changed: [] });
      expect(dNow.to.seq).toBeGreaterThanOrEqual(s3);
    });

    it('accepts a write under a change only while it is approved and targets the CI, and lists every write no change covered', async () => {
      const change = (id: string, state: string, approvedAt: string, targets: string[]) => ({
        op: 'putRecord' as const,
        kind: 'change',
        id,
        doc: {
          id,
          state,
          targets: targets.map((ci) => ({ ci, effect: 'down' })),
          transitions: [{ from: 'cab_review', to: 'approved', by: 'cab', at: approvedAt }],
        },
      });
      const start = new Date().toISOString();
      await cmdb.apply(
        [
          change('CHG-1', 'approved', '2000-01-01T00:00:00Z', ['app']),
          change('CHG-0', 'draft', '2000-01-01T00:00:00Z', ['app']),
          change('CHG-9', 'approved', '2099-01-01T00:00:00Z', ['cache']),
        ],
        actor,
      );
      const seq = cmdb.seq;
      const app = (version: string) => ({
        op: 'upsertCI' as const,
        ci: ci({ id: 'app', class: 'Application', name: 'App', attributes: { version } }),
      });
      await expect(cmdb.apply([app('3')], { actor: 'eve', changeId: 'CHG-NOPE' })).rejects.toThrow(/change "CHG-NOPE" does not exist/);
      await expect(cmdb.apply([app('3')], { actor: 'eve', changeId: 'CHG-0' })).rejects.toThrow(/change "CHG-0" is draft/);
      await expect(
        cmdb.apply([app('3'), { op: 'upsertCI', ci: ci({ id: 'svc', class: 'BusinessService', name: 'Shop 2' }) }], {
          actor: 'eve',
          changeId: 'CHG-1',
        }),
      ).rejects.toThrow(/CI "svc" is not in the scope of change "CHG-1"/);
      expect(cmdb.seq).toBe(seq);
      expect((await cmdb.store.getCI('app'))!.attributes.version).toBe('2.0');

      const ok = await cmdb.apply([app('3'), { op: 'deleteRelationship', id: 'app|DEPENDS_ON|cache' }], {
        actor: 'alice',
        changeId: 'CHG-1',
      });
      expect(ok.events.map((e) => e.changeId)).toEqual(['CHG-1', 'CHG-1']);
      await cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'cache', class: 'Cache', name: 'Cache 2', attributes: { engine: 'redis' } }) }], {
        actor: 'bob',
        changeId: 'CHG-9',
      });
      await cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'svc', class: 'BusinessService', name: 'Shop 3', criticality: 1 }) }], {
        actor: 'mallory',
      });

      const since = (await cmdb.store.eventsAfter(0, 1))[0]!.at;
      const all = await findUnauthorised(cmdb.store, since);
      const reasons = all.events.map((e) => [e.id, e.actor, e.reason]);
      expect(reasons).toContainEqual(['cache', 'bob', 'change_not_authorised']);
      expect(reasons).toContainEqual(['svc', 'mallory', 'no_change']);
      expect(reasons.filter(([, a]) => a === 'alice')).toEqual([]);
      expect(all.events.every((e) => e.entity === 'ci' || e.entity === 'relationship')).toBe(true);
      // Timestamps have millisecond resolution: the setup's last write may share `start`'s; seq tells them apart.
      const recent = await findUnauthorised(cmdb.store, start);
      expect(recent.events.filter((e) => e.seq > seq).map((e) => [e.id, e.actor, e.reason])).toEqual([
        ['cache', 'bob', 'change_not_authorised'],
        ['svc', 'mallory', 'no_change'],
      ]);
      expect(recent.events.at(-1)).toMatchObject({ op: 'update', entity: 'ci', changeId: null });
    });

    it('records attestations and orders a campaign by the criticality of what each CI takes down', async () => {
      await cmdb.apply(
        [
          { op: 'upsertCI', ci: ci({ id: 'svc2', class: 'BusinessService', name: 'Reports', criticality: 2 }) },
          { op: 'upsertCI', ci: ci({ id: 'etl', class: 'Application', name: 'ETL', attributes: { version: '1' } }) },
          { op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'svc2', to: 'etl' }) },
        ],
        actor,
      );
      const att = new AttestationService(cmdb, () => new Date('2026-11-01T00:00:00Z'));
      expect((await att.campaign()).items.map((i) => i.id)).toEqual(['app', 'cache', 'svc', 'etl', 'svc2']);
      const r = await att.attest(['app'], 'team-a-lead');
      expect((await cmdb.store.getCI('app'))!.attributes).toMatchObject({
        verifiedAt: '2026-11-01T00:00:00.000Z',
        verifiedBy: 'team-a-lead',
      });
      expect((await cmdb.store.eventsAfter(r.seq - 1, 1))[0]).toMatchObject({ actor: 'team-a-lead', op: 'update', id: 'app' });
      const later = new AttestationService(cmdb, () => new Date('2026-12-01T00:00:00Z'));
      const items = (await later.campaign({ days: 90 })).items;
      expect(items.map((i) => i.id)).toEqual(['cache', 'svc', 'etl', 'svc2']);
      expect(items[0]!.takesDown).toEqual([{ id: 'svc', criticality: 1 }]);
      await expect(att.attest(['app', 'nope'], 'x')).rejects.toThrow(/CI "nope" not found/);
    });

    it('verifies the hash chain of the whole log and names the first event altered directly in the database', async () => {
      const ok = await verifyLog(cmdb.store);
      expect(ok).toMatchObject({ ok: true, headSeq: await cmdb.store.lastSeq() });
      expect(ok.events).toBe(await cmdb.store.lastSeq());
      await harness().tamper(cmdb.store, s2);
      const bad = await verifyLog(cmdb.store);
      expect(bad).toMatchObject({ ok: false, headSeq: s2 - 1, firstBad: { seq: s2, problem: 'hash_mismatch' } });
    });
  });
}
