/** `/api/v1/relationships`: list (mirror-filtered), get, create, replace, delete, history. */
import { z } from 'zod';
import { toRelationshipData, type Relationship } from '../../engine/model/relationship.ts';
import { ConflictError, InputError, NotFoundError, StoreUnavailableError } from '../../engine/errors.ts';
import { listRelationships, mirrorRelationship } from '../../engine/queries/relationships.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import {
  AsOfPointSchema,
  AsOfQuery,
  ChangeEventSchema,
  EmptyQuery,
  HistoryQuery,
  RelationshipBody,
  RelationshipListQuery,
  RelationshipParams,
  StoredRelationship,
  encodeCursor,
  pageOf,
  errorResponse as err,
} from '../schemas.ts';
import { checkIfMatch, guarded, locationOf, sendVersioned, writeContext, type RouteDeps } from './common.ts';
import { asOfErrors, asOfField, pastGraph } from './as-of.ts';

export function relationshipRoutes({ cmdb }: RouteDeps): AnyRoute[] {
  async function current(op: string, id: string): Promise<Relationship> {
    const r = await cmdb.store.getRelationship(id);
    if (!r) throw new NotFoundError(`${op}: relationship "${id}" not found`, { id });
    return r;
  }

  return [
    defineRoute({
      method: 'get',
      path: '/relationships',
      operationId: 'listRelationships',
      summary: 'List relationships, filtered by type and ends, in id order',
      tag: 'relationships',
      permission: 'cmdb:read',
      query: RelationshipListQuery,
      responses: {
        200: {
          description: 'a page of relationships (with asOf: as they stood then)',
          schema: pageOf(StoredRelationship).safeExtend({ asOf: AsOfPointSchema.optional() }),
        },
        ...asOfErrors('invalid query'),
      },
      async handler({ query, actor, res }) {
        const { limit, cursor, asOf, ...filter } = query;
        const past = asOf === undefined ? undefined : await pastGraph(cmdb, actor, 'listRelationships', asOf);
        // The past graph answers from its own mirror and documents: the same query, another source.
        const from = past
          ? { mirror: past.mirror, store: { getRelationship: (id: string) => Promise.resolve(past.relationship(id)) } }
          : cmdb;
        const page = await listRelationships(
          from,
          filter,
          { limit, ...(cursor !== undefined ? { after: cursor } : {}) },
          { fallbackToMirror: true },
        );
        res.json({ items: page.items, next: encodeCursor(page.next), source: page.source, ...(past ? asOfField(past) : {}) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/relationships/:id',
      operationId: 'getRelationship',
      summary: 'Get one relationship; ETag is its version. With asOf: as it stood then (rebuilt from the event log, no ETag)',
      tag: 'relationships',
      permission: 'cmdb:read',
      params: RelationshipParams,
      query: AsOfQuery,
      responses: {
        200: {
          description: 'the relationship; with asOf, plus `asOf`',
          schema: StoredRelationship.safeExtend({ asOf: AsOfPointSchema.optional() }),
        },
        ...asOfErrors('invalid asOf', 'no such relationship'),
      },
      async handler({ params, query, actor, res }) {
        if (query.asOf !== undefined) {
          const past = await pastGraph(cmdb, actor, 'getRelationship', query.asOf);
          const then = past.relationship(params.id);
          if (!then)
            throw new NotFoundError(`getRelationship: relationship "${params.id}" did not exist at seq ${past.seq}`, {
              id: params.id,
              asOf: past.point,
            });
          res.json({ ...then, ...asOfField(past) });
          return;
        }
        let r: Relationship | undefined;
        try {
          r = await cmdb.store.getRelationship(params.id);
        } catch (e) {
          if (!(e instanceof StoreUnavailableError) || !cmdb.mirror.graph.hasEdge(params.id)) throw e;
          res.setHeader('X-Cmdb-Source', 'mirror');
          res.json(mirrorRelationship(cmdb.mirror, params.id));
          return;
        }
        if (!r) throw new NotFoundError(`getRelationship: relationship "${params.id}" not found`, { id: params.id });
        sendVersioned(res, 200, r);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/relationships',
      operationId: 'createRelationship',
      summary: 'Create a relationship (id defaults to from|TYPE|to; refused when it exists)',
      tag: 'relationships',
      permission: 'cmdb:write',
      query: EmptyQuery,
      body: RelationshipBody,
      changeId: true,
      responses: {
        201: { description: 'created', schema: StoredRelationship },
        400: err('invalid body'),
        409: err('the id exists'),
        422: err('unknown type or missing CI'),
      },
      async handler({ body, actor, changeId, res }) {
        const rel = toRelationshipData(body);
        const result = await cmdb
          .apply([{ op: 'upsertRelationship', relationship: rel, expectedVersion: 0 }], writeContext(actor, changeId))
          .catch((e: unknown) => {
            if (e instanceof ConflictError)
              throw new ConflictError(`createRelationship: relationship "${rel.id}" already exists`, {
                id: rel.id,
                reason: 'duplicate_id',
              });
            throw e;
          });
        const created = result.events[0]!.after as Relationship;
        sendVersioned(res, 201, created, { Location: locationOf('relationships', created.id) });
      },
    }),
    defineRoute({
      method: 'put',
      path: '/relationships/:id',
      operationId: 'replaceRelationship',
      summary: 'Replace a relationship',
      tag: 'relationships',
      permission: 'cmdb:write',
      params: RelationshipParams,
      query: EmptyQuery,
      body: RelationshipBody,
      ifMatch: true,
      changeId: true,
      responses: {
        200: { description: 'the relationship after the write', schema: StoredRelationship },
        400: err('invalid body'),
        404: err('no such relationship'),
        412: err('stale If-Match'),
        422: err('unknown type or missing CI'),
      },
      async handler({ params, body, actor, ifMatch, changeId, res }) {
        const op = 'replaceRelationship';
        const rel = toRelationshipData({ ...body, id: body.id ?? params.id });
        if (rel.id !== params.id)
          throw new InputError(`${op}: body id "${rel.id}" differs from the URL id "${params.id}"`, [
            { in: 'body', path: ['id'], code: 'invalid_value', message: 'must equal the id in the URL' },
          ]);
        const before = await current(op, params.id);
        checkIfMatch(op, ifMatch, `relationship "${params.id}"`, before);
        const result = await guarded(op, ifMatch, () =>
          cmdb.apply([{ op: 'upsertRelationship', relationship: rel, expectedVersion: before.version }], writeContext(actor, changeId)),
        );
        sendVersioned(res, 200, (result.events[0]?.after as Relationship | undefined) ?? before);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/relationships/:id',
      operationId: 'deleteRelationship',
      summary: 'Delete a relationship',
      tag: 'relationships',
      permission: 'cmdb:write',
      params: RelationshipParams,
      query: EmptyQuery,
      ifMatch: true,
      changeId: true,
      responses: {
        200: { description: 'deleted', schema: z.object({ id: z.string(), seq: z.number().int() }) },
        404: err('no such relationship'),
        412: err('stale If-Match'),
      },
      async handler({ params, actor, ifMatch, changeId, res }) {
        const op = 'deleteRelationship';
        const before = await current(op, params.id);
        checkIfMatch(op, ifMatch, `relationship "${params.id}"`, before);
        const result = await guarded(op, ifMatch, () =>
          cmdb.apply([{ op: 'deleteRelationship', id: params.id, expectedVersion: before.version }], writeContext(actor, changeId)),
        );
        res.json({ id: params.id, seq: result.seq });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/relationships/:id/history',
      operationId: 'relationshipHistory',
      summary: 'Events of one relationship, oldest first',
      tag: 'relationships',
      permission: 'history:read',
      params: RelationshipParams,
      query: HistoryQuery,
      responses: {
        200: { description: 'events', schema: z.object({ items: z.array(ChangeEventSchema), next: z.number().int().nullable() }) },
        404: err('no such relationship and no history'),
      },
      async handler({ params, query, res }) {
        const events = await cmdb.store.history('relationship', params.id, { after: query.after, limit: query.limit + 1 });
        if (events.length === 0 && query.after === 0 && !cmdb.mirror.graph.hasEdge(params.id))
          throw new NotFoundError(`relationshipHistory: relationship "${params.id}" not found and has no history`, { id: params.id });
        const items = events.slice(0, query.limit);
        res.json({ items, next: events.length > query.limit ? items[items.length - 1]!.seq : null });
      },
    }),
  ];
}
