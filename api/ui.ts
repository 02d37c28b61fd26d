/**
 * Serves the built web UI (viz/dist) at `/`: hashed assets under /assets/, and index.html for
 * the UI's history-API routes (/, /cis/ID, /impact, /changes/ID, /correlation, /audit, /login) so
 * a shared URL opens the right view. Everything else (the API under /api/v1, unknown paths) falls
 * through to the app's 404. The page loads only same-origin scripts: the CSP stays `default-src 'self'`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import express, { type Router } from 'express';
import { NotFoundError } from '../engine/errors.ts';

export const UI_DIR = fileURLToPath(new URL('../viz/dist', import.meta.url));

/** The UI's client-side routes; a path outside them is not the UI's (404 from the app). */
const UI_ROUTES = /^\/(?:|cis(?:\/[^/]+)?|impact|changes(?:\/[^/]+)?|correlation|audit|login)\/?$/;

export function uiRouter(opts: { dir?: string } = {}): Router {
  const dir = opts.dir ?? UI_DIR;
  const index = join(dir, 'index.html');
  const router = express.Router();
  router.use(
    '/assets',
    (_req, res, next) => {
      res.locals.route = '/assets';
      next();
    },
    express.static(join(dir, 'assets'), { index: false, maxAge: '5m', fallthrough: true }),
  );
  router.get(UI_ROUTES, (_req, res) => {
    res.locals.route = '/ (ui)';
    if (!existsSync(index)) throw new NotFoundError(`ui: ${index} is missing — build the web UI with \`npm run build:ui\``, { dir });
    // The shell is tiny and names the assets: never cache it, so a rebuilt UI is picked up at once.
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
