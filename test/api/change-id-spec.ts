/**
 * `X-Change-Id` on HTTP graph writes (SQLite in change-id.test.ts, Neo4j in change-id.neo4j.test.ts):
 * a write under an approved change that targets the CI is accepted and its events record the
 * change; an unknown, malformed, unauthorising or out-of-scope change is refused with nothing
 * written; and unauthorised-change detection then lists the HTTP writes made without a change and
 * not those made under one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, apiFixture, snapshot, type ApiFixture, type StoreFactory } from './harness.ts';

const APPROVED = 'CHG-000001';
const DRAFT = 'CHG-000002';
const change = (id: string, state: string, targets: string[]) => ({
  op: 'putRecord' as const,
  kind: 'change',
  id,
  doc: {
    id,
    state,
    targets: targets.map((ci) => ({ ci, effect: 'down' })),
    transitions: state === 'approved' ? [{ from: 'cab_review', to: 'approved', by: 'cab', at: '2000-01-01T00:00:00Z' }] : [],
  },
});

export function changeIdSuite(name: string, factory: () => StoreFactory) {
  describe(`X-Change-Id on HTTP writes on ${name}`, () => {
    let fx: ApiFixture;
    beforeEach(async () => {
      fx = await apiFixture(await factory().create());
      await fx.cmdb.apply([change(APPROVED, 'approved', ['db-orders']), change(DRAFT, 'draft', ['db-orders'])], { actor: 'cab' });
    });
    afterEach(async () => fx?.close());

    const patch = (id: string, body: object, changeId?: string) => {
      const r = api(fx.app).patch(`/api/v1/cis/${id}`).set('Authorization', fx.auth.engineer);
      return changeId === undefined ? r.send(body) : r.set('X-Change-Id', changeId).send(body);
    };
    const eventOf = async (seq: number) => (await fx.cmdb.store.eventsAfter(seq - 1, 1))[0]!;

    it('records the change on the events of CI, relationship and import writes made under it', async () => {
      const p = await patch('db-orders', { name: 'Orders DB v2' }, APPROVED);
      expect(p.status).toBe(200);
      expect(await eventOf(fx.cmdb.seq)).toMatchObject({ id: 'db-orders', op: 'update', changeId: APPROVED });

      const rel = await api(fx.app)
        .post('/api/v1/relationships')
        .set('Authorization', fx.auth.engineer)
        .set('X-Change-Id', APPROVED)
        .send({ type: 'BACKED_UP_BY', from: 'db-orders', to: 'srv-01' });
      expect(rel.status).toBe(201);
      expect(await eventOf(fx.cmdb.seq)).toMatchObject({ entity: 'relationship', op: 'create', changeId: APPROVED });

      const del = await api(fx.app)
        .delete(`/api/v1/relationships/${encodeURIComponent('db-orders|BACKED_UP_BY|srv-01')}`)
        .set('Authorization', fx.auth.engineer)
        .set('X-Change-Id', APPROVED);
      expect(del.status).toBe(200);
      expect(await eventOf(fx.cmdb.seq)).toMatchObject({ entity: 'relationship', op: 'delete', changeId: APPROVED });

      const imp = await api(fx.app)
        .post('/api/v1/import')
        .set('Authorization', fx.auth.change_manager)
        .set('X-Change-Id', APPROVED)
        .send({ cis: [{ id: 'db-orders', class: 'Database', name: 'Orders DB v3', criticality: 1, owner: 'team-dba', tags: ['pci'] }] });
      expect(imp.status).toBe(200);
      expect(await eventOf(fx.cmdb.seq)).toMatchObject({ id: 'db-orders', changeId: APPROVED, actor: 'change_manager-user' });
    });

    it('refuses an unknown change with 422, a malformed id with 400, a draft change and an out-of-scope CI with 403, writing nothing', async () => {
      const before = await snapshot(fx.cmdb);
      const unknown = await patch('db-orders', { name: 'x' }, 'CHG-999999');
      expect(unknown.status).toBe(422);
      expect(unknown.body.error.message).toBe('apply: change "CHG-999999" does not exist; the write is not authorised');
      const malformed = await patch('db-orders', { name: 'x' }, 'change-1');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toMatch(/patchCI: malformed X-Change-Id "change-1"/);
      const draft = await patch('db-orders', { name: 'x' }, DRAFT);
      expect(draft.status).toBe(403);
      expect(draft.body.error.message).toMatch(`change "${DRAFT}" is draft`);
      const scope = await patch('svc-shop', { name: 'x' }, APPROVED);
      expect(scope.status).toBe(403);
      expect(scope.body.error.message).toMatch(`CI "svc-shop" is not in the scope of change "${APPROVED}"`);
      const del = await api(fx.app)
        .delete('/api/v1/cis/vm-17?cascade=true')
        .set('Authorization', fx.auth.engineer)
        .set('X-Change-Id', APPROVED);
      expect(del.status).toBe(403);
      expect(await snapshot(fx.cmdb)).toEqual(before);
    });

    it('lets unauthorised-change detection report a HTTP write without a change and not one under it', async () => {
      const since = new Date(Date.now() - 1).toISOString();
      await new Promise((r) => setTimeout(r, 2));
      expect((await patch('db-orders', { name: 'under change' }, APPROVED)).status).toBe(200);
      const covered = fx.cmdb.seq;
      expect((await patch('app-checkout', { name: 'no change' })).status).toBe(200);
      const bare = fx.cmdb.seq;
      const r = await api(fx.app)
        .get(`/api/v1/audit/unauthorised?since=${encodeURIComponent(since)}`)
        .set('Authorization', fx.auth.auditor);
      expect(r.status).toBe(200);
      const events = r.body.events as { seq: number; id: string; actor: string; reason: string; changeId: string | null }[];
      expect(events.map((e) => e.seq)).toContain(bare);
      expect(events.map((e) => e.seq)).not.toContain(covered);
      expect(events.find((e) => e.seq === bare)).toMatchObject({
        id: 'app-checkout',
        actor: 'engineer-user',
        reason: 'no_change',
        changeId: null,
      });
    });
  });
}
