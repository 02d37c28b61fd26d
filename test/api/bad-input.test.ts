/**
 * Bad input, property-based: random and malformed bodies, params, query strings and headers
 * against every write route. Every answer must be a 4xx in the error shape (never a 5xx, never a
 * crash) and store + mirror must be exactly as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { api, apiFixture, snapshot, type ApiFixture, type Snapshot } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-bad-input-'));
let fx: ApiFixture;
let before: Snapshot;

beforeAll(async () => {
  const store = new SqliteStore(join(dir, 'fuzz.sqlite'));
  await store.init();
  fx = await apiFixture(store);
  before = await snapshot(fx.cmdb);
});
afterAll(async () => {
  await fx.close();
  rmSync(dir, { recursive: true, force: true });
});

type Method = 'post' | 'put' | 'patch' | 'delete';
const WRITE_ROUTES: { method: Method; path: (id: string) => string }[] = [
  { method: 'post', path: () => '/api/v1/cis' },
  { method: 'put', path: (id) => `/api/v1/cis/${id}` },
  { method: 'patch', path: (id) => `/api/v1/cis/${id}` },
  { method: 'delete', path: (id) => `/api/v1/cis/${id}` },
  { method: 'post', path: () => '/api/v1/relationships' },
  { method: 'put', path: (id) => `/api/v1/relationships/${id}` },
  { method: 'delete', path: (id) => `/api/v1/relationships/${id}` },
  { method: 'post', path: () => '/api/v1/import' },
  { method: 'post', path: () => '/api/v1/tokens' },
  { method: 'delete', path: (id) => `/api/v1/tokens/${id}` },
];

/** Ids that are wrong in every way a URL segment can be, but never an existing entity. */
const badId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }).map((s) => encodeURIComponent(`zz${s}`)),
  fc.constantFrom('%', '%E0%A4%A', '..', '%2e%2e', '%00', 'a%2Fb%2F..', 'x'.repeat(600), '%F0%9F%92%A9', 'nope'),
);

const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 })
    .map((d) => `?${new URLSearchParams(d).toString()}`),
  fc.constantFrom(
    '?cascade=maybe',
    '?cascade=true&cascade=false',
    '?%',
    '?a[b]=c',
    '?limit=-1',
    '?__proto__=x',
    '?constructor[prototype][x]=1',
  ),
);

/** Bodies: arbitrary JSON values, near-miss CIs and relationships, and raw malformed text. */
const jsonBody = fc.oneof(
  fc.anything({ maxDepth: 4 }),
  fc.record({ id: fc.string(), class: fc.string(), name: fc.anything() }, { requiredKeys: [] }),
  fc.record({
    id: fc.constantFrom('zz-new', '', ' '),
    class: fc.constantFrom('Spaceship', 'cache', 'Database '),
    name: fc.string(),
    criticality: fc.integer(),
  }),
  fc.record({ type: fc.string(), from: fc.constantFrom('db-orders', 'ghost', ''), to: fc.constantFrom('vm-17', 'db-orders', 'ghost') }),
  fc.record(
    { cis: fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 3 }), relationships: fc.anything({ maxDepth: 2 }) },
    { requiredKeys: [] },
  ),
  fc.record({ name: fc.string(), role: fc.string() }),
  fc.constantFrom({ __proto__: { admin: true } }, JSON.parse('{"__proto__":{"polluted":1}}'), { constructor: { prototype: { x: 1 } } }),
);
const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"id":', '[1,2', '\u0000', 'null', '"str"', '{"a":' + '['.repeat(3000), '\ufeff{}'),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  undefined,
);
const ifMatch = fc.option(
  fc.oneof(fc.constantFrom('"1"', '"99"', '*', 'W/"1"', 'garbage', '"0"', '""', '"1", "2"'), fc.string({ maxLength: 20 })),
  { nil: undefined },
);

function expectErrorShape(res: { status: number; body: unknown; text: string }, label: string) {
  expect(res.status, label).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  const body = res.body as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, label).toBe('string');
  expect(typeof body.error?.message, label).toBe('string');
  expect(res.text, label).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('bad input to every write route', () => {
  it('never answers 5xx and never writes, for random JSON bodies, ids, query strings and If-Match', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WRITE_ROUTES),
        badId,
        query,
        jsonBody,
        ifMatch,
        fc.constantFrom('admin', 'engineer', 'viewer'),
        async (route, id, qs, body, im, role) => {
          let req = api(fx.app)
            [route.method](route.path(id) + qs)
            .set('Authorization', fx.auth[role as 'admin']);
          if (im !== undefined) req = req.set('If-Match', im.replace(/[^\x20-\x7e]/g, ''));
          const res = await req.set('Content-Type', 'application/json').send(JSON.stringify(body) ?? 'null');
          const label = `${route.method} ${route.path(id)}${qs} ${JSON.stringify(body)?.slice(0, 200)}`;
          // The one random body that is valid is an empty import document: a successful no-op.
          if (res.status === 200 && route.path(id) === '/api/v1/import') expect(res.body, label).toMatchObject({ created: 0, updated: 0 });
          else expectErrorShape(res, label);
        },
      ),
      { numRuns: 300 },
    );
    expect(await snapshot(fx.cmdb)).toEqual(before);
  });

  it('never answers 5xx and never writes, for malformed text under any content type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WRITE_ROUTES), rawBody, contentType, async (route, body, type) => {
        let req = api(fx.app)[route.method](route.path('zz-missing')).set('Authorization', fx.auth.admin);
        if (type !== undefined) req = req.set('Content-Type', type);
        const res = await req.send(body);
        const label = `${route.method} ${route.path('zz-missing')} [${type}] ${JSON.stringify(body).slice(0, 100)}`;
        if (res.status === 200 && route.path('zz-missing') === '/api/v1/import')
          expect(res.body, label).toMatchObject({ created: 0, updated: 0 });
        else expectErrorShape(res, label);
      }),
      { numRuns: 200 },
    );
    expect(await snapshot(fx.cmdb)).toEqual(before);
  });

  it('never answers 5xx and never writes, for valid-looking writes aimed at existing entities with a stale If-Match', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('db-orders', 'vm-17', 'app-checkout'),
        fc.string({ maxLength: 30 }),
        fc.integer({ min: 2, max: 1000 }),
        async (id, name, version) => {
          const etag = `"${version}"`;
          const put = await api(fx.app)
            .put(`/api/v1/cis/${id}`)
            .set('Authorization', fx.auth.admin)
            .set('If-Match', etag)
            .send({ id, class: 'Database', name: name || 'x' });
          expectErrorShape(put, `put ${id}`);
          const del = await api(fx.app).delete(`/api/v1/cis/${id}?cascade=true`).set('Authorization', fx.auth.admin).set('If-Match', etag);
          expectErrorShape(del, `delete ${id}`);
        },
      ),
      { numRuns: 60 },
    );
    expect(await snapshot(fx.cmdb)).toEqual(before);
  });

  it('never answers 5xx and never writes, for malformed multipart uploads', async () => {
    const cases: [string, string][] = [
      [
        'multipart/form-data; boundary=zzz',
        '--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.json"\r\n\r\n{"cis": [{"id": 1}]}\r\n--zzz--\r\n',
      ],
      ['multipart/form-data; boundary=zzz', '--zzz\r\nContent-Disposition: form-data; name="file"\r\n\r\nnot a file\r\n--zzz'],
      ['multipart/form-data; boundary=zzz', 'garbage without boundaries'],
      ['multipart/form-data', '--x\r\n\r\n'],
      [
        'multipart/form-data; boundary=zzz',
        '--zzz\r\nContent-Disposition: form-data; name="other"; filename="a.csv"\r\n\r\nid,class,name\r\n--zzz--\r\n',
      ],
      [
        'multipart/form-data; boundary=zzz',
        '--zzz\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd.csv"\r\n\r\nid,class,name\nx y,Cache,n\r\n--zzz--\r\n',
      ],
    ];
    for (const [type, body] of cases) {
      const res = await api(fx.app).post('/api/v1/import').set('Authorization', fx.auth.admin).set('Content-Type', type).send(body);
      expectErrorShape(res, `${type} ${body.slice(0, 60)}`);
    }
    expect(await snapshot(fx.cmdb)).toEqual(before);
  });
});
