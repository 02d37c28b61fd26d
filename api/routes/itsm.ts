/**
 * ITSM routes, mounted at `/api/v1`: incidents (+ transitions, SLA, knowledge suggestions),
 * correlation, problems (+ from-correlation, transitions), knowledge articles (+ search) and SLAs.
 * Every input is parsed with the zod schemas of the engine modules and handlers read only the
 * parsed value; refusals are typed engine errors thrown to the one error middleware (Express 5
 * forwards async throws). ETag / If-Match carry the record version.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError, zodIssues } from '../../engine/errors.ts';
import { IdParam, IncidentCreate, IncidentListQuery, IncidentPatch, IncidentTransitionInput, Instant } from '../../engine/incidents/index.ts';
import { ArticleCreate, ArticlePatch, ArticleSearchQuery } from '../../engine/knowledge/index.ts';
import { ProblemCreate, ProblemFromCorrelation, ProblemListQuery, ProblemPatch, ProblemTransitionInput } from '../../engine/problems/index.ts';
import type { SlaPolicy } from '../../engine/sla/index.ts';
import { createServices, type Services } from '../services.ts';
import type { PriorityMatrix } from '../../engine/incidents/index.ts';

export interface ItsmRouterDeps {
  services: Services;
  principal: (req: Request) => { name: string; role: string };
}

/** The ITSM services over one CMDB: kept for callers not yet on api/services.ts `createServices`. */
export function itsmServices(cmdb: Cmdb, opts: { now?: () => Date; matrix?: PriorityMatrix; slaPolicy?: SlaPolicy } = {}): ItsmServices {
  return createServices({ cmdb, ...opts });
}
export type ItsmServices = Pick<Services, 'incidents' | 'problems' | 'knowledge' | 'sla' | 'correlation'>;

const Duration = z.string().regex(/^[0-9]+(?:\.[0-9]+)?(ms|s|m|h|d)$/, 'a duration such as 30m');

export const CorrelateBody = z
  .object({
    /** Omitted: every open incident in the store. */
    incidents: z.array(z.object({ id: z.string().min(1).max(100), cis: z.array(z.string().min(1)).min(1).max(1000), openedAt: Instant }).strict()).max(100_000).optional(),
    window: Duration.default('30m'),
    changeLookback: Duration.optional(),
    maxDepth: z.number().int().min(1).max(64).optional(),
    topCandidates: z.number().int().min(1).max(50).optional(),
  })
  .strict();

const SlaReportQuery = z.object({ month: z.string().regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM') }).strict();
const SuggestionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) }).strict();

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new InputError(`invalid ${what}`, zodIssues(parsed.error.issues));
  return parsed.data;
}

function ifMatch(req: Request): number | undefined {
  const h = req.get('if-match');
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"([0-9]+)"\s*$/.exec(h);
  if (!m) throw new InputError(`If-Match: "${h}" is not an ETag of this API (a quoted version, e.g. "3")`, [{ path: ['if-match'], code: 'invalid_format', message: 'expected a quoted version' }]);
  return Number(m[1]);
}

function send(res: Response, rec: { version: number }, status = 200): void {
  res.setHeader('ETag', `"${rec.version}"`);
  res.status(status).json(rec);
}

export function itsmRouter(deps: ItsmRouterDeps): Router {
  const s = deps.services;
  const router = express.Router();
  const who = (req: Request) => deps.principal(req);

  // ---- incidents
  router.post('/incidents', async (req, res) => {
    const body = parse(IncidentCreate, req.body, 'incident');
    const inc = await s.incidents.create(body, who(req));
    res.setHeader('Location', `${req.baseUrl}/incidents/${inc.id}`);
    send(res, inc, 201);
  });
  router.get('/incidents', async (req, res) => {
    res.json(await s.incidents.list(parse(IncidentListQuery, req.query, 'query')));
  });
  router.get('/incidents/:id', async (req, res) => {
    send(res, await s.incidents.get(parse(IdParam, req.params, 'path').id));
  });
  router.patch('/incidents/:id', async (req, res) => {
    const { id } = parse(IdParam, req.params, 'path');
    send(res, await s.incidents.update(id, parse(IncidentPatch, req.body, 'incident patch'), who(req), ifMatch(req)));
  });
  router.post('/incidents/:id/transitions', async (req, res) => {
    const { id } = parse(IdParam, req.params, 'path');
    send(res, await s.incidents.transition(id, parse(IncidentTransitionInput, req.body, 'transition'), who(req), ifMatch(req)));
  });
  router.get('/incidents/:id/sla', async (req, res) => {
    res.json(await s.sla.incident(parse(IdParam, req.params, 'path').id));
  });
  router.get('/incidents/:id/suggestions', async (req, res) => {
    const { id } = parse(IdParam, req.params, 'path');
    const { limit } = parse(SuggestionsQuery, req.query, 'query');
    const inc = await s.incidents.get(id);
    res.json({ incident: id, knownErrors: inc.knownErrors, articles: await s.knowledge.suggestionsFor(id, limit) });
  });

  // ---- correlation
  router.post('/correlate', async (req, res) => {
    const body = parse(CorrelateBody, req.body, 'correlate request');
    res.json(await s.correlation.run(body.incidents ?? 'open', { window: body.window, changeLookback: body.changeLookback, maxDepth: body.maxDepth, topCandidates: body.topCandidates }));
  });

  // ---- problems
  router.post('/problems', async (req, res) => {
    const p = await s.problems.create(parse(ProblemCreate, req.body, 'problem'), who(req));
    res.setHeader('Location', `${req.baseUrl}/problems/${p.id}`);
    send(res, p, 201);
  });
  router.post('/problems/from-correlation', async (req, res) => {
    const p = await s.problems.fromCorrelation(parse(ProblemFromCorrelation, req.body, 'correlation group'), who(req));
    res.setHeader('Location', `${req.baseUrl}/problems/${p.id}`);
    send(res, p, 201);
  });
  router.get('/problems', async (req, res) => {
    res.json(await s.problems.list(parse(ProblemListQuery, req.query, 'query')));
  });
  router.get('/problems/:id', async (req, res) => {
    send(res, await s.problems.get(parse(IdParam, req.params, 'path').id));
  });
  router.patch('/problems/:id', async (req, res) => {
    const { id } = parse(IdParam, req.params, 'path');
    send(res, await s.problems.update(id, parse(ProblemPatch, req.body, 'problem patch'), who(req), ifMatch(req)));
  });
  router.post('/problems/:id/transitions', async (req, res) => {
    const { id } = parse(IdParam, req.params, 'path');
    send(res, await s.problems.transition(id, parse(ProblemTransitionInput, req.body, 'transition'), who(req), ifMatch(req)));
  });

  // ---- knowledge
  router.post('/articles', async (req, res) => {
    const a = await s.knowledge.create(parse(ArticleCreate, req.body, 'article'), who(req));
    res.setHeader('Location', `${req.baseUrl}/articles/${a.id}`);
    send(res, a, 201);
  });
  router.get('/articles', async (req, res) => {
    if (typeof req.query.q === 'string') {
      const q = parse(ArticleSearchQuery, req.query, 'query');
      res.json({ items: await s.knowledge.search(q.q, { tag: q.tag, limit: q.limit }) });
      return;
    }
    parse(z.object({}).strict(), req.query, 'query');
    res.json({ items: await s.knowledge.list() });
  });
  router.get('/articles/:id', async (req, res) => {
    send(res, await s.knowledge.get(parse(IdParam, req.params, 'path').id));
  });
  router.patch('/articles/:id', async (req, res) => {
    const { id } = parse(IdParam, req.params, 'path');
    send(res, await s.knowledge.update(id, parse(ArticlePatch, req.body, 'article patch'), who(req), ifMatch(req)));
  });

  // ---- SLAs
  router.get('/slas', async (req, res) => {
    const { month } = parse(SlaReportQuery.partial(), req.query, 'query');
    res.json(month ? await s.sla.report(month) : { open: await s.sla.open() });
  });

  return router;
}
