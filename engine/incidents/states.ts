/**
 * The incident state machine, as data:
 *
 *   new → assigned → in_progress → on_hold → resolved → closed
 *
 * with the moves a service desk needs: work can start without a separate assignment step, go on
 * and off hold, be handed back to the queue (`assigned`), and be resolved from any open state.
 * Reopen: `resolved → in_progress | assigned` (counted in `reopenCount`). `closed` is final — a
 * closed incident's recurrence is a new incident (linked to the same problem), which keeps SLA
 * and availability history immutable after closure.
 */
import { ConflictError } from '../errors.ts';
import type { IncidentState } from './model.ts';

export const TRANSITIONS: Readonly<Record<IncidentState, readonly IncidentState[]>> = {
  new: ['assigned', 'in_progress', 'on_hold', 'resolved'],
  assigned: ['in_progress', 'on_hold', 'resolved'],
  in_progress: ['assigned', 'on_hold', 'resolved'],
  on_hold: ['assigned', 'in_progress', 'resolved'],
  resolved: ['closed', 'in_progress', 'assigned'],
  closed: [],
};

export function canTransition(from: IncidentState, to: IncidentState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function checkTransition(id: string, from: IncidentState, to: IncidentState): void {
  if (canTransition(from, to)) return;
  const allowed = TRANSITIONS[from];
  const next = allowed.length === 0 ? `${from} is final` : `allowed: ${allowed.join(', ')}`;
  throw new ConflictError(`incident transition: ${id} cannot go from ${from} to ${to} (${next})`, { id, from, to, allowed: [...allowed] });
}
