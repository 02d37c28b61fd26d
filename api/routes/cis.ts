/**
 * `/api/v1/cis`: list (mirror-filtered, store documents), get, create, replace, merge-patch, delete,
 * neighbours, history. The write use cases are engine/cis/service.ts; these rows only declare them.
 */
import { z } from 'zod';
import { NotFoundError } from '../../engine/errors.ts';
import { listCIs, neighbours } from '../../engine/queries/cis.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import {
  CIBody,
  CIListQuery,
  CIParams,
  CIPatch,
  AsOfPointSchema,
  AsOfQuery,
  ChangeEventSchema,
  DeleteQuery,
  EmptyQuery,
  HistoryQuery,
  NeighbourQuery,
  NeighbourSchema,
  StoredCI,
  encodeCursor,
  pageOf,
  errorResponse as err,
} from '../schemas.ts';
import { locationOf, sendVersioned, writeContext, type RouteDeps } from './common.ts';
import { asOfErrors, asOfField, pastGraph } from './as-of.ts';

export function ciRoutes({ cmdb, services }: RouteDeps): AnyRoute[] {
  const { cis } = services;

  return [
    defineRoute({
      method: 'get',
      path: '/cis',
      operationId: 'listCIs',
      summary: 'List CIs, filtered, in id order, a page at a time',
      tag: 'cis',
      permission: 'cmdb:read',
      query: CIListQuery,
      responses: {
        200: {
          description: 'a page of CIs (with asOf: the page of CIs as they stood then, filtered on their values then)',
          schema: pageOf(StoredCI).safeExtend({ asOf: AsOfPointSchema.optional() }),
        },
        ...asOfErrors('invalid query'),
      },
      async handler({ query, actor, res }) {
        const { limit, cursor, asOf, ...filter } = query;
        const past = asOf === undefined ? undefined : await pastGraph(cmdb, actor, 'listCIs', asOf);
        // The past graph answers from its own mirror and documents: the same query, another source.
        const from = past ? { mirror: past.mirror, store: { getCI: (id: string) => Promise.resolve(past.ci(id)) } } : cmdb;
        const page = await listCIs(from, filter, { limit, ...(cursor !== undefined ? { after: cursor } : {}) }, { fallbackToMirror: true });
        res.json({ items: page.items, next: encodeCursor(page.next), source: page.source, ...(past ? asOfField(past) : {}) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/cis/:id',
      operationId: 'getCI',
      summary: 'Get one CI; ETag is its version. With asOf: the CI as it stood then (rebuilt from the event log, no ETag)',
      tag: 'cis',
      permission: 'cmdb:read',
      params: CIParams,
      query: AsOfQuery,
      responses: {
        200: {
          description: 'the CI (only mirror attributes, without ETag, when the store is unreachable); with asOf, plus `asOf`',
          schema: StoredCI.safeExtend({ asOf: AsOfPointSchema.optional() }),
          headers: { ETag: 'the version' },
        },
        ...asOfErrors('invalid asOf', 'no such CI'),
      },
      async handler({ params, query, actor, res }) {
        if (query.asOf !== undefined) {
          const past = await pastGraph(cmdb, actor, 'getCI', query.asOf);
          const ci = past.ci(params.id);
          if (!ci)
            throw new NotFoundError(`getCI: CI "${params.id}" did not exist at seq ${past.seq}`, { id: params.id, asOf: past.point });
          res.json({ ...ci, ...asOfField(past) });
          return;
        }
        const got = await cis.read(params.id);
        if (got.source === 'store') return sendVersioned(res, 200, got.ci);
        res.setHeader('X-Cmdb-Source', 'mirror');
        res.json(got.ci);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/cis',
      operationId: 'createCI',
      summary: 'Create a CI (refused when the id exists)',
      tag: 'cis',
      permission: 'cmdb:write',
      query: EmptyQuery,
      body: CIBody,
      changeId: true,
      responses: {
        201: { description: 'created', schema: StoredCI, headers: { ETag: 'the version', Location: 'the CI' } },
        400: err('invalid body'),
        409: err('the id exists'),
        422: err('unknown class or bad redundancy rule'),
      },
      async handler({ body, actor, changeId, res }) {
        const created = await cis.create(body, writeContext(actor, changeId));
        sendVersioned(res, 201, created, { Location: locationOf('cis', created.id) });
      },
    }),
    defineRoute({
      method: 'put',
      path: '/cis/:id',
      operationId: 'replaceCI',
      summary: 'Replace a CI (every client field; omitted ones take their defaults)',
      tag: 'cis',
      permission: 'cmdb:write',
      params: CIParams,
      query: EmptyQuery,
      body: CIBody,
      ifMatch: true,
      changeId: true,
      responses: {
        200: { description: 'the CI after the write', schema: StoredCI },
        400: err('invalid body'),
        404: err('no such CI'),
        409: err('written concurrently'),
        412: err('stale If-Match'),
        422: err('unknown class'),
      },
      async handler({ params, body, actor, ifMatch, changeId, res }) {
        sendVersioned(res, 200, await cis.replace(params.id, body, writeContext(actor, changeId), ifMatch));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/cis/:id',
      operationId: 'patchCI',
      summary: 'JSON Merge Patch (RFC 7396) of a CI: `null` removes a key, `attributes` merges key by key, arrays replace',
      tag: 'cis',
      permission: 'cmdb:write',
      params: CIParams,
      query: EmptyQuery,
      body: CIPatch,
      mergePatch: true,
      ifMatch: true,
      changeId: true,
      responses: {
        200: { description: 'the CI after the write', schema: StoredCI },
        400: err('invalid body, or the patched CI is invalid'),
        404: err('no such CI'),
        409: err('written concurrently'),
        412: err('stale If-Match'),
        422: err('unknown class'),
      },
      async handler({ params, body, actor, ifMatch, changeId, res }) {
        sendVersioned(res, 200, await cis.patch(params.id, body, writeContext(actor, changeId), ifMatch));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/cis/:id',
      operationId: 'deleteCI',
      summary: 'Delete a CI; with cascade=true its relationships go in the same atomic batch',
      tag: 'cis',
      permission: 'cmdb:write',
      params: CIParams,
      query: DeleteQuery,
      ifMatch: true,
      changeId: true,
      responses: {
        200: {
          description: 'deleted',
          schema: z.object({ id: z.string(), relationshipsDeleted: z.array(z.string()), seq: z.number().int() }),
        },
        404: err('no such CI'),
        409: err('the CI still has relationships (use cascade=true), or it was written concurrently'),
        412: err('stale If-Match'),
      },
      async handler({ params, query, actor, ifMatch, changeId, res }) {
        res.json(await cis.delete(params.id, { cascade: query.cascade }, writeContext(actor, changeId), ifMatch));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/cis/:id/neighbours',
      operationId: 'ciNeighbours',
      summary: 'CIs one hop away, both directions unless told, with the relationship and its label as read from this CI',
      tag: 'cis',
      permission: 'cmdb:read',
      params: CIParams,
      query: NeighbourQuery,
      responses: {
        200: {
          description: 'neighbours, by relationship id (with asOf: as they stood then)',
          schema: z.object({ id: z.string(), seq: z.number().int(), items: z.array(NeighbourSchema), asOf: AsOfPointSchema.optional() }),
        },
        ...asOfErrors('invalid query', 'no such CI'),
      },
      async handler({ params, query, actor, res }) {
        const past = query.asOf === undefined ? undefined : await pastGraph(cmdb, actor, 'ciNeighbours', query.asOf);
        const items = neighbours(
          past?.mirror ?? cmdb.mirror,
          cmdb.registry,
          params.id,
          query.type === undefined ? { direction: query.direction } : { direction: query.direction, type: query.type },
        );
        res.json({ id: params.id, seq: past?.seq ?? cmdb.seq, items, ...(past ? asOfField(past) : {}) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/cis/:id/history',
      operationId: 'ciHistory',
      summary: 'Events of one CI (also after it was deleted), oldest first',
      tag: 'cis',
      permission: 'history:read',
      params: CIParams,
      query: HistoryQuery,
      responses: {
        200: {
          description: 'events; `next` is the seq to pass as `after`',
          schema: z.object({ items: z.array(ChangeEventSchema), next: z.number().int().nullable() }),
        },
        404: err('no such CI and no history'),
      },
      async handler({ params, query, res }) {
        const events = await cmdb.store.history('ci', params.id, { after: query.after, limit: query.limit + 1 });
        if (events.length === 0 && query.after === 0 && !cmdb.mirror.graph.hasNode(params.id))
          throw new NotFoundError(`ciHistory: CI "${params.id}" not found and has no history`, { id: params.id });
        const items = events.slice(0, query.limit);
        res.json({ items, next: events.length > query.limit ? items[items.length - 1]!.seq : null });
      },
    }),
  ];
}
