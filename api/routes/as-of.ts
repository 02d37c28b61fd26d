/**
 * `asOf` on read routes: the one place that turns a parsed `asOf` into the past graph the engine
 * rebuilt (Cmdb.asOf: a throwaway snapshot, mirror and impact index, never the live mirror) and
 * that guards it. Reading the past shows deleted CIs and earlier values — the event history — so it
 * needs `history:read` on top of the route's own permission (docs/decisions.md).
 */
import type { Cmdb } from '../../engine/cmdb.ts';
import { ForbiddenError } from '../../engine/errors.ts';
import type { AsOf, AsOfPoint, PastGraph } from '../../engine/verification/past-graphs.ts';
import { can } from '../permissions.ts';
import { errorResponse as err } from '../schemas.ts';
import type { Actor } from '../route.ts';

export async function pastGraph(cmdb: Cmdb, actor: Actor, op: string, asOf: AsOf): Promise<PastGraph> {
  if (!can(actor.role, 'history:read'))
    throw new ForbiddenError(`${op}: role "${actor.role}" does not have permission "history:read", which asOf needs`, {
      role: actor.role,
      permission: 'history:read',
    });
  return cmdb.asOf(asOf);
}

/** The `asOf` field of an answer. */
export function asOfField(past: PastGraph): { asOf: AsOfPoint } {
  return { asOf: { ...past.point } };
}

/**
 * The error rows every route taking `asOf` shares: `invalid` names what else the route refuses
 * with 400, `missing` what it answers 404 for besides a point before the first event.
 */
export function asOfErrors(invalid: string, missing?: string) {
  return {
    400: err(`${invalid}, or asOf in the future`),
    403: err('asOf without history:read'),
    404: err(missing === undefined ? 'asOf before the first event' : `${missing} (then), or asOf before the first event`),
  };
}
