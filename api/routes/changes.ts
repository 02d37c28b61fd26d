/**
 * Change-management routes, mounted at `/api/v1`: changes, their transitions, assessment,
 * conflicts and CAB votes, and freeze / maintenance windows. Handlers parse with the zod schemas of
 * engine/changes/model.ts and read only the parsed value; every refusal is a typed engine error
 * thrown to the one error middleware (api/errors.ts). Role checks live in ChangeService.
 *
 * ETag / If-Match carry the change record's version: a stale If-Match is refused with 412
 * (`precondition_failed`) before anything is written.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { InputError, zodIssues } from '../../engine/errors.ts';
import {
  ApprovalInput,
  ChangeCreate,
  ChangeListQuery,
  ChangePatch,
  IdParam,
  TransitionInput,
  WindowInput,
  WindowListQuery,
  type ChangeView,
  type Principal,
  type WindowKind,
} from '../../engine/changes/model.ts';
import type { ChangeService } from '../../engine/changes/service.ts';

export interface ChangesRouterDeps {
  service: ChangeService;
  principal: (req: Request) => { name: string; role: string };
}

/** Parses `value` or throws InputError keeping zod's issues (path, code, message). */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new InputError(`invalid ${what}`, zodIssues(parsed.error.issues));
  return parsed.data;
}

/** `If-Match: "3"` (or `W/"3"`) → 3; absent or `*` → undefined. */
export function ifMatch(req: Request): number | undefined {
  const h = req.get('if-match');
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"([0-9]+)"\s*$/.exec(h);
  if (!m) throw new InputError(`If-Match: "${h}" is not an ETag of this API (a quoted version, e.g. "3")`, [{ path: ['if-match'], code: 'invalid_format', message: 'expected a quoted version' }]);
  return Number(m[1]);
}

function sendChange(res: Response, change: ChangeView, status = 200): void {
  res.setHeader('ETag', `"${change.version}"`);
  res.status(status).json(change);
}

export function changesRouter({ service, principal }: ChangesRouterDeps): Router {
  const router = express.Router();
  const who = (req: Request): Principal => principal(req);

  router.post('/changes', async (req, res) => {
    const body = parseWith(ChangeCreate, req.body, 'change');
    const change = await service.create(body, who(req));
    res.setHeader('Location', `${req.baseUrl}/changes/${change.id}`);
    sendChange(res, change, 201);
  });

  router.get('/changes', async (req, res) => {
    const query = parseWith(ChangeListQuery, req.query, 'query');
    res.json(await service.list(query));
  });

  router.get('/changes/:id', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    sendChange(res, await service.get(id));
  });

  router.patch('/changes/:id', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    const patch = parseWith(ChangePatch, req.body, 'change patch');
    sendChange(res, await service.update(id, patch, who(req), ifMatch(req)));
  });

  router.get('/changes/:id/history', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    res.json({ items: await service.history(id) });
  });

  router.post('/changes/:id/transitions', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    const body = parseWith(TransitionInput, req.body, 'transition');
    sendChange(res, await service.transition(id, body, who(req), ifMatch(req)));
  });

  router.get('/changes/:id/assessment', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    res.json(await service.assessment(id));
  });

  router.post('/changes/:id/assessment', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    res.json(await service.reassess(id, who(req), ifMatch(req)));
  });

  router.get('/changes/:id/conflicts', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    res.json({ id, conflicts: await service.conflicts(id) });
  });

  router.post('/changes/:id/approvals', async (req, res) => {
    const { id } = parseWith(IdParam, req.params, 'path');
    const body = parseWith(ApprovalInput, req.body, 'approval');
    sendChange(res, await service.vote(id, body, who(req), ifMatch(req)));
  });

  for (const [path, kind] of [['/freeze-windows', 'freeze'], ['/maintenance-windows', 'maintenance']] as [string, WindowKind][]) {
    router.post(path, async (req, res) => {
      const body = parseWith(WindowInput, req.body, `${kind} window`);
      const window = await service.createWindow(kind, body, who(req));
      res.setHeader('Location', `${req.baseUrl}${path}/${window.id}`);
      res.status(201).json(window);
    });
    router.get(path, async (req, res) => {
      const query = parseWith(WindowListQuery, req.query, 'query');
      res.json({ items: await service.listWindows(kind, query) });
    });
  }

  return router;
}
