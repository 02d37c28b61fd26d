/**
 * The store goes away while the server runs: reads keep answering (list and get fall back to the
 * mirror's attributes, graph queries come from the mirror), writes get 503 with nothing written,
 * /readyz reports the store down; when it is back, writes resume without a restart.
 * `outage` switches the store off and on: a simulated failure on SQLite, the real server on Neo4j.
 */
import { expect } from 'vitest';
import { api, snapshot, type ApiFixture } from './harness.ts';

export async function outageScenario(fx: ApiFixture, outage: { stop(): Promise<void>; start(): Promise<void> }): Promise<void> {
  const viewer = fx.auth.viewer;
  const engineer = fx.auth.engineer;
  // Tokens are cached once used; a token first seen during the outage cannot be checked.
  await api(fx.app).get('/api/v1/cis').set('Authorization', viewer).expect(200);
  await api(fx.app).get('/api/v1/cis').set('Authorization', engineer).expect(200);
  const before = await snapshot(fx.cmdb);
  const mirrorBefore = { order: fx.cmdb.mirror.graph.order, size: fx.cmdb.mirror.graph.size, seq: fx.cmdb.mirror.seq };

  await outage.stop();

  const ready = await api(fx.app).get('/readyz').set('Authorization', viewer).expect(503);
  expect(ready.text).not.toContain(fx.cmdb.store.location);
  expect(ready.body.error).toMatchObject({ code: 'store_unavailable', details: { store: { up: false }, mirror: { hydrated: true } } });
  await api(fx.app).get('/healthz').expect(200);

  const list = await api(fx.app).get('/api/v1/cis?class=Database').set('Authorization', viewer).expect(200);
  expect(list.body.source).toBe('mirror');
  expect(list.body.items.map((i: { id: string }) => i.id)).toEqual(['db-orders', 'db-orders-replica']);
  const one = await api(fx.app).get('/api/v1/cis/db-orders').set('Authorization', viewer).expect(200);
  expect(one.headers['x-cmdb-source']).toBe('mirror');
  expect(one.body).toMatchObject({ id: 'db-orders', class: 'Database', criticality: 1 });
  const rels = await api(fx.app).get('/api/v1/relationships?ci=db-orders').set('Authorization', viewer).expect(200);
  expect(rels.body.items).toHaveLength(3);
  const hop = await api(fx.app).get('/api/v1/cis/db-orders/neighbours').set('Authorization', viewer).expect(200);
  expect(hop.body.items).toHaveLength(3);

  const writes = [
    api(fx.app).post('/api/v1/cis').set('Authorization', engineer).send({ id: 'during-outage', class: 'Cache', name: 'x' }),
    api(fx.app).patch('/api/v1/cis/vm-17').set('Authorization', engineer).send({ name: 'x' }),
    api(fx.app).delete('/api/v1/cis/db-orders?cascade=true').set('Authorization', engineer),
    api(fx.app).post('/api/v1/import').set('Authorization', fx.auth.admin).send({ cis: [{ id: 'imp-1', class: 'Cache', name: 'i' }] }),
  ];
  for (const res of await Promise.all(writes)) {
    expect(res.status, res.text).toBe(503);
    expect(res.body.error.code).toBe('store_unavailable');
  }
  expect({ order: fx.cmdb.mirror.graph.order, size: fx.cmdb.mirror.graph.size, seq: fx.cmdb.mirror.seq }).toEqual(mirrorBefore);

  await outage.start();

  await api(fx.app).get('/readyz').expect(200);
  expect(await snapshot(fx.cmdb)).toEqual(before);
  await api(fx.app).post('/api/v1/cis').set('Authorization', engineer).send({ id: 'after-outage', class: 'Cache', name: 'back' }).expect(201);
  const got = await api(fx.app).get('/api/v1/cis/after-outage').set('Authorization', viewer).expect(200);
  expect(got.headers.etag).toBe('"1"');
  expect(fx.cmdb.mirror.graph.hasNode('after-outage')).toBe(true);
}
