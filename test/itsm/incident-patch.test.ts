/**
 * Editing an incident's `observedBy` (issue 13 notes): the optional list of CIs that observed the
 * alert ("A's calls to B got slow" is an incident on B observed by A) is patchable like the other
 * fields — in the engine's IncidentService and over `PATCH /incidents/:id` — with the checks
 * logging one makes: an unknown CI is refused the way an unknown affected CI is, an observer may not
 * be one of the incident's own CIs, and a refused patch writes nothing. An empty list (or null, the
 * merge-patch way) clears it. Real SQLite store; the HTTP spec (incident-patch-spec.ts) also runs on Neo4j.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { InputError, NotFoundError } from '../../engine/errors.ts';
import { IncidentPatch } from '../../engine/incidents/model.ts';
import { itsmServices } from '../../api/routes/itsm.ts';
import { apiFixture, snapshot, type ApiFixture } from '../api/harness.ts';
import { incidentPatchHttpSuite } from './incident-patch-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-incident-patch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// Seed (test/api/harness.ts): svc-shop → app-checkout → db-orders → vm-17, db-orders-replica, srv-01.
async function fixture(): Promise<ApiFixture> {
  const store = new SqliteStore(join(dir, `patch-${++n}.sqlite`));
  await store.init();
  return apiFixture(store);
}

const who = { name: 'desk', role: 'engineer' };

describe('IncidentPatch observedBy (engine)', () => {
  it('sets, replaces and clears observedBy, bumping the version and keeping the other fields', async () => {
    const fx = await fixture();
    try {
      const s = itsmServices(fx.cmdb);
      const inc = await s.incidents.create(
        { title: 'orders slow', description: '', cis: ['db-orders'], category: 'general', impact: 'high', urgency: 'medium' },
        who,
      );
      expect(inc.observedBy).toBeUndefined();
      const set = await s.incidents.update(inc.id, { observedBy: ['app-checkout'] }, who, inc.version);
      expect(set.observedBy).toEqual(['app-checkout']);
      expect(set.version).toBe(inc.version + 1);
      expect(set).toMatchObject({ title: 'orders slow', cis: ['db-orders'], priority: inc.priority });
      const replaced = await s.incidents.update(inc.id, { observedBy: ['svc-shop', 'app-checkout'] }, who);
      expect(replaced.observedBy).toEqual(['svc-shop', 'app-checkout']);
      expect((await s.incidents.get(inc.id)).observedBy).toEqual(['svc-shop', 'app-checkout']);
      const cleared = await s.incidents.update(inc.id, { observedBy: [] }, who);
      expect(cleared.observedBy).toBeUndefined();
      expect('observedBy' in (await s.incidents.get(inc.id))).toBe(false);
      // A patch that does not name observedBy leaves it alone.
      await s.incidents.update(inc.id, { observedBy: ['app-checkout'] }, who);
      expect((await s.incidents.update(inc.id, { title: 'orders very slow' }, who)).observedBy).toEqual(['app-checkout']);
      const nulled = await s.incidents.update(inc.id, { observedBy: null }, who);
      expect(nulled.observedBy).toBeUndefined();
    } finally {
      await fx.close();
    }
  });

  it('refuses an unknown observer with the not-found error an unknown affected CI gets, and writes nothing', async () => {
    const fx = await fixture();
    try {
      const s = itsmServices(fx.cmdb);
      const inc = await s.incidents.create(
        {
          title: 't',
          description: '',
          cis: ['db-orders'],
          category: 'general',
          impact: 'low',
          urgency: 'low',
          observedBy: ['app-checkout'],
        },
        who,
      );
      const before = await snapshot(fx.cmdb);
      const err = await s.incidents
        .update(inc.id, { title: 'changed', observedBy: ['app-checkout', 'ghost'] }, who)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toBe('incident update: CI "ghost" not found');
      expect((err as NotFoundError).details).toEqual({ observedBy: ['ghost'] });
      // The same class of error creating one gives, naming the same CI.
      await expect(
        s.incidents.create({ title: 't', description: '', cis: ['ghost'], category: 'general', impact: 'low', urgency: 'low' }, who),
      ).rejects.toThrow(NotFoundError);
      expect(await snapshot(fx.cmdb)).toEqual(before);
      expect(await s.incidents.get(inc.id)).toMatchObject({ title: 't', observedBy: ['app-checkout'], version: inc.version });
    } finally {
      await fx.close();
    }
  });

  it('refuses logging an incident whose observer the CMDB does not know', async () => {
    const fx = await fixture();
    try {
      const s = itsmServices(fx.cmdb);
      const before = await snapshot(fx.cmdb);
      const err = await s.incidents
        .create(
          { title: 't', description: '', cis: ['db-orders'], category: 'general', impact: 'low', urgency: 'low', observedBy: ['ghost'] },
          who,
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as Error).message).toBe('incident: CI "ghost" not found');
      expect(await snapshot(fx.cmdb)).toEqual(before);
    } finally {
      await fx.close();
    }
  });

  it("refuses an observer among the incident's own CIs, whether the patch names the observer or the CIs", async () => {
    const fx = await fixture();
    try {
      const s = itsmServices(fx.cmdb);
      const inc = await s.incidents.create(
        {
          title: 't',
          description: '',
          cis: ['db-orders'],
          category: 'general',
          impact: 'low',
          urgency: 'low',
          observedBy: ['app-checkout'],
        },
        who,
      );
      const before = await snapshot(fx.cmdb);
      await expect(s.incidents.update(inc.id, { observedBy: ['db-orders'] }, who)).rejects.toThrow(InputError);
      const err = await s.incidents.update(inc.id, { cis: ['db-orders', 'app-checkout'] }, who).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toBe(`incident update: ${inc.id} observer "app-checkout" is one of its own CIs`);
      expect(await snapshot(fx.cmdb)).toEqual(before);
      // Moving the observer into the CIs and clearing observedBy in one patch is fine.
      const moved = await s.incidents.update(inc.id, { cis: ['db-orders', 'app-checkout'], observedBy: [] }, who);
      expect(moved).toMatchObject({ cis: ['db-orders', 'app-checkout'] });
      expect(moved.observedBy).toBeUndefined();
    } finally {
      await fx.close();
    }
  });

  it('keeps refusing patches of a closed incident, observedBy included', async () => {
    const fx = await fixture();
    try {
      const s = itsmServices(fx.cmdb);
      const inc = await s.incidents.create(
        { title: 't', description: '', cis: ['db-orders'], category: 'general', impact: 'low', urgency: 'low' },
        who,
      );
      await s.incidents.transition(inc.id, { to: 'resolved', resolution: { code: 'fixed', notes: '' } }, who);
      await s.incidents.transition(inc.id, { to: 'closed' }, who);
      await expect(s.incidents.update(inc.id, { observedBy: ['app-checkout'] }, who)).rejects.toThrow(/is closed/);
    } finally {
      await fx.close();
    }
  });
});

describe('IncidentPatch observedBy (schema)', () => {
  it('takes a list of CI ids, an empty list or null, and refuses an observer listed among the patched CIs, naming the field', () => {
    expect(IncidentPatch.parse({ observedBy: ['a'] }).observedBy).toEqual(['a']);
    expect(IncidentPatch.parse({ observedBy: [] }).observedBy).toEqual([]);
    expect(IncidentPatch.parse({ observedBy: null }).observedBy).toBeNull();
    const bad = IncidentPatch.safeParse({ cis: ['a'], observedBy: ['a'] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['observedBy']);
    expect(IncidentPatch.safeParse({ observedBy: [''] }).success).toBe(false);
    expect(IncidentPatch.safeParse({ observedBy: 'a' }).success).toBe(false);
  });
});

incidentPatchHttpSuite('SqliteStore', () => ({
  async create() {
    const store = new SqliteStore(join(dir, `patch-http-${++n}.sqlite`));
    await store.init();
    return store;
  },
}));
