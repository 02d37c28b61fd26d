/**
 * `createApp(deps)` returns the Express app without listening (STYLE.md #12); `cmdb serve`
 * starts it. Routes read only parsed values; errors go through api/errors.ts.
 */
import express, { type Express } from 'express';
import { z } from 'zod';
import type { Cmdb } from '../engine/cmdb.ts';
import { InputError, NotFoundError, zodIssues } from '../engine/errors.ts';
import { errorMiddleware, notFoundRoute } from './errors.ts';

export interface AppDeps {
  cmdb: Cmdb;
  log?: (err: unknown) => void;
}

const ListQuery = z
  .object({
    class: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    after: z.string().optional(),
  })
  .strict();

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(`invalid ${what}`, zodIssues(parsed.error.issues));
  return parsed.data;
}

export function createApp({ cmdb, log = console.error }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '10mb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const store = await cmdb.store.ping();
    res.status(store ? 200 : 503).json({ status: store ? 'ready' : 'store_unavailable', store: cmdb.store.kind, seq: cmdb.seq });
  });

  app.get('/api/v1/registry', (_req, res) => {
    res.json(cmdb.registry.toJSON());
  });

  app.get('/api/v1/cis', (req, res) => {
    const q = parse(ListQuery, req.query, 'query');
    const g = cmdb.mirror.graph;
    const ids = g.nodes().filter((id) => (q.after === undefined || id > q.after) && (q.class === undefined || g.getNodeAttribute(id, 'class') === q.class));
    ids.sort();
    const page = ids.slice(0, q.limit);
    res.json({ items: page.map((id) => ({ id, ...g.getNodeAttributes(id) })), next: ids.length > q.limit ? page[page.length - 1] : null, seq: cmdb.seq });
  });

  app.get('/api/v1/cis/:id', async (req, res) => {
    const id = req.params.id;
    const ci = await cmdb.store.getCI(id);
    if (!ci) throw new NotFoundError(`get CI: CI "${id}" not found`, { id });
    res.setHeader('ETag', `"${ci.version}"`);
    res.json(ci);
  });

  app.use(notFoundRoute);
  app.use(errorMiddleware(log));
  return app;
}
