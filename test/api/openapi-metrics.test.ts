/**
 * What the route table feeds besides the pipeline: the OpenAPI document lists every route with
 * its permission and schemas (params, query, body, responses), PATCH bodies as merge patches; and
 * /metrics labels every request by its route template — the record routes included, never
 * `unmatched` — while an unknown path stays `unmatched` (ids never become labels).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import type { AnyRoute } from '../../api/route.ts';
import { api, apiFixture, type ApiFixture } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-openapi-'));
let fx: ApiFixture;
let routes: AnyRoute[];
type Op = {
  operationId: string;
  parameters: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  'x-permission'?: string;
};

beforeAll(async () => {
  const store = new SqliteStore(join(dir, 'openapi.sqlite'));
  await store.init();
  fx = await apiFixture(store);
  routes = fx.app.locals.routeTable as AnyRoute[];
});
afterAll(async () => {
  await fx.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('OpenAPI from the route table', () => {
  it('lists every route under its path and method with its permission, parameters, body and response schemas', async () => {
    const doc = (await api(fx.app).get('/api/v1/openapi.json').expect(200)).body as { paths: Record<string, Record<string, Op>> };
    for (const r of routes) {
      const path = `/api/v1${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
      const op = doc.paths[path]?.[r.method];
      expect(op, `${r.method} ${path} is documented`).toBeDefined();
      expect(op!.operationId).toBe(r.operationId);
      expect(op!['x-permission']).toBe(r.permission);
      for (const name of r.path.match(/:([A-Za-z_]+)/g) ?? [])
        expect(op!.parameters).toContainEqual(expect.objectContaining({ name: name.slice(1), in: 'path' }));
      if (r.body) expect(Object.values(op!.requestBody!.content)[0]!.schema, `${r.operationId} body schema`).toBeTruthy();
      const ok = Object.entries(op!.responses).find(([status]) => status.startsWith('2'));
      expect(ok, `${r.operationId} has a success response`).toBeDefined();
      // The export and the audit report answer in the format asked for (NDJSON, CSV, HTML), not one JSON schema.
      if (!['exportCMDB', 'auditReport'].includes(r.operationId))
        expect(ok![1].content?.['application/json']?.schema, `${r.operationId} success schema`).toBeTruthy();
    }
    const count = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
    expect(count).toBe(routes.length);
    const patch = doc.paths['/api/v1/cis/{id}']!.patch!;
    expect(Object.keys(patch.requestBody!.content)).toEqual(['application/merge-patch+json', 'application/json']);
    expect(doc.paths['/api/v1/changes/{id}/approvals']!.post!['x-permission']).toBe('changes:approve');
  });
});

describe('/metrics labels', () => {
  it('labels record routes by their template and an unknown path as unmatched', async () => {
    await api(fx.app).get('/api/v1/incidents').set('Authorization', fx.auth.viewer).expect(200);
    await api(fx.app).get('/api/v1/changes/CHG-000042').set('Authorization', fx.auth.viewer).expect(404);
    await api(fx.app).post('/api/v1/correlate').set('Authorization', fx.auth.viewer).send({}).expect(200);
    await api(fx.app).get('/api/v1/no-such-thing').set('Authorization', fx.auth.viewer).expect(404);
    const text = (await api(fx.app).get('/metrics').expect(200)).text;
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/incidents",status="200"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/changes\/:id",status="404"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/api\/v1\/correlate",status="200"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).not.toContain('CHG-000042');
  });
});
