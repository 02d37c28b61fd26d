/**
 * The change state machine of DESIGN.md, as data:
 *
 *   draft → submitted → assessed → cab_review → approved | rejected → scheduled → in_progress
 *     → implemented | failed | rolled_back → reviewed → closed
 *   cancelled from any state before in_progress.
 *
 * Two shortcuts past CAB, both from `assessed` straight to `approved` (decided in docs/changes.md):
 * a change whose risk level requires no approvals, and a standard (pre-approved) change whose level
 * is within the policy's `standardChange.skipCabUpTo`. A rejected change can go back to `draft` for
 * rework (its votes and assessment are cleared) or be cancelled.
 *
 * Guards that need data (quorum, freezes, completeness) live in the service; this module only says
 * which edges exist.
 */
import { ConflictError } from '../errors.ts';
import type { ChangeState } from './model.ts';

export const TRANSITIONS: Readonly<Record<ChangeState, readonly ChangeState[]>> = {
  draft: ['submitted', 'cancelled'],
  submitted: ['assessed', 'cancelled'],
  assessed: ['cab_review', 'approved', 'cancelled'],
  cab_review: ['approved', 'rejected', 'cancelled'],
  approved: ['scheduled', 'cancelled'],
  rejected: ['draft', 'cancelled'],
  scheduled: ['in_progress', 'cancelled'],
  in_progress: ['implemented', 'failed', 'rolled_back'],
  implemented: ['reviewed'],
  failed: ['reviewed'],
  rolled_back: ['reviewed'],
  reviewed: ['closed'],
  closed: [],
  cancelled: [],
};

/** States from which `cancelled` is reachable: everything before `in_progress`. */
export const CANCELLABLE: readonly ChangeState[] = (Object.keys(TRANSITIONS) as ChangeState[]).filter((s) =>
  TRANSITIONS[s].includes('cancelled'),
);

/** Implementation end states, each with the outcome it implies for the post-implementation review. */
export const IMPLEMENTATION_OUTCOME = { implemented: 'successful', failed: 'failed', rolled_back: 'rolled_back' } as const;

export function allowedNext(from: ChangeState): readonly ChangeState[] {
  return TRANSITIONS[from];
}

export function canTransition(from: ChangeState, to: ChangeState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Refuses an edge the machine does not have, naming the states that are allowed instead. */
export function checkTransition(id: string, from: ChangeState, to: ChangeState): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  const next = allowed.length === 0 ? `${from} is final` : `allowed: ${allowed.join(', ')}`;
  throw new ConflictError(`change transition: ${id} cannot go from ${from} to ${to} (${next})`, { id, from, to, allowed: [...allowed] });
}
