/**
 * The store goes away while the server runs. Shared by the simulated SQLite outage and the real
 * Neo4j one (stopped and started again). What must hold:
 * - mirror reads (neighbours, impact) answer at once, without waiting on the store, with tokens
 *   verified from the cache — also after the cache TTL, while the store is down;
 * - once the store is known down (the breaker is open), writes get 503 within 1 s, with a message
 *   carrying no path, URL or stack, and nothing is written;
 * - lists and gets fall back to the mirror's attributes;
 * - when the store is back, everything recovers by itself: no restart, no manual reset.
 */
import { expect } from 'vitest';
import { breakerOf } from '../../engine/store/breaker.ts';
import { api, snapshot, type ApiFixture } from './harness.ts';

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

async function until(what: string, cond: () => Promise<boolean> | boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`outage test: ${what} did not happen within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** No file path, URL, driver text or stack in what a client sees. */
function expectClean(text: string): void {
  expect(text).not.toMatch(/\/tmp|\.sqlite|bolt:\/\/|127\.0\.0\.1|\n\s+at |Neo4jError|ServiceUnavailable/);
}

export interface OutageOptions {
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The token cache TTL of the fixture (ms): the scenario waits past it while the store is down. */
  tokenTtlMs: number;
  /** How long the store may take to come back (a real Neo4j restarts in seconds). */
  recoveryMs?: number;
}

export async function outageScenario(fx: ApiFixture, outage: OutageOptions): Promise<void> {
  const viewer = fx.auth.viewer;
  const engineer = fx.auth.engineer;
  const breaker = breakerOf(fx.cmdb.store);
  expect(breaker, 'the fixture store is wrapped in a breaker').toBeDefined();
  // Tokens are cached once used; a token first seen during the outage cannot be checked.
  await api(fx.app).get('/api/v1/cis').set('Authorization', viewer).expect(200);
  await api(fx.app).get('/api/v1/cis').set('Authorization', engineer).expect(200);
  const before = await snapshot(fx.cmdb);
  const mirrorBefore = { order: fx.cmdb.mirror.graph.order, size: fx.cmdb.mirror.graph.size, seq: fx.cmdb.mirror.seq };

  await outage.stop();

  // Mirror reads do not touch the store at all: they answer at once, before anyone knows it is down.
  const hop = await timed(() => api(fx.app).get('/api/v1/cis/db-orders/neighbours').set('Authorization', viewer).expect(200));
  expect(hop.value.body.items).toHaveLength(3);
  expect(hop.ms).toBeLessThan(1000);
  const impact = await timed(() => api(fx.app).get('/api/v1/cis/vm-17/impact').set('Authorization', viewer).expect(200));
  expect(impact.value.body.impacted.map((i: { id: string }) => i.id)).toContain('svc-shop');
  expect(impact.ms).toBeLessThan(1000);

  // The first store call finds out (or the background watch does); from then on the circuit is open.
  await api(fx.app).post('/api/v1/cis').set('Authorization', engineer).send({ id: 'probe', class: 'Cache', name: 'x' });
  await until('the breaker opening', () => breaker!.state === 'open', 30_000);

  // Past the token cache TTL: verified tokens keep working from the cache while the store is down.
  await new Promise((r) => setTimeout(r, outage.tokenTtlMs + 20));

  await api(fx.app).get('/healthz').expect(200);
  const ready = await api(fx.app).get('/readyz').set('Authorization', viewer).expect(503);
  expect(ready.text).not.toContain(fx.cmdb.store.location);
  expect(ready.body.error).toMatchObject({ code: 'store_unavailable', details: { store: { up: false }, mirror: { hydrated: true } } });

  const list = await timed(() => api(fx.app).get('/api/v1/cis?class=Database').set('Authorization', viewer).expect(200));
  expect(list.value.body.source).toBe('mirror');
  expect(list.value.body.items.map((i: { id: string }) => i.id)).toEqual(['db-orders', 'db-orders-replica']);
  expect(list.ms).toBeLessThan(1000);
  const one = await api(fx.app).get('/api/v1/cis/db-orders').set('Authorization', viewer).expect(200);
  expect(one.headers['x-cmdb-source']).toBe('mirror');
  expect(one.body).toMatchObject({ id: 'db-orders', class: 'Database', criticality: 1 });
  const rels = await api(fx.app).get('/api/v1/relationships?ci=db-orders').set('Authorization', viewer).expect(200);
  expect(rels.body.items).toHaveLength(3);

  const writes = [
    () => api(fx.app).post('/api/v1/cis').set('Authorization', engineer).send({ id: 'during-outage', class: 'Cache', name: 'x' }),
    () => api(fx.app).patch('/api/v1/cis/vm-17').set('Authorization', engineer).send({ name: 'x' }),
    () => api(fx.app).delete('/api/v1/cis/db-orders?cascade=true').set('Authorization', engineer),
    () =>
      api(fx.app)
        .post('/api/v1/import')
        .set('Authorization', fx.auth.admin)
        .send({ cis: [{ id: 'imp-1', class: 'Cache', name: 'i' }] }),
    () =>
      api(fx.app)
        .post('/api/v1/incidents')
        .set('Authorization', engineer)
        .send({ title: 'db slow', cis: ['db-orders'], category: 'performance', impact: 'low', urgency: 'low' }),
    () => api(fx.app).post('/api/v1/changes').set('Authorization', engineer).send({ title: 'patch' }),
  ];
  for (const [i, write] of writes.entries()) {
    const { ms, value: res } = await timed(write);
    expect(res.status, res.text).toBe(503);
    expect(res.body.error.code).toBe('store_unavailable');
    expectClean(res.text);
    expect(ms, `503 within 1 s once the store is known down (write ${i})`).toBeLessThan(1000);
  }
  expect({ order: fx.cmdb.mirror.graph.order, size: fx.cmdb.mirror.graph.size, seq: fx.cmdb.mirror.seq }).toEqual(mirrorBefore);

  await outage.start();

  // Nobody resets anything: the breaker's probe closes the circuit when the store answers.
  await until('the store coming back', async () => (await api(fx.app).get('/readyz')).status === 200, outage.recoveryMs ?? 10_000);
  expect(breaker!.state).toBe('closed');
  expect(await snapshot(fx.cmdb)).toEqual(before);
  await api(fx.app)
    .post('/api/v1/cis')
    .set('Authorization', engineer)
    .send({ id: 'after-outage', class: 'Cache', name: 'back' })
    .expect(201);
  const got = await api(fx.app).get('/api/v1/cis/after-outage').set('Authorization', viewer).expect(200);
  expect(got.headers.etag).toBe('"1"');
  expect(fx.cmdb.mirror.graph.hasNode('after-outage')).toBe(true);
}
