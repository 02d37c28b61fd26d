/**
 * Serving the web UI (api/ui.ts): the built shell for every history-API route, hashed assets, the
 * API and unknown paths left to their own 404, a clear error when the UI was not built, and the
 * CSP that forbids inline and third-party scripts. The UI is built into a temporary folder.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiRouter } from '../../api/ui.ts';
import { errorMiddleware, notFoundRoute } from '../../api/errors.ts';
import { buildUi, BUDGET_GZIP_BYTES } from '../../viz/build.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-ui-'));
const out = join(dir, 'dist');
let built: { initialGzip: number; shellGzip: number };
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  built = await buildUi({ out, quiet: true });
}, 60_000);

function appWith(uiDir: string) {
  const app = express();
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.get('/api/v1/thing', (_req, res) => res.json({ ok: true }));
  app.use(uiRouter({ dir: uiDir }));
  app.use(notFoundRoute);
  app.use(errorMiddleware(() => {}));
  return app;
}

describe('the web UI', () => {
  it('builds within the initial-JS budget of 400 KB gzipped', () => {
    expect(built.initialGzip).toBeGreaterThan(50_000); // cytoscape is in the heaviest view
    expect(built.initialGzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  it.each([
    '/',
    '/impact?ci=pdu-east-b3-a&ci=pdu-east-b3-b&mode=degraded',
    '/cis',
    '/cis/vm-17',
    '/changes/CHG-000001',
    '/correlation',
    '/audit',
    '/login',
  ])('answers %s with the UI shell (history-API route)', async (url) => {
    const res = await request(appWith(out)).get(url).expect(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('<script type="module" src="/assets/app.js">');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('serves the bundle and stylesheet from /assets', async () => {
    const app = appWith(out);
    expect((await request(app).get('/assets/app.js').expect(200)).type).toMatch(/^(text|application)\/javascript$/);
    expect((await request(app).get('/assets/app.css').expect(200)).type).toBe('text/css');
    const chunk = readdirSync(join(out, 'assets')).find((f) => f.startsWith('impact-'))!;
    await request(app).get(`/assets/${chunk}`).expect(200);
  });

  it('leaves the API and unknown paths to the JSON 404', async () => {
    const app = appWith(out);
    await request(app).get('/api/v1/thing').expect(200, { ok: true });
    for (const url of ['/api/v1/nope', '/nope', '/cis/a/b', '/assets/missing.js']) {
      const res = await request(app).get(url).expect(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('says how to build the UI when it was not built', async () => {
    const res = await request(appWith(join(dir, 'missing')))
      .get('/impact')
      .expect(404);
    expect(res.body.error.message).toMatch(/npm run build:ui/);
  });

  it('keeps the strict CSP: scripts from our origin only', async () => {
    const res = await request(appWith(out)).get('/impact');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
    expect(res.text).not.toMatch(/<script>(?!<\/script>)/);
  });
});
