/**
 * `asOf` on the HTTP reads (SQLite in as-of.test.ts, Neo4j in as-of.neo4j.test.ts): every read is
 * recorded live at three points — after creates, after updates, after deletes (one of them a
 * relationship whose removal changes impact) — and the same reads asked later with `asOf` must
 * answer exactly what was answered live then, from a graph rebuilt on the side.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, apiFixture, type ApiFixture, type StoreFactory } from './harness.ts';
import { ci } from '../store-contract.ts';

/** The reads compared, as [method, path, body?]. */
const READS: [string, string, unknown?][] = [
  ['get', '/api/v1/cis/db-orders'],
  ['get', '/api/v1/cis/srv-01'],
  ['get', '/api/v1/relationships/app-checkout|DEPENDS_ON|db-orders'],
  ['get', '/api/v1/relationships?ci=db-orders'],
  ['get', '/api/v1/cis/db-orders/neighbours'],
  ['get', '/api/v1/cis/svc-shop/dependencies'],
  ['get', '/api/v1/cis/svc-shop/spof'],
  ['get', '/api/v1/cis/db-orders/impact'],
  ['get', '/api/v1/cis/vm-17/impact?mode=degraded&depth=2'],
  ['post', '/api/v1/impact', { origins: [{ ci: 'vm-17' }, { ci: 'db-orders-replica' }] }],
  ['get', '/api/v1/cis?limit=4'],
  ['get', '/api/v1/cis?status=maintenance'],
  ['get', '/api/v1/cis?q=orders&limit=50'],
  ['get', '/api/v1/cis/db-orders/impact?context=true'],
  ['post', '/api/v1/impact', { origins: [{ ci: 'db-orders' }], context: true }],
];

/** A read's status and body, with the as-of stamp set aside. */
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export function asOfSuite(name: string, factory: () => StoreFactory) {
  describe(`asOf on HTTP reads on ${name}`, () => {
    let fx: ApiFixture;
    beforeEach(async () => {
      fx = await apiFixture(await factory().create());
    });
    afterEach(async () => fx?.close());

    async function read(method: string, path: string, body: unknown, asOf?: number | string): Promise<Answer> {
      const as = asOf === undefined ? '' : `${path.includes('?') ? '&' : '?'}asOf=${encodeURIComponent(String(asOf))}`;
      const r =
        method === 'post'
          ? await api(fx.app)
              .post(path)
              .set('Authorization', fx.auth.auditor)
              .send(asOf === undefined ? (body as object) : { ...(body as object), asOf })
          : await api(fx.app)
              .get(path + as)
              .set('Authorization', fx.auth.auditor);
      return { status: r.status, body: r.body as Record<string, unknown> };
    }
    async function readAll(asOf?: number | string): Promise<Answer[]> {
      const out: Answer[] = [];
      for (const [m, p, b] of READS) out.push(await read(m, p, b, asOf));
      return out;
    }
    /** 200s compared whole but for the stamp; a refusal by status and code (as-of messages name the seq). */
    const comparable = (answers: Answer[]) =>
      answers.map(({ status, body }) => {
        if (status !== 200) return { status, code: (body.error as { code: string }).code };
        const { asOf: _asOf, ...rest } = body;
        return { status, body: rest };
      });

    it('answers every read as of a seq exactly as it was answered live then, after creates, updates and deletes', async () => {
      const live: Answer[][] = [];
      const seqs: number[] = [];
      // After the creates (the seeded graph).
      seqs.push(fx.cmdb.seq);
      live.push(await readAll());
      // After updates: the database renamed and moved to maintenance, the VM gains a redundancy-free attribute.
      const patch = await api(fx.app)
        .patch('/api/v1/cis/db-orders')
        .set('Authorization', fx.auth.engineer)
        .send({ name: 'Orders DB (old)', status: 'maintenance', attributes: { engine: 'postgres' } });
      expect(patch.status).toBe(200);
      seqs.push(fx.cmdb.seq);
      live.push(await readAll());
      // After deletes: the checkout no longer depends on the database, and the retired server is gone.
      const del = await api(fx.app)
        .delete(`/api/v1/relationships/${encodeURIComponent('app-checkout|DEPENDS_ON|db-orders')}`)
        .set('Authorization', fx.auth.engineer);
      expect(del.status).toBe(200);
      expect((await api(fx.app).delete('/api/v1/cis/srv-01').set('Authorization', fx.auth.engineer)).status).toBe(200);
      seqs.push(fx.cmdb.seq);
      live.push(await readAll());

      // The deletes changed answers: the database's blast radius lost the shop, the server is gone.
      const impactAt = (i: number) => (live[i]![7]!.body.services as { id: string }[]).map((s) => s.id);
      expect(impactAt(0)).toEqual(['svc-shop']);
      expect(impactAt(2)).toEqual([]);
      expect(live[2]![1]!.status).toBe(404);
      expect(live[1]![0]!.body).toMatchObject({ name: 'Orders DB (old)', status: 'maintenance' });
      // `context=true` on the one-CI impact adds each impacted CI's location and services (as POST /impact).
      const withContext = live[0]![13]!.body.impacted as Record<string, unknown>[];
      expect(withContext.length).toBeGreaterThan(0);
      for (const c of withContext) expect(c).toHaveProperty('location');
      expect(live[0]![7]!.body.impacted as Record<string, unknown>[]).not.toContainEqual(
        expect.objectContaining({ location: expect.anything() }),
      );

      // Later writes, so no as-of point is the live state.
      await fx.cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'late', class: 'Application', name: 'Late' }) }], { actor: 'later' });
      const revision = fx.cmdb.mirror.graph.size;

      for (let i = 0; i < seqs.length; i++) {
        const past = await readAll(seqs[i]);
        expect(comparable(past), `as of seq ${seqs[i]}`).toEqual(comparable(live[i]!));
        for (const a of past.filter((x) => x.status === 200)) expect(a.body.asOf).toMatchObject({ seq: seqs[i] });
      }
      // The live mirror was not used to answer the past, nor changed by it.
      expect(fx.cmdb.mirror.graph.hasEdge('app-checkout|DEPENDS_ON|db-orders')).toBe(false);
      expect(fx.cmdb.mirror.graph.size).toBe(revision);
      expect((await read('get', '/api/v1/cis/srv-01', undefined)).status).toBe(404);
    });

    it('turns a timestamp into the last event at or before it and stamps the answer with that seq and time', async () => {
      const seq = fx.cmdb.seq;
      const [event] = await fx.cmdb.store.eventsAfter(seq - 1, 1);
      const liveCI = await read('get', '/api/v1/cis/db-orders', undefined);
      await new Promise((r) => setTimeout(r, 5));
      await api(fx.app).patch('/api/v1/cis/db-orders').set('Authorization', fx.auth.engineer).send({ name: 'Renamed' }).expect(200);
      const byTime = await read('get', '/api/v1/cis/db-orders', undefined, event!.at);
      expect(byTime.status).toBe(200);
      expect(byTime.body.asOf).toEqual({ seq, at: event!.at });
      expect(comparable([byTime])).toEqual(comparable([liveCI]));
      // A time between two events means the earlier one.
      const between = new Date(Date.parse(event!.at) + 1).toISOString();
      expect((await read('get', '/api/v1/cis/db-orders', undefined, between)).body.asOf).toEqual({ seq, at: event!.at });
      const posted = await read('post', '/api/v1/impact', { origins: [{ ci: 'db-orders' }] }, event!.at);
      expect(posted.body).toMatchObject({ seq, asOf: { seq, at: event!.at } });
    });

    it('refuses an asOf in the future with 400 and one before the first event with 404, naming the value', async () => {
      const last = await fx.cmdb.store.lastSeq();
      const future = await read('get', '/api/v1/cis/db-orders', undefined, last + 10);
      expect(future.status).toBe(400);
      expect((future.body.error as { message: string }).message).toMatch(
        `asOf: seq ${last + 10} is in the future (the log ends at seq ${last})`,
      );
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      expect((await read('get', '/api/v1/cis/db-orders/impact', undefined, tomorrow)).status).toBe(400);
      const before = await read('get', '/api/v1/cis/db-orders', undefined, '2000-01-01T00:00:00Z');
      expect(before.status).toBe(404);
      expect((before.body.error as { message: string }).message).toMatch(/nothing was recorded at or before 2000-01-01T00:00:00Z/);
      expect((await read('get', '/api/v1/cis/db-orders', undefined, 0)).status).toBe(404);
      const garbage = await read('get', '/api/v1/cis/db-orders', undefined, 'last tuesday');
      expect(garbage.status).toBe(400);
      expect((garbage.body.error as { code: string }).code).toBe('invalid_input');
      const badBody = await api(fx.app)
        .post('/api/v1/impact')
        .set('Authorization', fx.auth.auditor)
        .send({ origins: [{ ci: 'db-orders' }], asOf: -1 });
      expect(badBody.status).toBe(400);
    });

    it('answers 404 for a CI or relationship that did not exist at that seq, and for an impact origin that did not', async () => {
      const seq = fx.cmdb.seq;
      await fx.cmdb.apply(
        [
          { op: 'upsertCI', ci: ci({ id: 'new-app', class: 'Application', name: 'New' }) },
          {
            op: 'upsertRelationship',
            relationship: { id: 'new-app|DEPENDS_ON|db-orders', type: 'DEPENDS_ON', from: 'new-app', to: 'db-orders', attributes: {} },
          },
        ],
        { actor: 'later' },
      );
      const ciThen = await read('get', '/api/v1/cis/new-app', undefined, seq);
      expect(ciThen.status).toBe(404);
      expect((ciThen.body.error as { message: string }).message).toBe(`getCI: CI "new-app" did not exist at seq ${seq}`);
      expect((await read('get', '/api/v1/relationships/new-app|DEPENDS_ON|db-orders', undefined, seq)).status).toBe(404);
      expect((await read('get', '/api/v1/cis/new-app/impact', undefined, seq)).status).toBe(404);
      expect((await read('get', '/api/v1/cis/new-app/neighbours', undefined, seq)).status).toBe(404);
      expect((await read('get', '/api/v1/cis/new-app', undefined)).status).toBe(200);
    });

    it('needs history:read for asOf: a viewer reads the present but not the past', async () => {
      const seq = fx.cmdb.seq;
      const now = await api(fx.app).get('/api/v1/cis/db-orders/impact').set('Authorization', fx.auth.viewer);
      expect(now.status).toBe(200);
      const past = await api(fx.app).get(`/api/v1/cis/db-orders/impact?asOf=${seq}`).set('Authorization', fx.auth.viewer);
      expect(past.status).toBe(403);
      expect(past.body.error.message).toMatch(/"history:read", which asOf needs/);
      expect((await api(fx.app).get(`/api/v1/cis?asOf=${seq}`).set('Authorization', fx.auth.viewer)).status).toBe(403);
      expect((await api(fx.app).get('/api/v1/cis').set('Authorization', fx.auth.viewer)).status).toBe(200);
    });

    it('pages GET /cis as of a seq: every page as it stood then, filters judged on the values then', async () => {
      const walk = async (query: string, asOf?: number) => {
        const seen: Record<string, unknown>[] = [];
        let cursor: string | null = null;
        do {
          const q = `${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}${asOf !== undefined ? `&asOf=${asOf}` : ''}`;
          const r = await api(fx.app).get(`/api/v1/cis?${q}`).set('Authorization', fx.auth.auditor);
          expect(r.status).toBe(200);
          if (asOf !== undefined) expect(r.body.asOf).toMatchObject({ seq: asOf });
          seen.push(...(r.body.items as Record<string, unknown>[]));
          cursor = r.body.next as string | null;
        } while (cursor !== null);
        return seen;
      };
      const seq = fx.cmdb.seq;
      const liveAll = await walk('environment=production');
      expect(liveAll.length).toBeGreaterThan(4);
      await api(fx.app).patch('/api/v1/cis/db-orders').set('Authorization', fx.auth.engineer).send({ status: 'maintenance' }).expect(200);
      await fx.cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'aaa-new', class: 'Application', name: 'New' }) }], { actor: 'later' });
      expect((await walk('status=maintenance')).map((c) => c.id)).toContain('db-orders');

      expect(await walk('environment=production', seq)).toEqual(liveAll);
      expect((await walk('status=maintenance', seq)).map((c) => c.id)).not.toContain('db-orders');
      expect((await walk('idPrefix=aaa', seq)).length).toBe(0);
    });

    it('starts an as-of read from a baseline created over HTTP and answers exactly what a replay from seq 0 does', async () => {
      const seq = fx.cmdb.seq;
      const plain = await readAll(seq);
      await api(fx.app).patch('/api/v1/cis/db-orders').set('Authorization', fx.auth.engineer).send({ name: 'Renamed' }).expect(200);
      const created = await api(fx.app).post('/api/v1/baselines').set('Authorization', fx.auth.auditor).send({ name: 'b1', asOf: seq });
      expect(created.status).toBe(201);
      expect(created.body.checkpoint).toMatchObject({ seq, parts: 1 });
      // Push the graph at `seq` out of the cache (two kept): the next read at `seq` must rebuild, from the checkpoint.
      for (const other of [seq - 1, seq - 2]) expect((await read('get', '/api/v1/cis/db-orders', undefined, other)).status).toBe(200);
      const before = { ...fx.cmdb.asOfStats };
      expect(comparable(await readAll(seq))).toEqual(comparable(plain));
      expect(fx.cmdb.asOfStats.rebuilds - before.rebuilds).toBe(1);
      expect(fx.cmdb.asOfStats.checkpointsUsed - before.checkpointsUsed).toBe(1);
      expect(fx.cmdb.asOfStats.eventsReplayed - before.eventsReplayed).toBe(0);
    });

    it('rebuilds a past graph once and reuses it while it is among the last kept, starting a later seq from it', async () => {
      const seq = fx.cmdb.seq;
      for (let i = 0; i < 3; i++)
        await fx.cmdb.apply([{ op: 'upsertCI', ci: ci({ id: `x-${i}`, class: 'Application', name: `X ${i}` }) }], { actor: 'later' });
      const before = { ...fx.cmdb.asOfStats };
      await read('get', '/api/v1/cis/db-orders/impact', undefined, seq);
      await read('get', '/api/v1/cis/db-orders/neighbours', undefined, seq);
      await read('get', '/api/v1/cis/svc-shop/dependencies', undefined, seq);
      expect(fx.cmdb.asOfStats.rebuilds - before.rebuilds).toBe(1);
      expect(fx.cmdb.asOfStats.hits - before.hits).toBe(2);
      // The next seq replays one event on top of the kept graph, not the whole log.
      const replayed = fx.cmdb.asOfStats.eventsReplayed;
      const next = await read('get', '/api/v1/cis/x-0', undefined, seq + 1);
      expect(next.status).toBe(200);
      expect(fx.cmdb.asOfStats.eventsReplayed - replayed).toBe(1);
    });
  });
}
