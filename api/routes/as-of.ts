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
