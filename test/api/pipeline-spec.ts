/**
 * The request pipeline, proven by walking the route table the app serves (app.locals.routeTable),
 * written once and run on every store: test/api/pipeline.test.ts on SQLite,
 * test/api/pipeline.neo4j.test.ts on the real Neo4j.
 *
 * For every route (health, docs and the OpenAPI document are outside the table): 401 without a
 * token, 401 with a well-formed unknown one, and for each role exactly what the permission table
 * says — 403 naming the permission when the role lacks it, past the gate otherwise — with nothing
 * written by any refused request. Also: paths match case-sensitively (an uppercase path is 404,
 * never a write), and the nesting limit holds on every route with a body.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../engine/auth/tokens.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { can } from '../../api/permissions.ts';
import { bodyTypes, MAX_BODY_DEPTH, type AnyRoute } from '../../api/route.ts';
import { api, apiFixture, type ApiFixture } from './harness.ts';

export const MISSING = 'walk-missing';

/** A concrete URL for a route: every `:param` becomes an id that exists nowhere. */
export function urlOf(route: AnyRoute, id = MISSING): string {
  return `/api/v1${route.path.replace(/:[A-Za-z_]+/g, encodeURIComponent(id))}`;
}

export function send(fx: ApiFixture, route: AnyRoute, url: string, headers: Record<string, string>, body?: unknown) {
  let req = api(fx.app)[route.method](url);
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  if (route.body !== undefined && body !== undefined) req = req.set('Content-Type', bodyTypes(route)[0]!).send(JSON.stringify(body));
  return req;
}

/**
 * Routes for which an empty body is already a complete command (run the audit with the stored
 * rules; store an empty rule file): the gate is probed with a body their schema refuses, so a
 * role that passes gets 400 and nothing is written.
 */
const GATE_PROBE_BODY: Record<string, unknown> = { runAudit: { notAField: true }, putAuditRules: { notAField: true } };

export async function writtenState(fx: ApiFixture) {
  return { store: await fx.cmdb.store.lastSeq(), mirror: fx.cmdb.mirror.seq };
}

export function pipelineSuite(name: string, createStore: () => Promise<GraphStore>): void {
  describe(`request pipeline on ${name}`, () => {
    let fx: ApiFixture;
    let routes: AnyRoute[];

    beforeAll(async () => {
      fx = await apiFixture(await createStore(), { authFailureLimit: false, rateLimit: false });
      routes = fx.app.locals.routeTable as AnyRoute[];
    });
    afterAll(async () => {
      await fx.close();
    });

    it('has a route table covering CIs, relationships, bulk, tokens, impact, changes, windows, releases, incidents, problems, articles, SLAs and correlation', () => {
      const prefixes = new Set(routes.map((r) => r.path.split('/')[1]));
      for (const p of [
        'cis',
        'relationships',
        'import',
        'export',
        'registry',
        'tokens',
        'impact',
        'changes',
        'freeze-windows',
        'maintenance-windows',
        'releases',
        'incidents',
        'problems',
        'articles',
        'slas',
        'correlate',
      ])
        expect(prefixes).toContain(p);
      for (const r of routes) expect(r.permission, `${r.method} ${r.path} declares a permission`).not.toBeNull();
    });

    it(
      'answers 401 on every route without a token and with a well-formed unknown token, writing nothing',
      { timeout: 120_000 },
      async () => {
        const before = await writtenState(fx);
        const unknown = `Bearer cmdb_${randomBytes(32).toString('base64url')}`;
        for (const route of routes) {
          const url = urlOf(route);
          for (const headers of [{}, { Authorization: unknown }, { Authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
            const res = await send(fx, route, url, headers, {});
            expect(res.status, `${route.method.toUpperCase()} ${route.path} with ${JSON.stringify(headers)}: ${res.text}`).toBe(401);
            expect(res.body.error.code).toBe('unauthorized');
            expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
          }
        }
        expect(await writtenState(fx)).toEqual(before);
      },
    );

    it(
      'lets each role through exactly the routes whose permission the table gives it, and refuses the rest with 403 naming the permission',
      { timeout: 300_000 },
      async () => {
        const before = await writtenState(fx);
        const mismatches: string[] = [];
        for (const route of routes) {
          const url = urlOf(route);
          for (const role of ROLES) {
            const res = await send(fx, route, url, { Authorization: fx.auth[role] }, GATE_PROBE_BODY[route.operationId] ?? {});
            const allowed = can(role, route.permission!);
            const line = `${role} ${route.method.toUpperCase()} ${route.path} → ${res.status}`;
            if (allowed && (res.status === 401 || res.status === 403)) mismatches.push(`${line} (allowed by the table): ${res.text}`);
            if (!allowed) {
              if (res.status !== 403) mismatches.push(`${line} (the table says 403)`);
              else expect(res.body.error.details).toMatchObject({ role, permission: route.permission });
            }
            expect(res.status, `${line}: ${res.text}`).toBeLessThan(500);
          }
        }
        expect(mismatches).toEqual([]);
        // The requests that passed the gate named ids that exist nowhere or carried an empty body: nothing was written.
        expect(await writtenState(fx)).toEqual(before);
      },
    );

    it('matches paths case-sensitively: a viewer or an admin writing to an uppercase path gets 404 and nothing is written', async () => {
      const before = await writtenState(fx);
      const incident = { title: 'x', cis: ['db-orders'] };
      for (const who of [fx.auth.viewer, fx.auth.admin]) {
        for (const [method, path] of [
          ['post', '/api/v1/Incidents'],
          ['post', '/api/v1/INCIDENTS'],
          ['patch', '/api/v1/INCIDENTS/INC-000001'],
          ['post', '/api/v1/Changes'],
          ['post', '/api/v1/CIS'],
          ['delete', '/api/v1/Cis/db-orders'],
          ['post', '/api/v1/Problems'],
          ['post', '/api/v1/Articles'],
          ['post', '/API/v1/incidents'],
        ] as const) {
          const res = await api(fx.app)[method](path).set('Authorization', who).send(incident);
          expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
          expect(res.body.error.code).toBe('not_found');
        }
      }
      expect(await writtenState(fx)).toEqual(before);
      // The same write on the declared path is refused to the viewer by its permission, not by luck.
      await api(fx.app).post('/api/v1/incidents').set('Authorization', fx.auth.viewer).send(incident).expect(403);
    });

    it(
      `refuses a body nested deeper than ${MAX_BODY_DEPTH} levels on every route with a body — 400 too_deep, nothing written, no path in the message`,
      { timeout: 120_000 },
      async () => {
        const before = await writtenState(fx);
        let deep: unknown = 1;
        for (let i = 0; i < 3000; i++) deep = { a: deep };
        for (const route of routes.filter((r) => r.body !== undefined)) {
          const res = await send(fx, route, urlOf(route), { Authorization: fx.auth.admin }, { attributes: deep });
          expect(res.status, `${route.method.toUpperCase()} ${route.path}: ${res.text.slice(0, 200)}`).toBe(400);
          expect(res.body.error.details[0].code).toBe('too_deep');
          expect(res.text).not.toMatch(/\/tmp|\.sqlite|bolt:|\n\s+at /);
        }
        expect(await writtenState(fx)).toEqual(before);
      },
    );
  });
}
