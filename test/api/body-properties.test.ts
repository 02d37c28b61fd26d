/**
 * A property over every route of the table that takes a body: whatever JSON arrives — random
 * values, or objects using the schema's own field names with random values — the answer is never
 * a 5xx, and a 4xx writes nothing (the store's event log and the mirror stay at the same seq).
 * Routes with an `:id` are aimed at records that exist, so bodies reach the services, not only
 * the 404 of a missing id. SQLite (the property is about the pipeline and the services, not the
 * store; the route walk covers Neo4j).
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import type { AnyRoute } from '../../api/route.ts';
import { api, apiFixture, type ApiFixture } from './harness.ts';
import { send, writtenState } from './pipeline-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-body-props-'));
let fx: ApiFixture;
let routes: AnyRoute[];
/** An existing id per collection (first path segment). */
const ids: Record<string, string> = {};

beforeAll(async () => {
  const store = new SqliteStore(join(dir, 'props.sqlite'));
  await store.init();
  fx = await apiFixture(store, { authFailureLimit: false, rateLimit: false });
  routes = (fx.app.locals.routeTable as AnyRoute[]).filter((r) => r.body !== undefined);
  const admin = fx.auth.admin;
  const post = async (path: string, body: object) =>
    (await api(fx.app).post(`/api/v1${path}`).set('Authorization', admin).send(body).expect(201)).body as { id: string };
  ids.cis = 'vm-17';
  ids.relationships = 'db-orders|RUNS_ON|vm-17';
  ids.changes = (await post('/changes', { title: 'prop change', targets: [{ ci: 'vm-17', effect: 'degraded' }] })).id;
  ids.releases = (await post('/releases', { name: 'prop release', changes: [ids.changes] })).id;
  ids.incidents = (await post('/incidents', { title: 'prop incident', cis: ['db-orders'] })).id;
  ids.problems = (await post('/problems', { title: 'prop problem', rootCause: 'db-orders' })).id;
  ids.articles = (await post('/articles', { title: 'prop article', body: 'restart it' })).id;
}, 60_000);
afterAll(async () => {
  await fx.close();
  rmSync(dir, { recursive: true, force: true });
});

function urlFor(route: AnyRoute): string {
  const collection = route.path.split('/')[1]!;
  return `/api/v1${route.path.replace(/:[A-Za-z_]+/g, encodeURIComponent(ids[collection] ?? 'none'))}`;
}

/** The top-level field names the body schema declares (JSON Schema of its input). */
function fieldsOf(route: AnyRoute): string[] {
  const json = z.toJSONSchema(route.body as z.ZodType, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
  return Object.keys(json.properties ?? {});
}

function bodies(route: AnyRoute): fc.Arbitrary<unknown> {
  const fields = fieldsOf(route);
  const value = fc.jsonValue({ maxDepth: 3 });
  const shaped = fields.length > 0 ? fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: fields.length }) : fc.constant({});
  return fc.oneof({ arbitrary: value, weight: 1 }, { arbitrary: shaped, weight: 3 });
}

describe('every route body, with random JSON', () => {
  it('never answers 5xx, and writes nothing when it answers 4xx', { timeout: 300_000 }, async () => {
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(bodies(route), async (body) => {
          const before = await writtenState(fx);
          const res = await send(fx, route, urlFor(route), { Authorization: fx.auth.admin }, body);
          const where = `${route.method.toUpperCase()} ${route.path} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`;
          if (res.status >= 500) failures.push(where);
          expect(res.status, where).toBeLessThan(500);
          if (res.status >= 400) expect(await writtenState(fx), where).toEqual(before);
        }),
        { numRuns: 20, seed: 9 },
      );
    }
    expect(failures).toEqual([]);
  });
});
