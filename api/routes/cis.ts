/** `/api/v1/cis`: list (mirror-filtered, store documents), get, create, replace, patch, delete, neighbours, history. */
import { z } from 'zod';
import { CIInput, toCIData, type CI } from '../../engine/model/ci.ts';
import { ConflictError, InputError, NotFoundError, StoreUnavailableError, zodIssues } from '../../engine/errors.ts';
import { deleteCIBatch, listCIs, mirrorCI, neighbours, relationshipsOf } from '../../engine/queries/cis.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import {
  CIBody,
  CIListQuery,
  CIParams,
  CIPatch,
  ChangeEventSchema,
  DeleteQuery,
  EmptyQuery,
  ErrorSchema,
  HistoryQuery,
  NeighbourQuery,
  NeighbourSchema,
  StoredCI,
  encodeCursor,
  pageOf,
} from '../schemas.ts';
import { checkIfMatch, guarded, locationOf, sendVersioned, type RouteDeps } from './common.ts';

const err = (description: string) => ({ description, schema: ErrorSchema });

export function ciRoutes({ cmdb }: RouteDeps): AnyRoute[] {
  const actorCtx = (name: string) => ({ actor: name });

  async function current(op: string, id: string): Promise<CI> {
    const ci = await cmdb.store.getCI(id);
    if (!ci) throw new NotFoundError(`${op}: CI "${id}" not found`, { id });
    return ci;
  }

  return [
    defineRoute({
      method: 'get',
      path: '/cis',
      operationId: 'listCIs',
      summary: 'List CIs, filtered, in id order, a page at a time',
      tag: 'cis',
      permission: 'cmdb:read',
      query: CIListQuery,
      responses: { 200: { description: 'a page of CIs', schema: pageOf(StoredCI) }, 400: err('invalid query') },
      async handler({ query, res }) {
        const { limit, cursor, ...filter } = query;
        const page = await listCIs(cmdb, filter, { limit, ...(cursor !== undefined ? { after: cursor } : {}) }, { fallbackToMirror: true });
        res.json({ items: page.items, next: encodeCursor(page.next), source: page.source });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/cis/:id',
      operationId: 'getCI',
      summary: 'Get one CI; ETag is its version',
      tag: 'cis',
      permission: 'cmdb:read',
      params: CIParams,
      query: EmptyQuery,
      responses: { 200: { description: 'the CI (only mirror attributes, without ETag, when the store is unreachable)', schema: StoredCI, headers: { ETag: 'the version' } }, 404: err('no such CI') },
      async handler({ params, res }) {
        let ci: CI | undefined;
        try {
          ci = await cmdb.store.getCI(params.id);
        } catch (e) {
          if (!(e instanceof StoreUnavailableError) || !cmdb.mirror.graph.hasNode(params.id)) throw e;
          res.setHeader('X-Cmdb-Source', 'mirror');
          res.json(mirrorCI(cmdb.mirror, params.id));
          return;
        }
        if (!ci) throw new NotFoundError(`getCI: CI "${params.id}" not found`, { id: params.id });
        sendVersioned(res, 200, ci);
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
      responses: { 201: { description: 'created', schema: StoredCI, headers: { ETag: 'the version', Location: 'the CI' } }, 400: err('invalid body'), 409: err('the id exists'), 422: err('unknown class or bad redundancy rule') },
      async handler({ body, actor, res }) {
        const ci = toCIData(body);
        const result = await cmdb.apply([{ op: 'upsertCI', ci, expectedVersion: 0 }], actorCtx(actor.name)).catch((e: unknown) => {
          if (e instanceof ConflictError) throw new ConflictError(`createCI: CI "${ci.id}" already exists`, { id: ci.id, reason: 'duplicate_id' });
          throw e;
        });
        const created = result.events[0]!.after as CI;
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
      responses: { 200: { description: 'the CI after the write', schema: StoredCI }, 400: err('invalid body'), 404: err('no such CI'), 409: err('written concurrently'), 412: err('stale If-Match'), 422: err('unknown class') },
      async handler({ params, body, actor, ifMatch, res }) {
        const op = 'replaceCI';
        if (body.id !== params.id) throw new InputError(`${op}: body id "${body.id}" differs from the URL id "${params.id}"`, [{ in: 'body', path: ['id'], code: 'invalid_value', message: 'must equal the id in the URL' }]);
        const before = await current(op, params.id);
        checkIfMatch(op, ifMatch, `CI "${params.id}"`, before);
        const result = await guarded(op, ifMatch, () => cmdb.apply([{ op: 'upsertCI', ci: toCIData(body), expectedVersion: before.version }], actorCtx(actor.name)));
        sendVersioned(res, 200, (result.events[0]?.after as CI | undefined) ?? before);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/cis/:id',
      operationId: 'patchCI',
      summary: 'Change some fields of a CI (top-level fields are replaced, not merged)',
      tag: 'cis',
      permission: 'cmdb:write',
      params: CIParams,
      query: EmptyQuery,
      body: CIPatch,
      ifMatch: true,
      responses: { 200: { description: 'the CI after the write', schema: StoredCI }, 400: err('invalid body'), 404: err('no such CI'), 409: err('written concurrently'), 412: err('stale If-Match'), 422: err('unknown class') },
      async handler({ params, body, actor, ifMatch, res }) {
        const op = 'patchCI';
        const before = await current(op, params.id);
        checkIfMatch(op, ifMatch, `CI "${params.id}"`, before);
        const { version: _ignored, owner, ...fields } = body;
        const merged: Record<string, unknown> = { ...toCIData(CIInput.parse(before)), ...fields };
        if (owner === null) delete merged.owner;
        else if (owner !== undefined) merged.owner = owner;
        const parsed = CIInput.safeParse(merged);
        if (!parsed.success) throw new InputError(`${op}: the patched CI "${params.id}" is invalid`, zodIssues(parsed.error.issues));
        const result = await guarded(op, ifMatch, () => cmdb.apply([{ op: 'upsertCI', ci: toCIData(parsed.data), expectedVersion: before.version }], actorCtx(actor.name)));
        sendVersioned(res, 200, (result.events[0]?.after as CI | undefined) ?? before);
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
      responses: {
        200: { description: 'deleted', schema: z.object({ id: z.string(), relationshipsDeleted: z.array(z.string()), seq: z.number().int() }) },
        404: err('no such CI'),
        409: err('the CI still has relationships (use cascade=true), or it was written concurrently'),
        412: err('stale If-Match'),
      },
      async handler({ params, query, actor, ifMatch, res }) {
        const op = 'deleteCI';
        const before = await current(op, params.id);
        checkIfMatch(op, ifMatch, `CI "${params.id}"`, before);
        const attached = relationshipsOf(cmdb.mirror, params.id);
        if (attached.length > 0 && !query.cascade) {
          throw new ConflictError(`${op}: CI "${params.id}" still has ${attached.length} relationship(s) (e.g. "${attached[0]}"); delete them first or use ?cascade=true`, {
            id: params.id,
            reason: 'has_relationships',
            relationships: attached.slice(0, 50),
            count: attached.length,
          });
        }
        const batch = deleteCIBatch(cmdb.mirror, params.id, { cascade: query.cascade, expectedVersion: before.version });
        const result = await guarded(op, ifMatch, () => cmdb.apply(batch, actorCtx(actor.name)));
        const relationshipsDeleted = batch.flatMap((m) => (m.op === 'deleteRelationship' ? [m.id] : []));
        res.json({ id: params.id, relationshipsDeleted, seq: result.seq });
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
      responses: { 200: { description: 'neighbours, by relationship id', schema: z.object({ id: z.string(), seq: z.number().int(), items: z.array(NeighbourSchema) }) }, 404: err('no such CI') },
      handler({ params, query, res }) {
        const items = neighbours(cmdb.mirror, cmdb.registry, params.id, query.type === undefined ? { direction: query.direction } : { direction: query.direction, type: query.type });
        res.json({ id: params.id, seq: cmdb.seq, items });
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
      responses: { 200: { description: 'events; `next` is the seq to pass as `after`', schema: z.object({ items: z.array(ChangeEventSchema), next: z.number().int().nullable() }) }, 404: err('no such CI and no history') },
      async handler({ params, query, res }) {
        const events = await cmdb.store.history('ci', params.id, { after: query.after, limit: query.limit + 1 });
        if (events.length === 0 && query.after === 0 && !cmdb.mirror.graph.hasNode(params.id)) throw new NotFoundError(`ciHistory: CI "${params.id}" not found and has no history`, { id: params.id });
        const items = events.slice(0, query.limit);
        res.json({ items, next: events.length > query.limit ? items[items.length - 1]!.seq : null });
      },
    }),
  ];
}
