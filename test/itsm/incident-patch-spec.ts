/**
 * `PATCH /incidents/:id` with `observedBy` over real HTTP (in-process), as a spec run on each store:
 * SQLite in incident-patch.test.ts, Neo4j in incident-patch.neo4j.test.ts — a refused patch writes
 * nothing on either, and a clear is stored as the absence of the field on both.
 */
import { describe, expect, it } from 'vitest';
import { api, apiFixture, snapshot, type ApiFixture, type StoreFactory } from '../api/harness.ts';

export function incidentPatchHttpSuite(name: string, factory: () => StoreFactory): void {
  async function fixture(): Promise<ApiFixture> {
    return apiFixture(await factory().create());
  }

  describe(`PATCH /incidents/:id observedBy (HTTP, ${name})`, () => {
    it('sets observedBy with If-Match, clears it with an empty list, and the correlation reads the stored observer', async () => {
      const fx = await fixture();
      try {
        const created = await api(fx.app)
          .post('/api/v1/incidents')
          .set('Authorization', fx.auth.engineer)
          .send({ title: 'orders slow', cis: ['db-orders'], signal: 'latency' })
          .expect(201);
        const id = created.body.id as string;
        const set = await api(fx.app)
          .patch(`/api/v1/incidents/${id}`)
          .set('Authorization', fx.auth.engineer)
          .set('If-Match', created.headers.etag!)
          .send({ observedBy: ['app-checkout'] })
          .expect(200);
        expect(set.body.observedBy).toEqual(['app-checkout']);
        expect(set.body.version).toBe(created.body.version + 1);
        const got = await api(fx.app).get(`/api/v1/incidents/${id}`).set('Authorization', fx.auth.viewer).expect(200);
        expect(got.body.observedBy).toEqual(['app-checkout']);
        // The observer is now a candidate of the stored incident's correlation (it explains what it saw).
        const open = await api(fx.app).post('/api/v1/correlate').set('Authorization', fx.auth.viewer).send({}).expect(200);
        expect(open.body.groups[0].candidates.map((c: { id: string }) => c.id)).toContain('app-checkout');
        const cleared = await api(fx.app)
          .patch(`/api/v1/incidents/${id}`)
          .set('Authorization', fx.auth.engineer)
          .send({ observedBy: [] })
          .expect(200);
        expect(cleared.body).not.toHaveProperty('observedBy');
      } finally {
        await fx.close();
      }
    });

    it('answers an unknown observer with the status an unknown affected CI gets on create, and writes nothing', async () => {
      const fx = await fixture();
      try {
        const created = await api(fx.app)
          .post('/api/v1/incidents')
          .set('Authorization', fx.auth.engineer)
          .send({ title: 't', cis: ['db-orders'] })
          .expect(201);
        const onCreate = await api(fx.app)
          .post('/api/v1/incidents')
          .set('Authorization', fx.auth.engineer)
          .send({ title: 't', cis: ['ghost'] });
        const before = await snapshot(fx.cmdb);
        const refused = await api(fx.app)
          .patch(`/api/v1/incidents/${created.body.id}`)
          .set('Authorization', fx.auth.engineer)
          .send({ title: 'changed', observedBy: ['ghost'] });
        expect(refused.status).toBe(onCreate.status);
        expect(refused.body.error).toMatchObject({ code: onCreate.body.error.code, message: 'incident update: CI "ghost" not found' });
        expect(refused.body.error.details).toEqual({ observedBy: ['ghost'] });
        const observerOnCreate = await api(fx.app)
          .post('/api/v1/incidents')
          .set('Authorization', fx.auth.engineer)
          .send({ title: 't', cis: ['db-orders'], observedBy: ['ghost'] });
        expect(observerOnCreate.status).toBe(onCreate.status);
        expect(await snapshot(fx.cmdb)).toEqual(before);
      } finally {
        await fx.close();
      }
    });

    it('refuses with 400 an observer among the CIs and a malformed observedBy, writing nothing', async () => {
      const fx = await fixture();
      try {
        const created = await api(fx.app)
          .post('/api/v1/incidents')
          .set('Authorization', fx.auth.engineer)
          .send({ title: 't', cis: ['db-orders'], observedBy: ['app-checkout'] })
          .expect(201);
        const before = await snapshot(fx.cmdb);
        const path = `/api/v1/incidents/${created.body.id}`;
        const own = await api(fx.app)
          .patch(path)
          .set('Authorization', fx.auth.engineer)
          .send({ observedBy: ['db-orders'] })
          .expect(400);
        expect(own.body.error.code).toBe('invalid_input');
        expect(own.body.error.message).toMatch(/observer "db-orders" is one of its own CIs/);
        const both = await api(fx.app)
          .patch(path)
          .set('Authorization', fx.auth.engineer)
          .send({ cis: ['db-orders', 'app-checkout'], observedBy: ['app-checkout'] })
          .expect(400);
        expect(JSON.stringify(both.body.error.details)).toMatch(/observedBy/);
        await api(fx.app).patch(path).set('Authorization', fx.auth.engineer).send({ observedBy: 'app-checkout' }).expect(400);
        await api(fx.app).patch(path).set('Authorization', fx.auth.viewer).send({ observedBy: [] }).expect(403);
        expect(await snapshot(fx.cmdb)).toEqual(before);
      } finally {
        await fx.close();
      }
    });
  });
}
