/**
 * `GET /readyz`: is this instance fit to take traffic? A load balancer needs only the status
 * (200 `ready`, 503 while draining or when the store is unreachable), so that is all an anonymous
 * caller gets. An authenticated caller (a valid token, or everyone under --no-auth) also gets the
 * store kind, the mirror's size and `seq`, and the log follower's view: the store's `seq` at the
 * last poll and how many events the mirror is behind — what an operator checks when several
 * instances share one store. No answer carries the store's file path or Bolt URL.
 */
import type { RequestHandler } from 'express';
import type { Cmdb } from '../engine/cmdb.ts';
import { CmdbError, StoreUnavailableError } from '../engine/errors.ts';

export class ShuttingDownError extends CmdbError {
  constructor(message: string) {
    super('store_unavailable', message, { reason: 'shutting_down' });
  }
}

export interface ReadyzDeps {
  cmdb: Cmdb;
  lifecycle: { draining: boolean };
}

/** Mount after `authenticate`: `res.locals.actor` says whether the caller may see the details. */
export function readyz({ cmdb, lifecycle }: ReadyzDeps): RequestHandler {
  return async (_req, res) => {
    res.locals.route = '/readyz';
    const detailed = res.locals.actor !== undefined;
    if (lifecycle.draining) throw new ShuttingDownError('readyz: shutting down');
    const up = await cmdb.store.ping();
    const g = cmdb.mirror.graph;
    const follower = cmdb.followStatus();
    const details = {
      store: { kind: cmdb.store.kind, up },
      mirror: { hydrated: true, seq: cmdb.seq, cis: g.order, relationships: g.size },
      log: follower
        ? {
            following: true,
            storeSeq: follower.storeSeq,
            lag: follower.lag,
            lastPollAgoMs: follower.lastPollAgoMs,
            intervalMs: follower.intervalMs,
            lastError: follower.lastError === null ? null : 'the last poll of the event log failed',
          }
        : { following: false },
    };
    if (!up)
      throw new StoreUnavailableError(
        'readyz: the store is not reachable; reads answer from the mirror, writes are refused',
        detailed ? details : undefined,
      );
    res.json(detailed ? { status: 'ready', ...details } : { status: 'ready' });
  };
}
