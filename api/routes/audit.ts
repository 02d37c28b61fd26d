/**
 * The auditor's HTTP routes, as route-table rows: `/audit/runs` (run, trend, one run, its report),
 * `/audit/rules` (the stored rule file: `auditor` reads, only `admin` replaces), `/log/verify`
 * (the hash chain) and `/history/:id` (one CI's or relationship's events, for the audit trail).
 */
import { z } from 'zod';
import { RuleFile } from '../../engine/audit/index.ts';
import { REPORT_FORMATS } from '../../engine/audit/report.ts';
import { AuditService } from '../../engine/verification/audit-service.ts';
import { verifyLog } from '../../engine/verification/log.ts';
import { BaselineService } from '../../engine/verification/baselines.ts';
import { resolveAsOf } from '../../engine/verification/as-of.ts';
import { findUnauthorised } from '../../engine/verification/unauthorised.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import { EmptyQuery, errorResponse as err } from '../schemas.ts';
import type { RouteDeps } from './common.ts';

const Instant = z.iso.datetime({ offset: true }).or(z.iso.date());

export const AuditRunBody = z
  .object({
    rules: RuleFile.optional().describe('a rule file for this run; default the stored one, else the built-in defaults'),
    clock: Instant.optional().describe('audit as of this time (stale, certificate expiry); default now'),
    store: z.boolean().default(true).describe('store the run as a record (trend)'),
  })
  .strict();

const FindingSchema = z.object({
  rule: z.string(),
  ci: z.string().optional(),
  relationship: z.string().optional(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});
const Scores = z.object({
  score: z.number(),
  completeness: z.number(),
  correctness: z.number(),
  compliance: z.number(),
  cis: z.number().int(),
});
const AuditRunSchema = z
  .object({
    id: z.string().nullable(),
    seq: z.number().int(),
    at: z.string(),
    ruleSetHash: z.string(),
    logHead: z.object({ seq: z.number().int(), hash: z.string().nullable() }).nullable(),
    summary: Scores.loose(),
    findings: z.array(FindingSchema),
  })
  .loose();
const RunParams = z.object({ id: z.string().regex(/^run-[0-9TZ]+-[0-9]+$/, 'must be an audit run id') }).strict();
const ReportQuery = z.object({ format: z.enum(REPORT_FORMATS).default('html') }).strict();
const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

export function auditRoutes({ cmdb, now }: Pick<RouteDeps, 'cmdb'> & { now?: () => Date }): AnyRoute[] {
  const service = new AuditService(cmdb, now);
  return [
    defineRoute({
      method: 'post',
      path: '/audit/runs',
      operationId: 'runAudit',
      summary: 'Run the audit rules over the CMDB (stored as a run unless store=false)',
      tag: 'audit',
      permission: 'audit:run',
      body: AuditRunBody,
      responses: {
        201: { description: 'the run: scores and findings', schema: AuditRunSchema },
        400: err('malformed rule file'),
        422: err('rule file names an unknown class or type'),
      },
      async handler({ body, actor, res }) {
        const run = await service.run({
          actor: actor.name,
          store: body.store,
          ...(body.rules ? { rules: body.rules, rulesSource: 'request body' } : {}),
          ...(body.clock ? { now: new Date(body.clock) } : {}),
        });
        res.status(run.id ? 201 : 200).json(run);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/audit/runs',
      operationId: 'auditTrend',
      summary: 'Stored audit runs, oldest first: the trend of the health scores',
      tag: 'audit',
      permission: 'audit:run',
      query: EmptyQuery,
      responses: {
        200: {
          description: 'runs',
          schema: z.object({
            runs: z.array(
              z.object({ id: z.string(), at: z.string(), seq: z.number().int(), ruleSetHash: z.string(), summary: Scores.loose() }),
            ),
          }),
        },
      },
      async handler({ res }) {
        res.json({ runs: await service.trend() });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/audit/runs/:id',
      operationId: 'getAuditRun',
      summary: 'One stored audit run',
      tag: 'audit',
      permission: 'audit:run',
      params: RunParams,
      responses: { 200: { description: 'the run', schema: AuditRunSchema }, 404: err('no such run') },
      async handler({ params, res }) {
        res.json(await service.getRun(params.id));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/audit/runs/:id/report',
      operationId: 'auditReport',
      summary: 'A stored run as a report: HTML (self-contained, printable), CSV or JSON',
      tag: 'audit',
      permission: 'audit:run',
      params: RunParams,
      query: ReportQuery,
      responses: {
        200: {
          description: 'the report; X-Content-SHA256 is the SHA-256 of the body',
          contentType: 'text/html',
          headers: { 'X-Content-SHA256': 'SHA-256 of the body' },
        },
        404: err('no such run'),
      },
      async handler({ params, query, res }) {
        const { content } = service.report(await service.getRun(params.id), query.format);
        const { createHash } = await import('node:crypto');
        res.setHeader('X-Content-SHA256', createHash('sha256').update(content).digest('hex'));
        res.setHeader('Content-Disposition', `attachment; filename="${params.id}.${query.format}"`);
        res.type(CONTENT_TYPES[query.format]).send(content);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/audit/rules',
      operationId: 'getAuditRules',
      summary: 'The stored rule file (null when none: the built-in defaults apply)',
      tag: 'audit',
      permission: 'audit:run',
      query: EmptyQuery,
      responses: {
        200: { description: 'the rule file and its rule-set hash', schema: z.object({ rules: z.unknown(), ruleSetHash: z.string() }) },
      },
      async handler({ res }) {
        const rules = (await service.storedRules()) ?? null;
        res.json({ rules, ruleSetHash: (await service.ruleSet()).hash });
      },
    }),
    defineRoute({
      method: 'put',
      path: '/audit/rules',
      operationId: 'putAuditRules',
      summary: 'Replace the stored rule file (validated whole first)',
      tag: 'audit',
      permission: 'audit:rules',
      body: RuleFile,
      responses: {
        200: { description: 'stored', schema: z.object({ ruleSetHash: z.string(), rules: z.number().int() }) },
        400: err('malformed rule file'),
        422: err('unknown class or type'),
      },
      async handler({ body, actor, res }) {
        const set = await service.putRules(body, actor.name);
        res.json({ ruleSetHash: set.hash, rules: set.rules.length });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/audit/unauthorised',
      operationId: 'unauthorisedChanges',
      summary: 'CI and relationship events in a period that no approved change covered',
      tag: 'audit',
      permission: 'audit:run',
      query: z.object({ since: Instant, until: Instant.optional() }).strict(),
      responses: {
        200: {
          description: 'events with seq, at, actor, op, entity, id, changeId and reason',
          schema: z
            .object({
              events: z.array(
                z
                  .object({
                    seq: z.number().int(),
                    at: z.string(),
                    actor: z.string(),
                    op: z.string(),
                    entity: z.string(),
                    reason: z.string(),
                  })
                  .loose(),
              ),
            })
            .loose(),
        },
      },
      async handler({ query, res }) {
        res.json(await findUnauthorised(cmdb.store, query.since, query.until));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/log/verify',
      operationId: 'verifyLog',
      summary: 'Check the hash chain of the whole event log; names the first event that does not match',
      tag: 'audit',
      permission: 'audit:run',
      query: EmptyQuery,
      responses: {
        200: {
          description: 'the verification (ok false names firstBad)',
          schema: z
            .object({
              ok: z.boolean(),
              events: z.number().int(),
              headSeq: z.number().int(),
              headHash: z.string(),
              lastSeq: z.number().int(),
            })
            .loose(),
        },
      },
      async handler({ res }) {
        res.json(await verifyLog(cmdb.store));
      },
    }),
  ];
}

const BaselineParams = z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be a baseline name') }).strict();
export const BaselineCreateBody = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, . _ -'),
    asOf: z
      .union([z.number().int().min(0), z.string().min(1)])
      .optional()
      .describe('seq or ISO time (default now)'),
    description: z.string().max(1000).optional(),
  })
  .strict();
const BaselineSchema = z
  .object({
    name: z.string(),
    seq: z.number().int(),
    createdAt: z.string(),
    actor: z.string(),
    logHash: z.string().nullable(),
    contentHash: z.string(),
    counts: z.object({ cis: z.number().int(), relationships: z.number().int() }),
    checkpoint: z
      .object({ format: z.number().int(), seq: z.number().int(), sha256: z.string(), bytes: z.number().int(), parts: z.number().int() })
      .optional()
      .describe('the replay checkpoint stored with it: as-of reads at or after its seq start there (absent on older baselines)'),
  })
  .loose();
const EntityDiff = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({ id: z.string(), fields: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })) })),
});

export function baselineRoutes({ cmdb, now }: Pick<RouteDeps, 'cmdb'> & { now?: () => Date }): AnyRoute[] {
  const service = new BaselineService(cmdb, now);
  return [
    defineRoute({
      method: 'post',
      path: '/baselines',
      operationId: 'createBaseline',
      summary: 'Name a snapshot of the whole graph at a seq (default now); it is also a replay checkpoint for as-of reads',
      tag: 'audit',
      permission: 'audit:run',
      body: BaselineCreateBody,
      responses: { 201: { description: 'the baseline', schema: BaselineSchema }, 409: err('name taken') },
      async handler({ body, actor, res }) {
        const seq = body.asOf === undefined ? undefined : await resolveAsOf(cmdb.store, body.asOf);
        res.status(201).json(
          await service.create(body.name, actor.name, {
            ...(seq !== undefined ? { seq } : {}),
            ...(body.description ? { description: body.description } : {}),
          }),
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/baselines',
      operationId: 'listBaselines',
      summary: 'Every baseline, oldest seq first',
      tag: 'audit',
      permission: 'audit:run',
      query: EmptyQuery,
      responses: { 200: { description: 'baselines', schema: z.object({ baselines: z.array(BaselineSchema) }) } },
      async handler({ res }) {
        res.json({ baselines: await service.list() });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/baselines/:name/diff',
      operationId: 'diffBaseline',
      summary: 'Attribute-by-attribute diff from a baseline to another (`to`) or to now',
      tag: 'audit',
      permission: 'audit:run',
      params: BaselineParams,
      query: z.object({ to: BaselineParams.shape.name.optional() }).strict(),
      responses: {
        200: { description: 'the diff', schema: z.object({ cis: EntityDiff, relationships: EntityDiff }).loose() },
        404: err('no such baseline'),
      },
      async handler({ params, query, res }) {
        res.json(await service.diff(params.name, query.to));
      },
    }),
  ];
}
