/** What the route modules share: their dependencies, the caller as a principal and the If-Match / version bookkeeping. */
import type { Response } from 'express';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError } from '../../engine/errors.ts';
import type { Role } from '../../engine/auth/tokens.ts';
import type { TokenService } from '../../engine/auth/tokens.ts';
import { checkExpected, guarded } from '../../engine/cis/service.ts';
import { etag, type Actor, type IfMatch } from '../route.ts';
import type { Services } from '../services.ts';

export interface RouteDeps {
  cmdb: Cmdb;
  tokens: TokenService;
  services: Services;
}

/**
 * If-Match bookkeeping is the engine's (engine/cis/service.ts): a stale version is refused before
 * anything is sent to the store, and a write landing in between fails there as 412 / 409.
 */
export function checkIfMatch(op: string, ifMatch: IfMatch | undefined, what: string, current: { version: number }): void {
  checkExpected(op, ifMatch, what, current.version);
}
export { guarded };

export function sendVersioned(res: Response, status: number, doc: { version: number }, headers: Record<string, string> = {}): void {
  res.status(status).setHeader('ETag', etag(doc.version));
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.json(doc);
}

/** The principal a record service acts for: the authenticated caller, never a body field. */
export function principalOf(actor: Actor): { name: string; role: Role } {
  return { name: actor.name, role: actor.role };
}

/** The write context of a graph write: the caller, and the change authorising it when `X-Change-Id` named one. */
export function writeContext(actor: Actor, changeId: string | undefined): { actor: string; changeId?: string } {
  return changeId === undefined ? { actor: actor.name } : { actor: actor.name, changeId };
}

/**
 * Record services take one expected version. `*` means "any existing one" (no check); a list of
 * several versions is refused on these routes rather than silently narrowed to one.
 */
export function singleVersion(op: string, ifMatch: IfMatch | undefined): number | undefined {
  if (!ifMatch || ifMatch.any) return undefined;
  if (ifMatch.versions.length > 1)
    throw new InputError(`${op}: If-Match must name one version on this route, not ${ifMatch.versions.length}`, [
      { in: 'header', path: ['if-match'], code: 'invalid_format', message: 'expected one ETag' },
    ]);
  return ifMatch.versions[0];
}

export function locationOf(collection: string, id: string): string {
  return `/api/v1/${collection}/${encodeURIComponent(id)}`;
}
