/** What the route modules share: their dependencies and the If-Match / version bookkeeping. */
import type { Response } from 'express';
import type { Cmdb } from '../../engine/cmdb.ts';
import { ConflictError } from '../../engine/errors.ts';
import type { TokenService } from '../../engine/auth/tokens.ts';
import { PreconditionFailedError } from '../http-errors.ts';
import { etag, type IfMatch } from '../route.ts';
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

export function locationOf(collection: string, id: string): string {
  return `/api/v1/${collection}/${encodeURIComponent(id)}`;
}
