/** What the route modules share: their dependencies, the caller as a principal and the If-Match / version bookkeeping. */
import type { Response } from 'express';
import type { Cmdb } from '../../engine/cmdb.ts';
import { ConflictError, InputError } from '../../engine/errors.ts';
import type { Role } from '../../engine/auth/tokens.ts';
import type { TokenService } from '../../engine/auth/tokens.ts';
import { PreconditionFailedError } from '../http-errors.ts';
import { etag, type Actor, type IfMatch } from '../route.ts';
import type { Services } from '../services.ts';

export interface RouteDeps {
  cmdb: Cmdb;
  tokens: TokenService;
  services: Services;
}

/** Refuses a stale If-Match before anything is sent to the store. */
export function checkIfMatch(op: string, ifMatch: IfMatch | undefined, what: string, current: { version: number }): void {
  if (!ifMatch || ifMatch.any) return;
  if (!ifMatch.versions.includes(current.version)) {
    throw new PreconditionFailedError(`${op}: ${what} is at version ${current.version}, not ${ifMatch.versions.join(' or ')} (If-Match); nothing was written`, {
      expected: ifMatch.versions,
      actual: current.version,
    });
  }
}

/**
 * The version read is passed to the store as `expectedVersion`, so a write that lands in between
 * fails there. With If-Match that is the client's precondition failing (412); without, it is a
 * plain conflict (409) the client may retry.
 */
export async function guarded<T>(op: string, ifMatch: IfMatch | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof ConflictError && ifMatch) throw new PreconditionFailedError(`${op}: ${err.message}; nothing was written`, err.details);
    throw err;
  }
}

export function sendVersioned(res: Response, status: number, doc: { version: number }, headers: Record<string, string> = {}): void {
  res.status(status).setHeader('ETag', etag(doc.version));
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.json(doc);
}

/** The principal a record service acts for: the authenticated caller, never a body field. */
export function principalOf(actor: Actor): { name: string; role: Role } {
  return { name: actor.name, role: actor.role };
}

/**
 * Record services take one expected version. `*` means "any existing one" (no check); a list of
 * several versions is refused on these routes rather than silently narrowed to one.
 */
export function singleVersion(op: string, ifMatch: IfMatch | undefined): number | undefined {
  if (!ifMatch || ifMatch.any) return undefined;
  if (ifMatch.versions.length > 1) throw new InputError(`${op}: If-Match must name one version on this route, not ${ifMatch.versions.length}`, [{ in: 'header', path: ['if-match'], code: 'invalid_format', message: 'expected one ETag' }]);
  return ifMatch.versions[0];
}

export function locationOf(collection: string, id: string): string {
  return `/api/v1/${collection}/${encodeURIComponent(id)}`;
}
