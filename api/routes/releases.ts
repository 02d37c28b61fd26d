/**
 * Release rows of the route table: create and list releases, and a release's deployment plan
 * with its combined impact and risk. Schemas from engine/releases/model.ts.
 */
import { z } from 'zod';
import { Assessment, IdParam } from '../../engine/changes/model.ts';
import { ReleaseCreate, ReleaseDoc, ReleaseListQuery } from '../../engine/releases/model.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import { EmptyQuery, stored, errorResponse as err } from '../schemas.ts';
import { locationOf, principalOf, sendVersioned, type RouteDeps } from './common.ts';

const StoredRelease = stored(ReleaseDoc).describe('A release: a bundle of changes');
const ReleasePlan = z
  .object({
    release: StoredRelease,
    changes: z.array(z.object({ id: z.string(), title: z.string(), state: z.string(), type: z.string(), level: z.string().nullable() })),
    plan: z.object({}).loose().describe('deployment steps, providers before their dependents; a cycle is one flagged step'),
    assessment: Assessment,
    level: z.string(),
  })
  .describe('The deployment plan with the combined impact and risk of the changes');

export function releaseRoutes({ services }: RouteDeps): AnyRoute[] {
  const { releases } = services;
  return [
    defineRoute({
      method: 'post',
      path: '/releases',
      operationId: 'createRelease',
      summary: 'Bundle changes into a release',
      tag: 'releases',
      permission: 'changes:write',
      query: EmptyQuery,
      body: ReleaseCreate,
      responses: {
        201: { description: 'created', schema: StoredRelease, headers: { ETag: 'the version', Location: 'the release' } },
        400: err('invalid body'),
        422: err('a change does not exist'),
      },
      async handler({ body, actor, res }) {
        const release = await releases.create(body, principalOf(actor));
        sendVersioned(res, 201, release, { Location: locationOf('releases', release.id) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/releases',
      operationId: 'listReleases',
      summary: 'List releases by id',
      tag: 'releases',
      permission: 'cmdb:read',
      query: ReleaseListQuery,
      responses: {
        200: { description: 'a page of releases', schema: z.object({ items: z.array(StoredRelease), next: z.string().nullable() }) },
        400: err('invalid query'),
      },
      async handler({ query, res }) {
        res.json(await releases.list(query));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/releases/:id',
      operationId: 'getRelease',
      summary: 'Get one release; ETag is its version',
      tag: 'releases',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: {
        200: { description: 'the release', schema: StoredRelease, headers: { ETag: 'the version' } },
        404: err('no such release'),
      },
      async handler({ params, res }) {
        sendVersioned(res, 200, await releases.get(params.id));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/releases/:id/plan',
      operationId: 'releasePlan',
      summary: 'Deployment order of the target CIs, with the combined impact and risk',
      tag: 'releases',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: { 200: { description: 'the plan', schema: ReleasePlan }, 404: err('no such release') },
      async handler({ params, res }) {
        res.json(await releases.plan(params.id));
      },
    }),
  ];
}
