/**
 * ITSM rows of the route table: incidents (+ transitions, SLA, knowledge suggestions), correlation,
 * problems (+ from-correlation, transitions), knowledge articles (+ search) and SLAs. Schemas come
 * from the engine modules; every row names its permission, so no router guards anything itself.
 * ETag / If-Match carry the record version.
 */
import { z } from 'zod';
import type { Cmdb } from '../../engine/cmdb.ts';
import {
  AlertEvidence,
  observerNotObserved,
  IdParam,
  IncidentCreate,
  IncidentDoc,
  IncidentListQuery,
  IncidentPatch,
  IncidentTransitionInput,
  Instant,
  KnownErrorOffer,
  type PriorityMatrix,
} from '../../engine/incidents/index.ts';
import { ArticleCreate, ArticleDoc, ArticlePatch, ArticleSearchQuery } from '../../engine/knowledge/index.ts';
import {
  ProblemCreate,
  ProblemDoc,
  ProblemFromCorrelation,
  ProblemListQuery,
  ProblemPatch,
  ProblemTransitionInput,
} from '../../engine/problems/index.ts';
import type { SlaPolicy } from '../../engine/sla/index.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import { EmptyQuery, stored, errorResponse as err } from '../schemas.ts';
import { createServices, type Services } from '../services.ts';
import { locationOf, principalOf, sendVersioned, singleVersion, type RouteDeps } from './common.ts';

/** The ITSM services over one CMDB: kept for callers not yet on api/services.ts `createServices`. */
export function itsmServices(cmdb: Cmdb, opts: { now?: () => Date; matrix?: PriorityMatrix; slaPolicy?: SlaPolicy } = {}): ItsmServices {
  return createServices({ cmdb, ...opts });
}
export type ItsmServices = Pick<Services, 'incidents' | 'problems' | 'knowledge' | 'sla' | 'correlation'>;

const Duration = z.string().regex(/^[0-9]+(?:\.[0-9]+)?(ms|s|m|h|d)$/, 'a duration such as 30m');

export const CorrelateBody = z
  .object({
    /** Omitted: every open incident in the store. */
    incidents: z
      .array(
        z
          .object({ id: z.string().min(1).max(100), cis: z.array(z.string().min(1)).min(1).max(1000), openedAt: Instant, ...AlertEvidence })
          .strict()
          .refine(observerNotObserved.check, observerNotObserved.message),
      )
      .max(100_000)
      .optional(),
    window: Duration.default('30m'),
    changeLookback: Duration.optional(),
    maxDepth: z.number().int().min(1).max(64).optional(),
    topCandidates: z.number().int().min(1).max(50).optional(),
    /** How far back the incident history for chronic noise reaches (default 30d). */
    historyLookback: Duration.optional(),
  })
  .strict();

const SlaReportQuery = z
  .object({
    month: z
      .string()
      .regex(/^[0-9]{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
      .optional(),
  })
  .strict();
const SuggestionsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) }).strict();
/** Without `q` the list of all articles (and no other parameter); with `q` a full-text search. */
const ArticleQuery = ArticleSearchQuery.partial({ q: true }).superRefine((q, ctx) => {
  if (q.q === undefined && q.tag !== undefined)
    ctx.addIssue({ code: 'custom', path: ['tag'], message: '`tag` filters a search: give `q` too' });
});

const StoredIncident = stored(IncidentDoc).describe('An incident');
const StoredProblem = stored(ProblemDoc).describe('A problem');
const StoredArticle = stored(ArticleDoc).describe('A knowledge article');
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next: z.string().nullable().describe('pass as `after` for the next page') });
const Loose = (description: string) => z.object({}).loose().describe(description);

export function itsmRoutes({ services: s }: RouteDeps): AnyRoute[] {
  return [
    // ---- incidents
    defineRoute({
      method: 'post',
      path: '/incidents',
      operationId: 'createIncident',
      summary: 'Log an incident; priority from impact × urgency; known errors downstream of a root cause are offered',
      tag: 'incidents',
      permission: 'itsm:write',
      query: EmptyQuery,
      body: IncidentCreate,
      responses: {
        201: { description: 'created', schema: StoredIncident, headers: { ETag: 'the version', Location: 'the incident' } },
        400: err('invalid body (an observer among the CIs)'),
        404: err('an affected or observing CI does not exist'),
      },
      async handler({ body, actor, res }) {
        const inc = await s.incidents.create(body, principalOf(actor));
        sendVersioned(res, 201, inc, { Location: locationOf('incidents', inc.id) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/incidents',
      operationId: 'listIncidents',
      summary: 'List incidents by id, filtered',
      tag: 'incidents',
      permission: 'cmdb:read',
      query: IncidentListQuery,
      responses: { 200: { description: 'a page of incidents', schema: page(StoredIncident) }, 400: err('invalid query') },
      async handler({ query, res }) {
        res.json(await s.incidents.list(query));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/incidents/:id',
      operationId: 'getIncident',
      summary: 'Get one incident; ETag is its version',
      tag: 'incidents',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: {
        200: { description: 'the incident', schema: StoredIncident, headers: { ETag: 'the version' } },
        404: err('no such incident'),
      },
      async handler({ params, res }) {
        sendVersioned(res, 200, await s.incidents.get(params.id));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/incidents/:id',
      operationId: 'patchIncident',
      summary: 'Edit an incident (merge patch of its top-level fields; `observedBy: []` clears the observers)',
      tag: 'incidents',
      permission: 'itsm:write',
      params: IdParam,
      query: EmptyQuery,
      body: IncidentPatch,
      mergePatch: true,
      ifMatch: true,
      responses: {
        200: { description: 'the incident after the write', schema: StoredIncident },
        400: err('invalid body (an observer among the CIs)'),
        404: err('no such incident, or an affected or observing CI does not exist'),
        409: err('the incident is closed'),
        412: err('stale If-Match'),
      },
      async handler({ params, body, actor, ifMatch, res }) {
        sendVersioned(res, 200, await s.incidents.update(params.id, body, principalOf(actor), singleVersion('patchIncident', ifMatch)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/incidents/:id/transitions',
      operationId: 'transitionIncident',
      summary: 'Move an incident to another state (assign, hold, resolve, close, reopen)',
      tag: 'incidents',
      permission: 'itsm:write',
      params: IdParam,
      query: EmptyQuery,
      body: IncidentTransitionInput,
      ifMatch: true,
      responses: {
        200: { description: 'the incident after the transition', schema: StoredIncident },
        400: err('invalid body'),
        404: err('no such incident'),
        409: err('illegal transition'),
        412: err('stale If-Match'),
      },
      async handler({ params, body, actor, ifMatch, res }) {
        sendVersioned(
          res,
          200,
          await s.incidents.transition(params.id, body, principalOf(actor), singleVersion('transitionIncident', ifMatch)),
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/incidents/:id/sla',
      operationId: 'incidentSla',
      summary: 'Response and resolution timers of an incident (paused on hold)',
      tag: 'incidents',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: {
        200: { description: 'SLA timers and status', schema: Loose('timers with status within | at_risk | breached') },
        404: err('no such incident'),
      },
      async handler({ params, res }) {
        res.json(await s.sla.incident(params.id));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/incidents/:id/suggestions',
      operationId: 'incidentSuggestions',
      summary: 'Known errors and knowledge articles for an incident, from its CIs and their providers',
      tag: 'incidents',
      permission: 'cmdb:read',
      params: IdParam,
      query: SuggestionsQuery,
      responses: {
        200: {
          description: 'suggestions',
          schema: z.object({
            incident: z.string(),
            knownErrors: z.array(KnownErrorOffer),
            articles: z.array(Loose('an article with its score and why')),
          }),
        },
        404: err('no such incident'),
      },
      async handler({ params, query, res }) {
        const inc = await s.incidents.get(params.id);
        res.json({ incident: params.id, knownErrors: inc.knownErrors, articles: await s.knowledge.suggestionsFor(params.id, query.limit) });
      },
    }),

    // ---- correlation
    defineRoute({
      method: 'post',
      path: '/correlate',
      operationId: 'correlate',
      summary: 'Rank root-cause candidates for a set of incidents (default: every open one) and group them; writes nothing',
      tag: 'correlation',
      permission: 'cmdb:read',
      query: EmptyQuery,
      body: CorrelateBody,
      responses: {
        200: {
          description: 'groups with ranked candidates and evidence',
          schema: Loose('correlation result: groups, candidates, factors, paths'),
        },
        400: err('invalid body'),
      },
      async handler({ body, res }) {
        res.json(
          await s.correlation.run(body.incidents ?? 'open', {
            window: body.window,
            changeLookback: body.changeLookback,
            maxDepth: body.maxDepth,
            topCandidates: body.topCandidates,
            historyLookback: body.historyLookback,
          }),
        );
      },
    }),

    // ---- problems
    defineRoute({
      method: 'post',
      path: '/problems',
      operationId: 'createProblem',
      summary: 'Open a problem record',
      tag: 'problems',
      permission: 'itsm:write',
      query: EmptyQuery,
      body: ProblemCreate,
      responses: {
        201: { description: 'created', schema: StoredProblem, headers: { ETag: 'the version', Location: 'the problem' } },
        400: err('invalid body'),
        422: err('a referenced CI or incident does not exist'),
      },
      async handler({ body, actor, res }) {
        const p = await s.problems.create(body, principalOf(actor));
        sendVersioned(res, 201, p, { Location: locationOf('problems', p.id) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/problems/from-correlation',
      operationId: 'createProblemFromCorrelation',
      summary: 'Open a problem from a correlation group (its incidents are linked)',
      tag: 'problems',
      permission: 'itsm:write',
      query: EmptyQuery,
      body: ProblemFromCorrelation,
      responses: {
        201: { description: 'created', schema: StoredProblem, headers: { ETag: 'the version', Location: 'the problem' } },
        400: err('invalid body'),
        422: err('a referenced CI or incident does not exist'),
      },
      async handler({ body, actor, res }) {
        const p = await s.problems.fromCorrelation(body, principalOf(actor));
        sendVersioned(res, 201, p, { Location: locationOf('problems', p.id) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/problems',
      operationId: 'listProblems',
      summary: 'List problems by id, filtered',
      tag: 'problems',
      permission: 'cmdb:read',
      query: ProblemListQuery,
      responses: { 200: { description: 'a page of problems', schema: page(StoredProblem) }, 400: err('invalid query') },
      async handler({ query, res }) {
        res.json(await s.problems.list(query));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/problems/:id',
      operationId: 'getProblem',
      summary: 'Get one problem; ETag is its version',
      tag: 'problems',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: {
        200: { description: 'the problem', schema: StoredProblem, headers: { ETag: 'the version' } },
        404: err('no such problem'),
      },
      async handler({ params, res }) {
        sendVersioned(res, 200, await s.problems.get(params.id));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/problems/:id',
      operationId: 'patchProblem',
      summary: 'Edit a problem (merge patch of its top-level fields)',
      tag: 'problems',
      permission: 'itsm:write',
      params: IdParam,
      query: EmptyQuery,
      body: ProblemPatch,
      mergePatch: true,
      ifMatch: true,
      responses: {
        200: { description: 'the problem after the write', schema: StoredProblem },
        400: err('invalid body'),
        404: err('no such problem'),
        412: err('stale If-Match'),
      },
      async handler({ params, body, actor, ifMatch, res }) {
        sendVersioned(res, 200, await s.problems.update(params.id, body, principalOf(actor), singleVersion('patchProblem', ifMatch)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/problems/:id/transitions',
      operationId: 'transitionProblem',
      summary: 'Move a problem to another state (a known error publishes its workaround)',
      tag: 'problems',
      permission: 'itsm:write',
      params: IdParam,
      query: EmptyQuery,
      body: ProblemTransitionInput,
      ifMatch: true,
      responses: {
        200: { description: 'the problem after the transition', schema: StoredProblem },
        400: err('invalid body'),
        404: err('no such problem'),
        409: err('illegal transition'),
        412: err('stale If-Match'),
      },
      async handler({ params, body, actor, ifMatch, res }) {
        sendVersioned(
          res,
          200,
          await s.problems.transition(params.id, body, principalOf(actor), singleVersion('transitionProblem', ifMatch)),
        );
      },
    }),

    // ---- knowledge
    defineRoute({
      method: 'post',
      path: '/articles',
      operationId: 'createArticle',
      summary: 'Write a knowledge article (markdown) linked to CIs, classes and problems',
      tag: 'knowledge',
      permission: 'itsm:write',
      query: EmptyQuery,
      body: ArticleCreate,
      responses: {
        201: { description: 'created', schema: StoredArticle, headers: { ETag: 'the version', Location: 'the article' } },
        400: err('invalid body'),
      },
      async handler({ body, actor, res }) {
        const a = await s.knowledge.create(body, principalOf(actor));
        sendVersioned(res, 201, a, { Location: locationOf('articles', a.id) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/articles',
      operationId: 'listArticles',
      summary: 'All articles, or a full-text search with `q` (optionally within a `tag`)',
      tag: 'knowledge',
      permission: 'cmdb:read',
      query: ArticleQuery,
      responses: {
        200: {
          description: 'articles (with score and matched terms when searching)',
          schema: z.object({
            items: z.array(z.union([StoredArticle, z.object({ article: StoredArticle, score: z.number(), terms: z.array(z.string()) })])),
          }),
        },
        400: err('invalid query'),
      },
      async handler({ query, res }) {
        if (query.q === undefined) return void res.json({ items: await s.knowledge.list() });
        res.json({ items: await s.knowledge.search(query.q, { tag: query.tag, limit: query.limit }) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/articles/:id',
      operationId: 'getArticle',
      summary: 'Get one article; ETag is its version',
      tag: 'knowledge',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: {
        200: { description: 'the article', schema: StoredArticle, headers: { ETag: 'the version' } },
        404: err('no such article'),
      },
      async handler({ params, res }) {
        sendVersioned(res, 200, await s.knowledge.get(params.id));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/articles/:id',
      operationId: 'patchArticle',
      summary: 'Edit an article (merge patch of its top-level fields)',
      tag: 'knowledge',
      permission: 'itsm:write',
      params: IdParam,
      query: EmptyQuery,
      body: ArticlePatch,
      mergePatch: true,
      ifMatch: true,
      responses: {
        200: { description: 'the article after the write', schema: StoredArticle },
        400: err('invalid body'),
        404: err('no such article'),
        412: err('stale If-Match'),
      },
      async handler({ params, body, actor, ifMatch, res }) {
        sendVersioned(res, 200, await s.knowledge.update(params.id, body, principalOf(actor), singleVersion('patchArticle', ifMatch)));
      },
    }),

    // ---- SLAs
    defineRoute({
      method: 'get',
      path: '/slas',
      operationId: 'slaReport',
      summary: 'Timers of every open incident, or with `month` the availability report of the business services',
      tag: 'slas',
      permission: 'cmdb:read',
      query: SlaReportQuery,
      responses: {
        200: { description: '{open: timers} or the monthly report', schema: Loose('open timers or a monthly availability report') },
        400: err('invalid query'),
      },
      async handler({ query, res }) {
        res.json(query.month ? await s.sla.report(query.month) : { open: await s.sla.open() });
      },
    }),
  ];
}
