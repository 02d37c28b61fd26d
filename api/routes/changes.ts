/**
 * Change-management rows of the route table: changes, their transitions, assessment, conflicts,
 * CAB votes and history, and freeze / maintenance windows. Each row declares its permission and
 * schemas (engine/changes/model.ts); authentication, the permission check, validation, OpenAPI and
 * metrics come from api/route.ts like every other route. The change service adds what a route
 * permission cannot say: the policy's voting roles per risk level and separation of duties.
 *
 * ETag / If-Match carry the change record's version: a stale If-Match is refused with 412.
 */
import { z } from 'zod';
import {
  ApprovalInput,
  Assessment,
  ChangeCreate,
  ChangeDoc,
  ChangeListQuery,
  ChangePatch,
  Conflict,
  FrozenAssessment,
  IdParam,
  TransitionInput,
  WindowDoc,
  WindowInput,
  WindowListQuery,
  type ChangeView,
  type WindowKind,
} from '../../engine/changes/model.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import { ChangeEventSchema, EmptyQuery, stored, errorResponse as err } from '../schemas.ts';
import { locationOf, principalOf, sendVersioned, singleVersion, type RouteDeps } from './common.ts';

export const StoredChange = stored(ChangeDoc).describe('A change request');
const ChangePage = z.object({ items: z.array(StoredChange), next: z.string().nullable().describe('pass as `after` for the next page') });
const AssessmentView = z.object({
  id: z.string(),
  state: z.string(),
  version: z.number().int(),
  assessment: Assessment,
  frozen: FrozenAssessment.nullable(),
});

export function changeRoutes({ services }: RouteDeps): AnyRoute[] {
  const { changes } = services;
  const send = (res: Parameters<typeof sendVersioned>[0], change: ChangeView, status = 200) => sendVersioned(res, status, change);

  const windowRoutes = (
    [
      ['/freeze-windows', 'freeze'],
      ['/maintenance-windows', 'maintenance'],
    ] as [string, WindowKind][]
  ).flatMap(([path, kind]) => [
    defineRoute({
      method: 'post',
      path,
      operationId: `create${kind === 'freeze' ? 'Freeze' : 'Maintenance'}Window`,
      summary: kind === 'freeze' ? 'Declare a freeze window (global or scoped to services / CIs)' : 'Declare a maintenance window',
      tag: 'changes',
      permission: 'windows:write',
      query: EmptyQuery,
      body: WindowInput,
      responses: {
        201: { description: 'created', schema: WindowDoc, headers: { Location: 'the window' } },
        400: err('invalid body'),
        422: err('a scoped CI does not exist'),
      },
      async handler({ body, actor, res }) {
        const window = await changes.createWindow(kind, body, principalOf(actor));
        res.setHeader('Location', locationOf(path.slice(1), window.id));
        res.status(201).json(window);
      },
    }),
    defineRoute({
      method: 'get',
      path,
      operationId: `list${kind === 'freeze' ? 'Freeze' : 'Maintenance'}Windows`,
      summary: `List ${kind} windows`,
      tag: 'changes',
      permission: 'cmdb:read',
      query: WindowListQuery,
      responses: { 200: { description: 'windows', schema: z.object({ items: z.array(WindowDoc) }) }, 400: err('invalid query') },
      async handler({ query, res }) {
        res.json({ items: await changes.listWindows(kind, query) });
      },
    }),
  ]);

  return [
    defineRoute({
      method: 'post',
      path: '/changes',
      operationId: 'createChange',
      summary: 'Create a change request (a draft); the requester is the caller',
      tag: 'changes',
      permission: 'changes:write',
      query: EmptyQuery,
      body: ChangeCreate,
      responses: {
        201: { description: 'created', schema: StoredChange, headers: { ETag: 'the version', Location: 'the change' } },
        400: err('invalid body'),
        422: err('a target CI does not exist'),
      },
      async handler({ body, actor, res }) {
        const change = await changes.create(body, principalOf(actor));
        sendVersioned(res, 201, change, { Location: locationOf('changes', change.id) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/changes',
      operationId: 'listChanges',
      summary: 'List changes by id, filtered by state, type or target CI',
      tag: 'changes',
      permission: 'cmdb:read',
      query: ChangeListQuery,
      responses: { 200: { description: 'a page of changes', schema: ChangePage }, 400: err('invalid query') },
      async handler({ query, res }) {
        res.json(await changes.list(query));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/changes/:id',
      operationId: 'getChange',
      summary: 'Get one change; ETag is its version',
      tag: 'changes',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: { 200: { description: 'the change', schema: StoredChange, headers: { ETag: 'the version' } }, 404: err('no such change') },
      async handler({ params, res }) {
        send(res, await changes.get(params.id));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/changes/:id',
      operationId: 'patchChange',
      summary: 'Edit a change (every field in draft; description and assignee later); `null` clears window or assignee',
      tag: 'changes',
      permission: 'changes:write',
      params: IdParam,
      query: EmptyQuery,
      body: ChangePatch,
      mergePatch: true,
      ifMatch: true,
      responses: {
        200: { description: 'the change after the write', schema: StoredChange },
        400: err('invalid body'),
        404: err('no such change'),
        409: err('the field is not editable in this state'),
        412: err('stale If-Match'),
      },
      async handler({ params, body, actor, ifMatch, res }) {
        send(res, await changes.update(params.id, body, principalOf(actor), singleVersion('patchChange', ifMatch)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/changes/:id/history',
      operationId: 'changeHistory',
      summary: 'Events of one change (before / after, actors), oldest first',
      tag: 'changes',
      permission: 'history:read',
      params: IdParam,
      query: EmptyQuery,
      responses: { 200: { description: 'events', schema: z.object({ items: z.array(ChangeEventSchema) }) }, 404: err('no such change') },
      async handler({ params, res }) {
        res.json({ items: await changes.history(params.id) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/changes/:id/transitions',
      operationId: 'transitionChange',
      summary: 'Move a change to another state (illegal transitions are refused with the allowed ones)',
      tag: 'changes',
      permission: 'changes:write',
      params: IdParam,
      query: EmptyQuery,
      body: TransitionInput,
      ifMatch: true,
      responses: {
        200: { description: 'the change after the transition', schema: StoredChange },
        400: err('invalid body'),
        403: err('separation of duties or the policy forbids it'),
        404: err('no such change'),
        409: err('illegal transition, quorum not reached or a freeze'),
        412: err('stale If-Match'),
        422: err('the change is incomplete'),
      },
      async handler({ params, body, actor, ifMatch, res }) {
        send(res, await changes.transition(params.id, body, principalOf(actor), singleVersion('transitionChange', ifMatch)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/changes/:id/assessment',
      operationId: 'getChangeAssessment',
      summary: 'A fresh risk assessment on the current graph beside the frozen one (nothing stored)',
      tag: 'changes',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: { 200: { description: 'the assessment', schema: AssessmentView }, 404: err('no such change') },
      async handler({ params, res }) {
        res.json(await changes.assessment(params.id));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/changes/:id/assessment',
      operationId: 'reassessChange',
      summary: 'Recompute and store the assessment (state unchanged; the frozen one is never touched)',
      tag: 'changes',
      permission: 'changes:write',
      params: IdParam,
      query: EmptyQuery,
      ifMatch: true,
      responses: {
        200: { description: 'the stored assessment', schema: AssessmentView },
        404: err('no such change'),
        409: err('not between submission and closure'),
        412: err('stale If-Match'),
      },
      async handler({ params, actor, ifMatch, res }) {
        res.json(await changes.reassess(params.id, principalOf(actor), singleVersion('reassessChange', ifMatch)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/changes/:id/conflicts',
      operationId: 'changeConflicts',
      summary: 'Conflicts with approved, scheduled and in-progress changes on the current graph',
      tag: 'changes',
      permission: 'cmdb:read',
      params: IdParam,
      query: EmptyQuery,
      responses: {
        200: { description: 'conflicts', schema: z.object({ id: z.string(), conflicts: z.array(Conflict) }) },
        404: err('no such change'),
      },
      async handler({ params, res }) {
        res.json({ id: params.id, conflicts: await changes.conflicts(params.id) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/changes/:id/approvals',
      operationId: 'voteOnChange',
      summary: 'A CAB vote (approve, or reject with a reason); one vote per principal, never by the requester',
      tag: 'changes',
      permission: 'changes:approve',
      params: IdParam,
      query: EmptyQuery,
      body: ApprovalInput,
      ifMatch: true,
      responses: {
        200: { description: 'the change after the vote', schema: StoredChange },
        400: err('invalid body'),
        403: err('not a voting role at this risk level, or the requester'),
        404: err('no such change'),
        409: err('not in cab_review, or the principal already voted otherwise'),
        412: err('stale If-Match'),
      },
      async handler({ params, body, actor, ifMatch, res }) {
        send(res, await changes.vote(params.id, body, principalOf(actor), singleVersion('voteOnChange', ifMatch)));
      },
    }),
    ...windowRoutes,
  ];
}
