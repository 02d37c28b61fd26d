/**
 * Release routes, mounted at `/api/v1`: create and list releases, and a release's deployment plan
 * with its combined impact and risk. Parsed with engine/releases/model.ts; errors are thrown.
 */
import express, { type Request, type Router } from 'express';
import { IdParam } from '../../engine/changes/model.ts';
import { ReleaseCreate, ReleaseListQuery } from '../../engine/releases/model.ts';
import type { ReleaseService } from '../../engine/releases/service.ts';
import { parseWith } from './changes.ts';

export interface ReleasesRouterDeps {
  releases: ReleaseService;
  principal: (req: Request) => { name: string; role: string };
}

export function releasesRouter({ releases, principal }: ReleasesRouterDeps): Router {
  const router = express.Router();

  router.post('/releases', async (req, res) => {
    const body = parseWith(ReleaseCreate, req.body, 'release');
    const release = await releases.create(body, principal(req));
    res.setHeader('Location', `${req.baseUrl}/releases/${release.id}`);
    res.setHeader('ETag', `"${release.version}"`);
    res.status(201).json(release);
  });

  router.get('/releases', async (req, res) => {
    res.json(await releases.list(parseWith(ReleaseListQuery, req.query, 'query')));
  });

  router.get('/releases/:id', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    const release = await releases.get(id);
    res.setHeader('ETag', `"${release.version}"`);
    res.json(release);
  });

  router.get('/releases/:id/plan', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    res.json(await releases.plan(id));
  });

  return router;
}
