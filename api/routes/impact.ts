/**
 * Graph questions over the mirror: `/cis/:id/impact`, `/impact` (several origins),
 * `/cis/:id/dependencies`, `/cis/:id/spof`. Answers carry the graph `seq` they were computed on;
 * they keep answering while the store is down (the mirror holds the graph).
 */
import { z } from 'zod';
import { CiId, ENVIRONMENTS, RelTypeName } from '../../engine/model/ci.ts';
import { blastRadius, dependencies, singlePointsOfFailure } from '../../engine/impact/index.ts';
import { groupImpact } from '../../engine/views/impact-groups.ts';
import { withContext } from '../../engine/views/impact-context.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import { AsOfBodyField, AsOfParam, AsOfPointSchema, CIParams } from '../schemas.ts';
import type { Actor } from '../route.ts';
import type { AsOf } from '../../engine/verification/past-graphs.ts';
import type { RouteDeps } from './common.ts';
import { asOfErrors, asOfField, pastGraph } from './as-of.ts';

const Effect = z.enum(['down', 'degraded']);
/** `a,b,c` in a query string. */
const csv = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(',').filter((v) => v !== ''))
    .pipe(z.array(item).min(1));
const Depth = z.coerce.number().int().min(0).max(10_000);
/** Grouping for maps (engine/views/impact-groups.ts): `auto` adds `groups` when more than `maxNodes` CIs would be drawn. */
const Group = z.enum(['none', 'auto']).default('none').describe('auto: group similar CIs for drawing when the answer exceeds maxNodes');
const MaxNodes = z.coerce.number().int().min(10).max(1_000_000).default(2000).describe('with group=auto: most nodes a map should draw');

export const ImpactQuery = z
  .object({
    mode: Effect.default('down'),
    depth: Depth.optional(),
    types: csv(RelTypeName).optional().describe('only these relationship types propagate (comma-separated): a what-if'),
    environments: csv(z.enum(ENVIRONMENTS)).optional().describe('report only these environments'),
    group: Group,
    maxNodes: MaxNodes,
    asOf: AsOfParam.optional(),
    context: z
      .stringbool()
      .default(false)
      .describe("add the origin's and each impacted CI's `location` and the impacted business `services` it supports (as POST /impact)"),
  })
  .strict();

export const ImpactBody = z
  .object({
    origins: z
      .array(z.object({ ci: CiId, effect: Effect.default('down') }).strict())
      .min(1)
      .max(10_000),
    maxDepth: z.number().int().min(0).optional(),
    relationshipTypes: z.array(RelTypeName).min(1).optional(),
    environments: z.array(z.enum(ENVIRONMENTS)).min(1).optional(),
    group: Group,
    maxNodes: MaxNodes,
    asOf: AsOfBodyField.optional(),
    context: z
      .boolean()
      .default(false)
      .describe("add each origin's and impacted CI's `location` and the impacted business `services` it supports (for grouping a map)"),
  })
  .strict();

export const DependenciesQuery = z
  .object({ depth: Depth.optional(), types: csv(RelTypeName).optional(), asOf: AsOfParam.optional() })
  .strict();
export const SpofQuery = z.object({ types: csv(RelTypeName).optional(), asOf: AsOfParam.optional() }).strict();

const Step = z.object({ from: z.string(), type: z.string(), to: z.string() });
const ImpactResult = z
  .object({
    seq: z.number().int(),
    origins: z.array(z.object({ id: z.string(), effect: Effect, state: Effect })),
    impacted: z.array(
      z
        .object({ id: z.string(), class: z.string(), name: z.string(), state: Effect, depth: z.number().int(), via: z.array(Step) })
        .passthrough(),
    ),
    services: z.array(
      z
        .object({ id: z.string(), name: z.string(), criticality: z.number().int(), owner: z.string().optional(), state: Effect })
        .passthrough(),
    ),
    counts: z.object({ down: z.number().int(), degraded: z.number().int(), byClass: z.record(z.string(), z.unknown()) }),
    asOf: AsOfPointSchema.optional(),
  })
  .passthrough();

export function impactRoutes({ cmdb }: Pick<RouteDeps, 'cmdb'>): AnyRoute[] {
  /**
   * The index a question is answered on, and how to stamp the answer: the live one, or — with asOf —
   * the impact index of the graph rebuilt at that seq (the live mirror is never touched).
   */
  async function graphAt(actor: Actor, op: string, asOf: AsOf | undefined) {
    if (asOf === undefined) {
      const index = cmdb.impactIndex();
      return { index, graph: cmdb.mirror.graph, answer: <T extends object>(result: T) => ({ seq: cmdb.seq, ...result }) };
    }
    const past = await pastGraph(cmdb, actor, op, asOf);
    return {
      index: past.impactIndex(),
      graph: past.mirror.graph,
      answer: <T extends object>(result: T) => ({ seq: past.seq, ...result, ...asOfField(past) }),
    };
  }
  const pastErrors = asOfErrors('invalid query or body', 'unknown CI');
  const grouped = <T extends Parameters<typeof groupImpact>[0]>(result: T, group: 'none' | 'auto', maxNodes: number) =>
    group === 'auto' ? { ...result, groups: groupImpact(result, { maxNodes }) } : result;
  return [
    defineRoute({
      method: 'get',
      path: '/cis/:id/impact',
      operationId: 'ciImpact',
      summary: 'Blast radius of one CI: what goes down or degraded when it fails',
      tag: 'impact',
      permission: 'cmdb:read',
      params: CIParams,
      query: ImpactQuery,
      responses: { 200: { description: 'the blast radius', schema: ImpactResult }, ...pastErrors },
      async handler({ params, query, actor, res }) {
        const { index, graph, answer } = await graphAt(actor, 'ciImpact', query.asOf);
        const result = blastRadius(index, cmdb.registry, [{ ci: params.id, effect: query.mode }], {
          maxDepth: query.depth,
          relationshipTypes: query.types,
          environments: query.environments,
        });
        res.json(answer(grouped(query.context ? withContext(graph, cmdb.registry, result) : result, query.group, query.maxNodes)));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/impact',
      operationId: 'impact',
      summary: 'Blast radius of several origins at once (e.g. both PDUs of a rack)',
      tag: 'impact',
      permission: 'cmdb:read',
      body: ImpactBody,
      responses: { 200: { description: 'the blast radius', schema: ImpactResult }, ...pastErrors },
      async handler({ body, actor, res }) {
        const { origins, group, maxNodes, asOf, context, ...options } = body;
        const { index, graph, answer } = await graphAt(actor, 'impact', asOf);
        const result = blastRadius(index, cmdb.registry, origins, options);
        res.json(answer(grouped(context ? withContext(graph, cmdb.registry, result) : result, group, maxNodes)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/cis/:id/dependencies',
      operationId: 'ciDependencies',
      summary: 'Everything a CI relies on, transitively, with depth and one shortest path each',
      tag: 'impact',
      permission: 'cmdb:read',
      params: CIParams,
      query: DependenciesQuery,
      responses: {
        200: {
          description: 'the transitive providers',
          schema: z.object({}).loose().describe('providers with depth and one shortest path each, and the graph seq'),
        },
        ...pastErrors,
      },
      async handler({ params, query, actor, res }) {
        const { index, answer } = await graphAt(actor, 'ciDependencies', query.asOf);
        res.json(answer(dependencies(index, cmdb.registry, params.id, { maxDepth: query.depth, relationshipTypes: query.types })));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/cis/:id/spof',
      operationId: 'ciSinglePointsOfFailure',
      summary: 'CIs whose failure alone takes this CI down, respecting redundancy',
      tag: 'impact',
      permission: 'cmdb:read',
      params: CIParams,
      query: SpofQuery,
      responses: {
        200: {
          description: 'the single points of failure',
          schema: z.object({}).loose().describe('CIs whose failure alone takes this CI down, and the graph seq'),
        },
        ...pastErrors,
      },
      async handler({ params, query, actor, res }) {
        const { index, answer } = await graphAt(actor, 'ciSinglePointsOfFailure', query.asOf);
        res.json(answer(singlePointsOfFailure(index, cmdb.registry, params.id, { relationshipTypes: query.types })));
      },
    }),
  ];
}
