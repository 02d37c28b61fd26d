/**
 * The route table: each route declares its method, path, permission and zod schemas for params,
 * query and body once; `mountRoutes` parses every input with them before the handler runs, and
 * api/openapi.ts documents the same declarations. Handlers receive only the parsed values
 * (STYLE.md #6) and never write an error status themselves (STYLE.md #7).
 */
import express, { type Request, type Response, type Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { ForbiddenError, InputError, type ErrorIssue } from '../engine/errors.ts';
import type { Role } from '../engine/auth/tokens.ts';
import { ChangeId } from '../engine/changes/model.ts';
import { can, type Permission } from './permissions.ts';
import { UnauthorizedError, UnsupportedMediaTypeError } from './http-errors.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who is calling: a token's name and role, or `anonymous` (admin) when started with --no-auth. */
export interface Actor {
  name: string;
  role: Role;
  tokenId: string | null;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** Parsed `If-Match`: `*` (any existing version) or the listed versions. */
export type IfMatch = { any: true } | { any: false; versions: number[] };

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  ifMatch: IfMatch | undefined;
  /** `X-Change-Id`: the change authorising this write (routes with `changeId: true`), checked by the engine. */
  changeId: string | undefined;
  req: Request;
  res: Response;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteDef<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
> {
  method: Method;
  /** Express path relative to /api/v1, e.g. `/cis/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** null: public (no token needed even when auth is on). */
  permission: Permission | null;
  params?: P;
  query?: Q;
  body?: B;
  /** Also accept multipart/form-data (the handler reads the files itself); default JSON only. */
  multipart?: boolean;
  /**
   * The body is a JSON Merge Patch (RFC 7396): `application/merge-patch+json` is accepted, and so
   * is `application/json` (read as a merge patch too — clients that cannot set the type lose nothing).
   */
  mergePatch?: boolean;
  /** JSON body limit (default 1 MB). */
  bodyLimit?: string;
  /** Reads `If-Match` (update and delete). */
  ifMatch?: boolean;
  /** Reads `X-Change-Id` (graph writes): the change that authorises the write, recorded on its events. */
  changeId?: boolean;
  responses: Record<number, ResponseSpec>;
  handler(ctx: HandlerContext<Out<P>, Out<Q>, Out<B>>): Promise<void> | void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDef<any, any, any>;

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(def: RouteDef<P, Q, B>): AnyRoute {
  return def as AnyRoute;
}

export const DEFAULT_BODY_LIMIT = '1mb';
export const MERGE_PATCH = 'application/merge-patch+json';

/** The media types a route's body may have. */
export function bodyTypes(route: AnyRoute): string[] {
  if (route.mergePatch) return [MERGE_PATCH, 'application/json'];
  return route.multipart ? ['application/json', 'multipart/form-data'] : ['application/json'];
}

function issuesIn(where: string, issues: readonly z.core.$ZodIssue[]): ErrorIssue[] {
  return issues.map((i) => ({
    in: where,
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    code: i.code,
    message: i.message,
  }));
}

/** Deeper JSON than any CMDB document needs; refused before recursive code (canonical key sorting) sees it. */
export const MAX_BODY_DEPTH = 64;

function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

function parseOrThrow<S extends z.ZodType>(op: string, where: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const field = first && first.path.length > 0 ? ` "${first.path.join('.')}"` : '';
  throw new InputError(`${op}: invalid ${where}${field}: ${first?.message ?? 'invalid'}`, issuesIn(where, parsed.error.issues));
}

function hasBody(req: Request): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
  );
}

function parseBody(op: string, schema: z.ZodType, req: Request): unknown {
  // body-parser turns an empty body into {}; a write route needs a real one.
  if (!hasBody(req))
    throw new InputError(`${op}: a request body is required`, [
      { in: 'body', path: [], code: 'invalid_type', message: 'expected a JSON body' },
    ]);
  const body: unknown = req.body;
  if (depthExceeds(body, MAX_BODY_DEPTH))
    throw new InputError(`${op}: body is nested deeper than ${MAX_BODY_DEPTH} levels`, [
      { in: 'body', path: [], code: 'too_deep', message: `nested deeper than ${MAX_BODY_DEPTH} levels` },
    ]);
  return parseOrThrow(op, 'body', schema, body);
}

/** `If-Match: "3"`, `W/"3"`, a list of those, or `*`. Anything else is malformed (400). */
export function parseIfMatch(op: string, header: string | undefined): IfMatch | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return { any: true };
  const versions: number[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*(?:W\/)?"([1-9][0-9]{0,14})"\s*$/.exec(part);
    if (!m)
      throw new InputError(`${op}: malformed If-Match "${header.slice(0, 100)}" (expected an ETag such as "3")`, [
        { in: 'header', path: ['if-match'], code: 'invalid_format', message: 'expected an ETag such as "3"' },
      ]);
    versions.push(Number(m[1]));
  }
  return { any: false, versions };
}

export const CHANGE_ID_HEADER = 'X-Change-Id';

/** `X-Change-Id: CHG-000123`; a malformed id is 400 here, an unknown or unauthorising change is the engine's refusal. */
export function parseChangeId(op: string, header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = ChangeId.safeParse(header.trim());
  if (parsed.success) return parsed.data;
  throw new InputError(`${op}: malformed ${CHANGE_ID_HEADER} "${header.slice(0, 100)}" (${parsed.error.issues[0]?.message ?? 'invalid'})`, [
    { in: 'header', path: ['x-change-id'], code: 'invalid_format', message: parsed.error.issues[0]?.message ?? 'invalid' },
  ]);
}

export function etag(version: number): string {
  return `"${version}"`;
}

/** Registers each route on the router with its checks, parsers and validation in a fixed order. */
export function mountRoutes(router: Router, routes: readonly AnyRoute[]): void {
  for (const route of routes) {
    const chain: RequestHandler[] = [];
    chain.push((_req, res, next) => {
      res.locals.route = `/api/v1${route.path}`;
      next();
    });
    chain.push((_req, res, next) => {
      if (route.permission === null) return next();
      const actor = res.locals.actor as Actor | undefined;
      if (!actor) throw new UnauthorizedError(`${route.operationId}: a bearer token is required (Authorization: Bearer <token>)`);
      if (!can(actor.role, route.permission)) {
        throw new ForbiddenError(`${route.operationId}: role "${actor.role}" does not have permission "${route.permission}"`, {
          role: actor.role,
          permission: route.permission,
        });
      }
      next();
    });
    if (route.body !== undefined) {
      chain.push((req, _res, next) => {
        // A body of another type is refused before it is read; no body at all is left to the schema.
        if (!hasBody(req)) return next();
        const kinds = bodyTypes(route);
        if (!req.is(kinds))
          throw new UnsupportedMediaTypeError(
            `${route.operationId}: content type "${req.headers['content-type'] ?? '(none)'}" is not accepted (use ${kinds.join(' or ')})`,
            { accepted: kinds },
          );
        next();
      });
      chain.push(
        express.json({
          limit: route.bodyLimit ?? DEFAULT_BODY_LIMIT,
          strict: false,
          type: route.mergePatch ? [MERGE_PATCH, 'application/json'] : 'application/json',
        }),
      );
    }
    chain.push(async (req, res) => {
      const op = route.operationId;
      const multipart = route.multipart === true && req.is('multipart/form-data') !== false && req.is('multipart/form-data') !== null;
      const ctx: HandlerContext<unknown, unknown, unknown> = {
        params: route.params ? parseOrThrow(op, 'params', route.params, { ...req.params }) : undefined,
        query: route.query ? parseOrThrow(op, 'query', route.query, { ...(req.query as object) }) : undefined,
        body: route.body && !multipart ? parseBody(op, route.body, req) : undefined,
        actor: res.locals.actor as Actor,
        ifMatch: route.ifMatch ? parseIfMatch(op, req.get('if-match')) : undefined,
        changeId: route.changeId ? parseChangeId(op, req.get(CHANGE_ID_HEADER)) : undefined,
        req,
        res,
      };
      await route.handler(ctx as never);
    });
    router[route.method](route.path, ...chain);
  }
}
