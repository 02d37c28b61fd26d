/**
 * The HTTP API suite, written once and run on every store (like test/store-contract.ts):
 * test/api/api.test.ts on SQLite, test/api/api.neo4j.test.ts on the real Neo4j.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../engine/store/port.ts';
import { ROLES, type Role } from '../../engine/auth/tokens.ts';
import { can, type Permission } from '../../api/permissions.ts';
import { api, apiFixture, snapshot, SEED_CIS, SEED_RELS, type ApiFixture, type StoreFactory } from './harness.ts';

const enc = encodeURIComponent;

export function apiSuite(name: string, factory: () => StoreFactory | undefined): void {
  describe(`HTTP API on ${name}`, () => {
    let fx: ApiFixture;
    let store: GraphStore;
    let admin: string;
    let viewer: string;
    let engineer: string;

    beforeEach(async () => {
      store = await factory()!.create();
      fx = await apiFixture(store);
      admin = fx.auth.admin;
      viewer = fx.auth.viewer;
      engineer = fx.auth.engineer;
    });
    afterEach(async () => {
      await fx.close();
    });

    describe('operations', () => {
      it('answers /healthz without a token', async () => {
        const res = await api(fx.app).get('/healthz').expect(200);
        expect(res.body).toEqual({ status: 'ok' });
      });

      it('reports ready with the store reachable and the mirror hydrated to an authenticated caller', async () => {
        const res = await api(fx.app).get('/readyz').set('Authorization', viewer).expect(200);
        expect(res.body.store.up).toBe(true);
        expect(res.body.mirror).toMatchObject({ hydrated: true, cis: SEED_CIS.length, relationships: SEED_RELS.length, seq: fx.cmdb.seq });
      });

      it('tells an anonymous caller of /readyz only the status, never where the store is', async () => {
        const res = await api(fx.app).get('/readyz').expect(200);
        expect(res.body).toEqual({ status: 'ready' });
        expect(res.text).not.toContain(fx.cmdb.store.location);
      });

      it('exposes Prometheus metrics by route template and status, mirror size and last seq', async () => {
        await api(fx.app).get(`/api/v1/cis/db-orders`).set('Authorization', viewer).expect(200);
        await api(fx.app).get(`/api/v1/cis/nope`).set('Authorization', viewer).expect(404);
        const res = await api(fx.app).get('/metrics').expect(200);
        expect(res.headers['content-type']).toMatch(/text\/plain/);
        expect(res.text).toContain('http_requests_total{method="GET",route="/api/v1/cis/:id",status="200"} 1');
        expect(res.text).toContain('http_requests_total{method="GET",route="/api/v1/cis/:id",status="404"} 1');
        expect(res.text).toMatch(
          /http_request_duration_seconds_bucket\{le="[0-9.]+",method="GET",route="\/api\/v1\/cis\/:id",status="200"\}/,
        );
        expect(res.text).toContain(`cmdb_mirror_cis ${SEED_CIS.length}`);
        expect(res.text).toContain(`cmdb_last_seq ${fx.cmdb.seq}`);
      });

      it('sends security headers and a request id, echoing a sane incoming one', async () => {
        const res = await api(fx.app).get('/healthz').set('X-Request-Id', 'abc-123').expect(200);
        expect(res.headers['x-request-id']).toBe('abc-123');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['x-powered-by']).toBeUndefined();
        const other = await api(fx.app).get('/healthz').set('X-Request-Id', 'bad id with spaces').expect(200);
        expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      });

      it('serves an OpenAPI 3.1 document covering every route, and a docs page', async () => {
        const res = await api(fx.app).get('/api/v1/openapi.json').expect(200);
        expect(res.body.openapi).toBe('3.1.0');
        const ops = Object.values(res.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) =>
          Object.values(p).map((o) => o.operationId),
        );
        const table = (fx.app.locals.routeTable as { operationId: string }[]).map((r) => r.operationId);
        expect(ops.sort()).toEqual([...table].sort());
        expect(new Set(ops).size).toBe(ops.length);
        for (const op of [
          'listCIs',
          'patchCI',
          'importCMDB',
          'createToken',
          'impact',
          'createChange',
          'voteOnChange',
          'createFreezeWindow',
          'releasePlan',
          'createIncident',
          'correlate',
          'createProblemFromCorrelation',
          'listArticles',
          'slaReport',
          'me',
          'runAudit',
          'auditReport',
          'verifyLog',
          'createBaseline',
          'diffBaseline',
          'unauthorisedChanges',
        ])
          expect(ops).toContain(op);
        expect(res.body.components.schemas.CI.properties.class.pattern).toBeDefined();
        expect(res.body.paths['/api/v1/cis'].post.requestBody.content['application/json'].schema).toEqual({
          $ref: '#/components/schemas/CIInput',
        });
        expect(JSON.stringify(res.body)).not.toContain('$defs');
        const page = await api(fx.app).get('/api/v1/docs/').expect(200);
        expect(page.text).toContain('swagger-ui-bundle.js');
        await api(fx.app).get('/api/v1/docs/swagger-ui-bundle.js').expect(200);
        await api(fx.app).get('/api/v1/docs').expect(301);
      });

      it('answers an unknown route with 404 in the error shape', async () => {
        const res = await api(fx.app).get('/api/v1/nothing-here').set('Authorization', viewer).expect(404);
        expect(res.body).toEqual({ error: { code: 'not_found', message: 'no route for GET /api/v1/nothing-here', details: null } });
      });
    });

    describe('CIs', () => {
      it('lists CIs in id order, a page at a time, with an opaque cursor', async () => {
        const ids = SEED_CIS.map((c) => c.id).sort();
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res: { body: { items: { id: string }[]; next: string | null; source: string } } = await api(fx.app)
            .get(`/api/v1/cis?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
            .set('Authorization', viewer)
            .expect(200);
          expect(res.body.items.length).toBeLessThanOrEqual(2);
          expect(res.body.source).toBe('store');
          seen.push(...res.body.items.map((i) => i.id));
          cursor = res.body.next;
        } while (cursor);
        expect(seen).toEqual(ids);
      });

      it('filters by class, status, environment, owner, tag and name text', async () => {
        const q = async (qs: string) =>
          (await api(fx.app).get(`/api/v1/cis?${qs}`).set('Authorization', viewer).expect(200)).body.items.map((i: { id: string }) => i.id);
        expect(await q('class=Database')).toEqual(['db-orders', 'db-orders-replica']);
        expect(await q('status=maintenance')).toEqual(['db-orders-replica']);
        expect(await q('environment=staging')).toEqual(['vm-17']);
        expect(await q('owner=team-dba&criticality=1'.split('&')[0]!)).toEqual(['db-orders', 'db-orders-replica']);
        expect(await q('tag=tier1')).toEqual(['app-checkout', 'svc-shop']);
        expect(await q('q=ORDERS')).toEqual(['db-orders', 'db-orders-replica']);
        expect(await q('class=Database&q=replica')).toEqual(['db-orders-replica']);
        expect(await q('class=Router')).toEqual([]);
      });

      it('finds CIs by exact id or id prefix with an empty page, not a 404, when nothing matches', async () => {
        const q = async (qs: string) =>
          (await api(fx.app).get(`/api/v1/cis?${qs}`).set('Authorization', viewer).expect(200)).body.items.map((i: { id: string }) => i.id);
        expect(await q('id=db-orders')).toEqual(['db-orders']);
        expect(await q('id=nope')).toEqual([]);
        expect(await q('id=db-orders&class=Server')).toEqual([]);
        expect(await q('idPrefix=db-orders')).toEqual(['db-orders', 'db-orders-replica']);
        expect(await q('idPrefix=db-orders-')).toEqual(['db-orders-replica']);
        expect(await q('idPrefix=DB')).toEqual([]);
        expect(await q('idPrefix=db&status=maintenance')).toEqual(['db-orders-replica']);
        const first = await api(fx.app).get('/api/v1/cis?idPrefix=db&limit=1').set('Authorization', viewer).expect(200);
        expect(first.body.items.map((i: { id: string }) => i.id)).toEqual(['db-orders']);
        const rest = await api(fx.app)
          .get(`/api/v1/cis?idPrefix=db&limit=1&cursor=${first.body.next}`)
          .set('Authorization', viewer)
          .expect(200);
        expect(rest.body.items.map((i: { id: string }) => i.id)).toEqual(['db-orders-replica']);
      });

      it('refuses unknown query parameters, a bad limit and a forged cursor with 400 and zod issues', async () => {
        const unknown = await api(fx.app).get('/api/v1/cis?colour=red').set('Authorization', viewer).expect(400);
        expect(unknown.body.error.code).toBe('invalid_input');
        expect(unknown.body.error.details[0]).toMatchObject({ in: 'query', code: 'unrecognized_keys' });
        const limit = await api(fx.app).get('/api/v1/cis?limit=0').set('Authorization', viewer).expect(400);
        expect(limit.body.error.details[0]).toMatchObject({ in: 'query', path: ['limit'], code: 'too_small' });
        await api(fx.app).get('/api/v1/cis?cursor=!!!').set('Authorization', viewer).expect(400);
        await api(fx.app).get('/api/v1/cis?status=broken').set('Authorization', viewer).expect(400);
        await api(fx.app).get('/api/v1/cis?class=a&class=b').set('Authorization', viewer).expect(400);
      });

      it('gets a CI with its version as ETag', async () => {
        const res = await api(fx.app).get('/api/v1/cis/db-orders').set('Authorization', viewer).expect(200);
        expect(res.body).toMatchObject({ id: 'db-orders', class: 'Database', version: 1, tags: ['pci'] });
        expect(res.headers.etag).toBe('"1"');
      });

      it('answers 404 for an unknown CI and 400 for an id that cannot exist', async () => {
        const missing = await api(fx.app).get('/api/v1/cis/nope').set('Authorization', viewer).expect(404);
        expect(missing.body.error).toEqual({ code: 'not_found', message: 'getCI: CI "nope" not found', details: { id: 'nope' } });
        const bad = await api(fx.app)
          .get(`/api/v1/cis/${enc(' spaced')}`)
          .set('Authorization', viewer)
          .expect(400);
        expect(bad.body.error.details[0]).toMatchObject({ in: 'params', path: ['id'] });
      });

      it('creates a CI with defaults, Location and ETag, and records the actor', async () => {
        const res = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .send({ id: 'cache-01', class: 'Cache', name: 'Redis' })
          .expect(201);
        expect(res.body).toMatchObject({ id: 'cache-01', status: 'in_service', environment: 'production', criticality: 3, version: 1 });
        expect(res.headers.location).toBe('/api/v1/cis/cache-01');
        expect(res.headers.etag).toBe('"1"');
        expect(fx.cmdb.mirror.graph.hasNode('cache-01')).toBe(true);
        const history = await api(fx.app).get('/api/v1/cis/cache-01/history').set('Authorization', engineer).expect(200);
        expect(history.body.items).toHaveLength(1);
        expect(history.body.items[0]).toMatchObject({ op: 'create', actor: 'engineer-user', entity: 'ci', id: 'cache-01' });
      });

      it('refuses a duplicate id with 409 and writes nothing', async () => {
        const before = await snapshot(fx.cmdb);
        const res = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .send({ id: 'db-orders', class: 'Database', name: 'again' })
          .expect(409);
        expect(res.body.error).toMatchObject({ code: 'conflict', details: { id: 'db-orders', reason: 'duplicate_id' } });
        expect(await snapshot(fx.cmdb)).toEqual(before);
      });

      it('refuses an invalid body with 400 and zod path/code/message per issue', async () => {
        const res = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .send({ id: 'x', class: 'lowercase', criticality: 9 })
          .expect(400);
        expect(res.body.error.code).toBe('invalid_input');
        const paths = res.body.error.details.map((d: { path: string[] }) => d.path.join('.')).sort();
        expect(paths).toEqual(['class', 'criticality', 'name']);
        for (const d of res.body.error.details)
          expect(d).toMatchObject({ in: 'body', code: expect.any(String), message: expect.any(String) });
        expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
      });

      it('refuses an unknown class with 422', async () => {
        const res = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .send({ id: 'x-1', class: 'Spaceship', name: 'x' })
          .expect(422);
        expect(res.body.error).toMatchObject({ code: 'unprocessable', details: { path: ['class'], value: 'Spaceship' } });
      });

      it('refuses malformed JSON with 400, another media type with 415, an oversized body with 413', async () => {
        const bad = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .set('Content-Type', 'application/json')
          .send('{"id": ')
          .expect(400);
        expect(bad.body.error.code).toBe('invalid_input');
        const media = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .set('Content-Type', 'text/plain')
          .send('id=x')
          .expect(415);
        expect(media.body.error.code).toBe('unsupported_media_type');
        const big = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .send({ id: 'big', class: 'Cache', name: 'x', attributes: { blob: 'x'.repeat(1_200_000) } })
          .expect(413);
        expect(big.body.error.code).toBe('payload_too_large');
        const deep = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .set('Content-Type', 'application/json')
          .send(`{"id":"d","class":"Cache","name":"d","attributes":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`)
          .expect(400);
        expect(deep.body.error.details[0].code).toBe('too_deep');
      });

      it('replaces a CI with a current If-Match and bumps the version', async () => {
        const res = await api(fx.app)
          .put('/api/v1/cis/db-orders')
          .set('Authorization', engineer)
          .set('If-Match', '"1"')
          .send({ id: 'db-orders', class: 'Database', name: 'Orders DB (PostgreSQL)', criticality: 1 })
          .expect(200);
        expect(res.body).toMatchObject({ name: 'Orders DB (PostgreSQL)', version: 2, tags: [] });
        expect(res.headers.etag).toBe('"2"');
        expect(fx.cmdb.mirror.graph.getNodeAttribute('db-orders', 'name')).toBe('Orders DB (PostgreSQL)');
      });

      it('refuses a stale If-Match with 412 and writes nothing', async () => {
        await api(fx.app).patch('/api/v1/cis/db-orders').set('Authorization', engineer).send({ name: 'v2' }).expect(200);
        const before = await snapshot(fx.cmdb);
        const res = await api(fx.app)
          .put('/api/v1/cis/db-orders')
          .set('Authorization', engineer)
          .set('If-Match', '"1"')
          .send({ id: 'db-orders', class: 'Database', name: 'stale' })
          .expect(412);
        expect(res.body.error).toMatchObject({ code: 'precondition_failed', details: { expected: [1], actual: 2 } });
        await api(fx.app).delete('/api/v1/cis/vm-17?cascade=true').set('Authorization', engineer).set('If-Match', '"7"').expect(412);
        expect(await snapshot(fx.cmdb)).toEqual(before);
      });

      it('refuses a malformed If-Match with 400 and a body id that differs from the URL with 400', async () => {
        await api(fx.app)
          .put('/api/v1/cis/db-orders')
          .set('Authorization', engineer)
          .set('If-Match', 'version-1')
          .send({ id: 'db-orders', class: 'Database', name: 'x' })
          .expect(400);
        const res = await api(fx.app)
          .put('/api/v1/cis/db-orders')
          .set('Authorization', engineer)
          .send({ id: 'other', class: 'Database', name: 'x' })
          .expect(400);
        expect(res.body.error.details[0]).toMatchObject({ path: ['id'] });
      });

      it('answers 404 when replacing, patching or deleting a missing CI', async () => {
        await api(fx.app)
          .put('/api/v1/cis/ghost')
          .set('Authorization', engineer)
          .send({ id: 'ghost', class: 'Database', name: 'x' })
          .expect(404);
        await api(fx.app).patch('/api/v1/cis/ghost').set('Authorization', engineer).send({ name: 'x' }).expect(404);
        await api(fx.app).delete('/api/v1/cis/ghost').set('Authorization', engineer).expect(404);
      });

      it('patches some fields, and owner null removes the owner', async () => {
        const res = await api(fx.app)
          .patch('/api/v1/cis/db-orders')
          .set('Authorization', engineer)
          .set('If-Match', 'W/"1"')
          .send({ status: 'maintenance', owner: null, tags: ['pci', 'sox'] })
          .expect(200);
        expect(res.body).toMatchObject({ status: 'maintenance', tags: ['pci', 'sox'], version: 2, name: 'Orders DB' });
        expect(res.body.owner).toBeUndefined();
        const bad = await api(fx.app)
          .patch('/api/v1/cis/db-orders')
          .set('Authorization', engineer)
          .send({ class: 'Spaceship' })
          .expect(422);
        expect(bad.body.error.code).toBe('unprocessable');
        await api(fx.app).patch('/api/v1/cis/db-orders').set('Authorization', engineer).send({ id: 'renamed' }).expect(400);
      });

      it('merges a PATCH into attributes as a JSON Merge Patch: one attribute changes, null removes one, the others stay', async () => {
        await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', engineer)
          .send({
            id: 'srv-mp',
            class: 'Server',
            name: 'mp',
            attributes: { hostname: 'mp01', ip: '10.0.0.1', serial: 'SN1', disks: { a: 1, b: 2 } },
          })
          .expect(201);
        const res = await api(fx.app)
          .patch('/api/v1/cis/srv-mp')
          .set('Authorization', engineer)
          .set('Content-Type', 'application/merge-patch+json')
          .send(JSON.stringify({ attributes: { ip: '10.0.0.9', serial: null, disks: { b: null, c: 3 } }, tags: ['x'] }))
          .expect(200);
        expect(res.body.attributes).toEqual({ hostname: 'mp01', ip: '10.0.0.9', disks: { a: 1, c: 3 } });
        expect(res.body.tags).toEqual(['x']);
        const stored = await api(fx.app).get('/api/v1/cis/srv-mp').set('Authorization', viewer).expect(200);
        expect(stored.body.attributes).toEqual({ hostname: 'mp01', ip: '10.0.0.9', disks: { a: 1, c: 3 } });
        // Removing a required field is refused as a whole, with the field named; nothing written.
        const bad = await api(fx.app)
          .patch('/api/v1/cis/srv-mp')
          .set('Authorization', engineer)
          .set('Content-Type', 'application/merge-patch+json')
          .send(JSON.stringify({ name: null }))
          .expect(400);
        expect(bad.body.error.details[0]).toMatchObject({ in: 'body', path: ['name'] });
        expect((await api(fx.app).get('/api/v1/cis/srv-mp').set('Authorization', viewer).expect(200)).headers.etag).toBe('"2"');
        // PUT still replaces the whole CI: attributes not sent are gone.
        const put = await api(fx.app)
          .put('/api/v1/cis/srv-mp')
          .set('Authorization', engineer)
          .send({ id: 'srv-mp', class: 'Server', name: 'mp', attributes: { hostname: 'mp01' } })
          .expect(200);
        expect(put.body.attributes).toEqual({ hostname: 'mp01' });
        await api(fx.app)
          .patch('/api/v1/cis/srv-mp')
          .set('Authorization', engineer)
          .set('Content-Type', 'text/plain')
          .send('{}')
          .expect(415);
      });

      it('refuses to delete a CI that still has relationships, naming them', async () => {
        const before = await snapshot(fx.cmdb);
        const res = await api(fx.app).delete('/api/v1/cis/db-orders').set('Authorization', engineer).expect(409);
        expect(res.body.error.details).toMatchObject({ reason: 'has_relationships', count: 3 });
        expect(await snapshot(fx.cmdb)).toEqual(before);
      });

      it('deletes a CI with its relationships in one atomic batch with cascade=true', async () => {
        const res = await api(fx.app)
          .delete('/api/v1/cis/db-orders?cascade=true')
          .set('Authorization', engineer)
          .set('If-Match', '"1"')
          .expect(200);
        expect(res.body.relationshipsDeleted.sort()).toEqual([
          'app-checkout|DEPENDS_ON|db-orders',
          'db-orders|REPLICATES_TO|db-orders-replica',
          'db-orders|RUNS_ON|vm-17',
        ]);
        expect(fx.cmdb.mirror.graph.hasNode('db-orders')).toBe(false);
        expect(fx.cmdb.mirror.graph.size).toBe(SEED_RELS.length - 3);
        expect(await fx.cmdb.store.getRelationship('db-orders|RUNS_ON|vm-17')).toBeUndefined();
        await api(fx.app).get('/api/v1/cis/db-orders').set('Authorization', viewer).expect(404);
        const history = await api(fx.app).get('/api/v1/cis/db-orders/history').set('Authorization', engineer).expect(200);
        expect(history.body.items.map((e: { op: string }) => e.op)).toEqual(['create', 'delete']);
        await api(fx.app).delete('/api/v1/cis/srv-01').set('Authorization', engineer).expect(200);
        await api(fx.app).delete('/api/v1/cis/vm-17?cascade=maybe').set('Authorization', engineer).expect(400);
      });

      it('lists neighbours one hop in both directions with labels read from the CI', async () => {
        const res = await api(fx.app).get('/api/v1/cis/db-orders/neighbours').set('Authorization', viewer).expect(200);
        const view = res.body.items.map(
          (n: { direction: string; label: string; ci: { id: string } }) => `${n.direction} ${n.label} ${n.ci.id}`,
        );
        expect(view).toEqual(['in is depended on by app-checkout', 'out replicates to db-orders-replica', 'out runs on vm-17']);
        const out = await api(fx.app)
          .get('/api/v1/cis/db-orders/neighbours?direction=out&type=RUNS_ON')
          .set('Authorization', viewer)
          .expect(200);
        expect(out.body.items).toHaveLength(1);
        expect(out.body.items[0]).toMatchObject({
          relationship: { id: 'db-orders|RUNS_ON|vm-17', type: 'RUNS_ON', from: 'db-orders', to: 'vm-17' },
          ci: { id: 'vm-17', class: 'VirtualMachine' },
        });
        await api(fx.app).get('/api/v1/cis/ghost/neighbours').set('Authorization', viewer).expect(404);
        await api(fx.app).get('/api/v1/cis/db-orders/neighbours?direction=up').set('Authorization', viewer).expect(400);
      });

      it('pages history by seq and answers 404 for a CI that never existed', async () => {
        for (const name of ['a', 'b', 'c'])
          await api(fx.app).patch('/api/v1/cis/vm-17').set('Authorization', engineer).send({ name }).expect(200);
        const first = await api(fx.app).get('/api/v1/cis/vm-17/history?limit=2').set('Authorization', engineer).expect(200);
        expect(first.body.items.map((e: { op: string }) => e.op)).toEqual(['create', 'update']);
        expect(first.body.items[1].before.name).toBe('vm 17');
        expect(first.body.items[1].after.name).toBe('a');
        const second = await api(fx.app)
          .get(`/api/v1/cis/vm-17/history?limit=2&after=${first.body.next}`)
          .set('Authorization', engineer)
          .expect(200);
        expect(second.body.items.map((e: { after: { name: string } }) => e.after.name)).toEqual(['b', 'c']);
        expect(second.body.next).toBeNull();
        await api(fx.app).get('/api/v1/cis/ghost/history').set('Authorization', engineer).expect(404);
      });
    });

    describe('relationships', () => {
      it('lists relationships filtered by type and by either end, with pagination', async () => {
        const all = await api(fx.app).get('/api/v1/relationships').set('Authorization', viewer).expect(200);
        expect(all.body.items.map((r: { id: string }) => r.id)).toEqual(SEED_RELS.map((r) => r.id).sort());
        const byType = await api(fx.app).get('/api/v1/relationships?type=DEPENDS_ON').set('Authorization', viewer).expect(200);
        expect(byType.body.items).toHaveLength(2);
        const byEnd = await api(fx.app).get('/api/v1/relationships?ci=db-orders&limit=2').set('Authorization', viewer).expect(200);
        expect(byEnd.body.items).toHaveLength(2);
        const rest = await api(fx.app)
          .get(`/api/v1/relationships?ci=db-orders&limit=2&cursor=${byEnd.body.next}`)
          .set('Authorization', viewer)
          .expect(200);
        expect(rest.body.items).toHaveLength(1);
        expect(rest.body.next).toBeNull();
        const from = await api(fx.app).get('/api/v1/relationships?from=db-orders&type=RUNS_ON').set('Authorization', viewer).expect(200);
        expect(from.body.items.map((r: { id: string }) => r.id)).toEqual(['db-orders|RUNS_ON|vm-17']);
      });

      it('gets a relationship by its url-encoded id with an ETag', async () => {
        const res = await api(fx.app)
          .get(`/api/v1/relationships/${enc('db-orders|RUNS_ON|vm-17')}`)
          .set('Authorization', viewer)
          .expect(200);
        expect(res.body).toMatchObject({ type: 'RUNS_ON', from: 'db-orders', to: 'vm-17', version: 1 });
        expect(res.headers.etag).toBe('"1"');
        await api(fx.app)
          .get(`/api/v1/relationships/${enc('a|B|c')}`)
          .set('Authorization', viewer)
          .expect(404);
      });

      it('creates a relationship with the default id, into the mirror', async () => {
        const res = await api(fx.app)
          .post('/api/v1/relationships')
          .set('Authorization', engineer)
          .send({ type: 'HOSTED_ON', from: 'vm-17', to: 'srv-01' })
          .expect(201);
        expect(res.body.id).toBe('vm-17|HOSTED_ON|srv-01');
        expect(res.headers.location).toBe(`/api/v1/relationships/${enc('vm-17|HOSTED_ON|srv-01')}`);
        expect(fx.cmdb.mirror.graph.hasEdge('vm-17|HOSTED_ON|srv-01')).toBe(true);
      });

      it('refuses a dangling end or unknown type with 422, a self-loop with 400 and a duplicate with 409, writing nothing', async () => {
        const before = await snapshot(fx.cmdb);
        const dangling = await api(fx.app)
          .post('/api/v1/relationships')
          .set('Authorization', engineer)
          .send({ type: 'RUNS_ON', from: 'db-orders', to: 'vm-99' })
          .expect(422);
        expect(dangling.body.error.message).toContain('vm-99');
        await api(fx.app)
          .post('/api/v1/relationships')
          .set('Authorization', engineer)
          .send({ type: 'EATS', from: 'db-orders', to: 'vm-17' })
          .expect(422);
        const loop = await api(fx.app)
          .post('/api/v1/relationships')
          .set('Authorization', engineer)
          .send({ type: 'RUNS_ON', from: 'vm-17', to: 'vm-17' })
          .expect(400);
        expect(loop.body.error.details[0]).toMatchObject({ path: ['to'], code: 'custom' });
        await api(fx.app)
          .post('/api/v1/relationships')
          .set('Authorization', engineer)
          .send({ type: 'RUNS_ON', from: 'db-orders', to: 'vm-17' })
          .expect(409);
        expect(await snapshot(fx.cmdb)).toEqual(before);
      });

      it('replaces and deletes a relationship under If-Match', async () => {
        const id = enc('db-orders|RUNS_ON|vm-17');
        const put = await api(fx.app)
          .put(`/api/v1/relationships/${id}`)
          .set('Authorization', engineer)
          .set('If-Match', '"1"')
          .send({ type: 'RUNS_ON', from: 'db-orders', to: 'vm-17', attributes: { port: 5432 } })
          .expect(200);
        expect(put.body).toMatchObject({ version: 2, attributes: { port: 5432 } });
        await api(fx.app).delete(`/api/v1/relationships/${id}`).set('Authorization', engineer).set('If-Match', '"1"').expect(412);
        await api(fx.app).delete(`/api/v1/relationships/${id}`).set('Authorization', engineer).set('If-Match', '"2"').expect(200);
        expect(fx.cmdb.mirror.graph.hasEdge('db-orders|RUNS_ON|vm-17')).toBe(false);
        const history = await api(fx.app).get(`/api/v1/relationships/${id}/history`).set('Authorization', engineer).expect(200);
        expect(history.body.items.map((e: { op: string; actor: string }) => `${e.op}:${e.actor}`)).toEqual([
          'create:seed',
          'update:engineer-user',
          'delete:engineer-user',
        ]);
        await api(fx.app).delete(`/api/v1/relationships/${id}`).set('Authorization', engineer).expect(404);
        await api(fx.app)
          .get(`/api/v1/relationships/${enc('x|Y|z')}/history`)
          .set('Authorization', engineer)
          .expect(404);
      });
    });

    describe('import, export, registry', () => {
      it('imports a JSON body atomically and idempotently', async () => {
        const doc = {
          cis: [{ id: 'lb-01', class: 'LoadBalancer', name: 'LB' }],
          relationships: [{ type: 'DEPENDS_ON', from: 'app-checkout', to: 'lb-01' }],
        };
        const res = await api(fx.app).post('/api/v1/import').set('Authorization', admin).send(doc).expect(200);
        expect(res.body).toMatchObject({ cis: 1, relationships: 1, created: 2, updated: 0, unchanged: 0 });
        const again = await api(fx.app).post('/api/v1/import').set('Authorization', admin).send(doc).expect(200);
        expect(again.body).toMatchObject({ created: 0, unchanged: 2 });
        const history = await api(fx.app).get('/api/v1/cis/lb-01/history').set('Authorization', admin).expect(200);
        expect(history.body.items[0].actor).toBe('admin-user');
      });

      it('refuses an import with one bad row, naming it, and writes nothing', async () => {
        const before = await snapshot(fx.cmdb);
        const res = await api(fx.app)
          .post('/api/v1/import')
          .set('Authorization', admin)
          .send({
            cis: [
              { id: 'ok-1', class: 'Cache', name: 'ok' },
              { id: 'bad 2', class: 'Cache', name: 'bad' },
            ],
          })
          .expect(400);
        expect(res.body.error.details[0]).toMatchObject({ path: ['cis', 1, 'id'] });
        const semantic = await api(fx.app)
          .post('/api/v1/import')
          .set('Authorization', admin)
          .send({ cis: [{ id: 'ok-1', class: 'Cache', name: 'ok' }], relationships: [{ type: 'DEPENDS_ON', from: 'ok-1', to: 'missing' }] })
          .expect(422);
        expect(semantic.body.error.message).toContain('relationships[0]');
        await api(fx.app).post('/api/v1/import').set('Authorization', admin).send({ cis: [], extra: 1 }).expect(400);
        expect(await snapshot(fx.cmdb)).toEqual(before);
      });

      it('imports multipart CSV and NDJSON files like the CLI', async () => {
        const csv = 'id,class,name,tags\nq-01,MessageQueue,Orders queue,async;tier1\n';
        const rels = 'type,from,to\nDEPENDS_ON,app-checkout,q-01\n';
        const res = await api(fx.app)
          .post('/api/v1/import')
          .set('Authorization', admin)
          .attach('file', Buffer.from(csv), 'cis.csv')
          .attach('file', Buffer.from(rels), 'rels.csv')
          .expect(200);
        expect(res.body).toMatchObject({ cis: 1, relationships: 1, created: 2 });
        const nd = '{"kind":"ci","id":"q-02","class":"MessageQueue","name":"q2"}\n';
        await api(fx.app).post('/api/v1/import').set('Authorization', admin).attach('file', Buffer.from(nd), 'more.ndjson').expect(200);
        expect(fx.cmdb.mirror.graph.hasNode('q-02')).toBe(true);
        const before = await snapshot(fx.cmdb);
        const bad = await api(fx.app)
          .post('/api/v1/import')
          .set('Authorization', admin)
          .attach('file', Buffer.from('id,class,name\nx 1,Cache,x\n'), 'bad.csv')
          .expect(400);
        expect(bad.body.error.message).toContain('line 2');
        await api(fx.app).post('/api/v1/import').set('Authorization', admin).attach('file', Buffer.from('x'), 'data.xml').expect(400);
        await api(fx.app).post('/api/v1/import').set('Authorization', admin).field('note', 'no file').expect(400);
        await api(fx.app).post('/api/v1/import').set('Authorization', admin).set('Content-Type', 'text/csv').send(csv).expect(415);
        expect(await snapshot(fx.cmdb)).toEqual(before);
      });

      it('exports JSON that imports back unchanged, NDJSON, and one CSV part', async () => {
        const json = await api(fx.app).get('/api/v1/export').set('Authorization', engineer).expect(200);
        expect(json.headers['content-type']).toMatch(/application\/json/);
        const doc = JSON.parse(json.text);
        expect(doc.cis).toHaveLength(SEED_CIS.length);
        expect(doc.relationships).toHaveLength(SEED_RELS.length);
        const back = await api(fx.app).post('/api/v1/import').set('Authorization', admin).send(doc).expect(200);
        expect(back.body.unchanged).toBe(SEED_CIS.length + SEED_RELS.length);
        const nd = await api(fx.app).get('/api/v1/export?format=ndjson').set('Authorization', engineer).expect(200);
        expect(nd.text.trim().split('\n')).toHaveLength(SEED_CIS.length + SEED_RELS.length);
        const csv = await api(fx.app).get('/api/v1/export?format=csv&part=relationships').set('Authorization', engineer).expect(200);
        expect(csv.text.split('\n')[0]).toContain('from');
        await api(fx.app).get('/api/v1/export?format=csv').set('Authorization', engineer).expect(400);
        await api(fx.app).get('/api/v1/export?format=xml').set('Authorization', engineer).expect(400);
      });

      it('returns the class and relationship-type registries', async () => {
        const res = await api(fx.app).get('/api/v1/registry').set('Authorization', viewer).expect(200);
        expect(res.body.classes.map((c: { id: string }) => c.id)).toContain('BusinessService');
        expect(res.body.relationshipTypes.find((t: { type: string }) => t.type === 'MEMBER_OF')).toMatchObject({
          provider: 'from',
          propagates: true,
        });
      });
    });

    describe('authentication and tokens', () => {
      it('refuses a request without a token, with a malformed header or an unknown token with 401', async () => {
        const none = await api(fx.app).get('/api/v1/cis').expect(401);
        expect(none.headers['www-authenticate']).toContain('Bearer');
        expect(none.body.error.code).toBe('unauthorized');
        await api(fx.app).get('/api/v1/cis').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
        await api(fx.app)
          .get('/api/v1/cis')
          .set('Authorization', `Bearer cmdb_${'A'.repeat(43)}`)
          .expect(401);
        await api(fx.app).get('/api/v1/cis').set('Authorization', 'Bearer short').expect(401);
      });

      it('creates, lists and revokes tokens over the API; a revoked token stops working at once', async () => {
        const created = await api(fx.app)
          .post('/api/v1/tokens')
          .set('Authorization', admin)
          .send({ name: 'ci-bot', role: 'engineer' })
          .expect(201);
        expect(created.body.token).toMatch(/^cmdb_/);
        expect(created.headers['cache-control']).toBe('no-store');
        const bot = `Bearer ${created.body.token}`;
        await api(fx.app).post('/api/v1/cis').set('Authorization', bot).send({ id: 'bot-ci', class: 'Cache', name: 'bot' }).expect(201);
        const list = await api(fx.app).get('/api/v1/tokens').set('Authorization', admin).expect(200);
        expect(list.body.items.map((t: { name: string }) => t.name)).toContain('ci-bot');
        expect(JSON.stringify(list.body)).not.toMatch(/hash|cmdb_/);
        const stored = await fx.cmdb.store.getRecord('token', created.body.info.id);
        expect(JSON.stringify(stored)).not.toContain(created.body.token);
        await api(fx.app).post('/api/v1/tokens').set('Authorization', admin).send({ name: 'ci-bot', role: 'viewer' }).expect(409);
        await api(fx.app).post('/api/v1/tokens').set('Authorization', admin).send({ name: 'x', role: 'root' }).expect(400);
        await api(fx.app).delete('/api/v1/tokens/ci-bot').set('Authorization', admin).expect(200);
        await api(fx.app).get('/api/v1/cis').set('Authorization', bot).expect(401);
        await api(fx.app).delete('/api/v1/tokens/ci-bot').set('Authorization', admin).expect(409);
        await api(fx.app).delete('/api/v1/tokens/nobody').set('Authorization', admin).expect(404);
      });

      it('records the token name as the actor of every write', async () => {
        await api(fx.app)
          .patch('/api/v1/cis/vm-17')
          .set('Authorization', fx.auth.change_manager)
          .send({ name: 'vm seventeen' })
          .expect(200);
        const events = await fx.cmdb.store.history('ci', 'vm-17');
        expect(events.at(-1)).toMatchObject({ actor: 'change_manager-user', op: 'update' });
      });

      it('serves anonymous requests as admin only when started with auth off, and still names a token holder', async () => {
        const open = await apiFixture(await factory()!.create(), { auth: false });
        try {
          await api(open.app).post('/api/v1/cis').send({ id: 'anon-1', class: 'Cache', name: 'anon' }).expect(201);
          await api(open.app)
            .post('/api/v1/cis')
            .set('Authorization', open.auth.viewer)
            .send({ id: 'anon-2', class: 'Cache', name: 'anon' })
            .expect(403);
          await api(open.app)
            .post('/api/v1/cis')
            .set('Authorization', open.auth.engineer)
            .send({ id: 'anon-3', class: 'Cache', name: 'named' })
            .expect(201);
          expect((await open.cmdb.store.history('ci', 'anon-1'))[0]!.actor).toBe('anonymous');
          expect((await open.cmdb.store.history('ci', 'anon-3'))[0]!.actor).toBe('engineer-user');
          const doc = await api(open.app).get('/api/v1/openapi.json').expect(200);
          expect(doc.body.info.description).toContain('--no-auth');
        } finally {
          await open.close();
        }
      });

      it('rate-limits per token with 429 in the error shape', async () => {
        const limited = await apiFixture(await factory()!.create(), { rateLimit: { windowMs: 60_000, limit: 3 } }, false);
        try {
          for (let i = 0; i < 3; i++) await api(limited.app).get('/api/v1/registry').set('Authorization', limited.auth.viewer).expect(200);
          const res = await api(limited.app).get('/api/v1/registry').set('Authorization', limited.auth.viewer).expect(429);
          expect(res.body.error.code).toBe('rate_limited');
          // Another token has its own budget.
          await api(limited.app).get('/api/v1/registry').set('Authorization', limited.auth.auditor).expect(200);
        } finally {
          await limited.close();
        }
      });
    });

    describe('roles', () => {
      // One representative call per permission; each role must get through (not 401/403) exactly when the table allows.
      const calls: { permission: Permission; name: string; run: (fx: ApiFixture, auth: string) => Promise<{ status: number }> }[] = [
        { permission: 'cmdb:read', name: 'GET /cis', run: (f, a) => api(f.app).get('/api/v1/cis').set('Authorization', a) },
        {
          permission: 'cmdb:read',
          name: 'GET /cis/:id/neighbours',
          run: (f, a) => api(f.app).get('/api/v1/cis/db-orders/neighbours').set('Authorization', a),
        },
        {
          permission: 'cmdb:read',
          name: 'GET /relationships',
          run: (f, a) => api(f.app).get('/api/v1/relationships').set('Authorization', a),
        },
        { permission: 'cmdb:read', name: 'GET /registry', run: (f, a) => api(f.app).get('/api/v1/registry').set('Authorization', a) },
        {
          permission: 'cmdb:write',
          name: 'POST /cis',
          run: (f, a) => api(f.app).post('/api/v1/cis').set('Authorization', a).send({ id: 'role-ci', class: 'Cache', name: 'r' }),
        },
        {
          permission: 'cmdb:write',
          name: 'PATCH /cis/:id',
          run: (f, a) => api(f.app).patch('/api/v1/cis/vm-17').set('Authorization', a).send({ name: 'r' }),
        },
        {
          permission: 'cmdb:write',
          name: 'DELETE /relationships/:id',
          run: (f, a) =>
            api(f.app)
              .delete(`/api/v1/relationships/${enc('db-orders|RUNS_ON|vm-17')}`)
              .set('Authorization', a),
        },
        {
          permission: 'cmdb:import',
          name: 'POST /import',
          run: (f, a) => api(f.app).post('/api/v1/import').set('Authorization', a).send({ cis: [] }),
        },
        { permission: 'cmdb:export', name: 'GET /export', run: (f, a) => api(f.app).get('/api/v1/export').set('Authorization', a) },
        {
          permission: 'history:read',
          name: 'GET /cis/:id/history',
          run: (f, a) => api(f.app).get('/api/v1/cis/db-orders/history').set('Authorization', a),
        },
        { permission: 'tokens:manage', name: 'GET /tokens', run: (f, a) => api(f.app).get('/api/v1/tokens').set('Authorization', a) },
      ];

      for (const role of ROLES) {
        it(`lets ${role} make exactly the calls its permissions allow`, async () => {
          for (const call of calls) {
            const res = await call.run(fx, fx.auth[role as Role]);
            const allowed = can(role, call.permission);
            expect({ call: call.name, status: res.status, allowed }).toEqual({
              call: call.name,
              status: allowed ? expect.any(Number) : 403,
              allowed,
            });
            if (allowed) expect([401, 403]).not.toContain(res.status);
            if (allowed) expect(res.status).toBeLessThan(300);
          }
        });
      }

      it('refuses a denied write with 403 before reading the body, and writes nothing', async () => {
        const before = await snapshot(fx.cmdb);
        const res = await api(fx.app)
          .post('/api/v1/cis')
          .set('Authorization', fx.auth.auditor)
          .set('Content-Type', 'text/plain')
          .send('junk')
          .expect(403);
        expect(res.body.error).toMatchObject({ code: 'forbidden', details: { role: 'auditor', permission: 'cmdb:write' } });
        expect(await snapshot(fx.cmdb)).toEqual(before);
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of many parallel If-Match updates of one version win', async () => {
        const n = 16;
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            api(fx.app)
              .put('/api/v1/cis/vm-17')
              .set('Authorization', engineer)
              .set('If-Match', '"1"')
              .send({ id: 'vm-17', class: 'VirtualMachine', name: `writer ${i}`, environment: 'staging' }),
          ),
        );
        const statuses = results.map((r) => r.status).sort();
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        expect(statuses.filter((s) => s === 412)).toHaveLength(n - 1);
        const winner = results.find((r) => r.status === 200)!;
        const stored = await fx.cmdb.store.getCI('vm-17');
        expect(stored).toMatchObject({ version: 2, name: winner.body.name });
        expect(fx.cmdb.mirror.graph.getNodeAttribute('vm-17', 'name')).toBe(winner.body.name);
        expect((await fx.cmdb.store.history('ci', 'vm-17')).filter((e) => e.op === 'update')).toHaveLength(1);
      });

      it('loses no update when parallel clients read-modify-write a counter with If-Match and retry on 412', async () => {
        const clients = 6;
        const increments = 3;
        let conflicts = 0;
        const worker = async () => {
          for (let k = 0; k < increments; k++) {
            for (;;) {
              const got = await api(fx.app).get('/api/v1/cis/vm-17').set('Authorization', engineer).expect(200);
              const count = ((got.body.attributes.count as number | undefined) ?? 0) + 1;
              const res = await api(fx.app)
                .patch('/api/v1/cis/vm-17')
                .set('Authorization', engineer)
                .set('If-Match', got.headers.etag!)
                .send({ attributes: { ...got.body.attributes, count } });
              if (res.status === 200) break;
              expect(res.status).toBe(412);
              conflicts += 1;
            }
          }
        };
        await Promise.all(Array.from({ length: clients }, worker));
        const final = await fx.cmdb.store.getCI('vm-17');
        expect(final!.attributes.count).toBe(clients * increments);
        expect(final!.version).toBe(1 + clients * increments);
        expect(conflicts).toBeGreaterThanOrEqual(0);
      });
    });
  });
}
