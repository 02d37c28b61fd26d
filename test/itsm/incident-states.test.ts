/**
 * The incident lifecycle a service desk relies on, move by move: every pair of states is either a
 * move the desk may make or one it is refused, with a message naming the allowed next states.
 */
import { describe, expect, it } from 'vitest';
import { canTransition, checkTransition } from '../../engine/incidents/states.ts';
import type { IncidentState } from '../../engine/incidents/model.ts';

const STATES: IncidentState[] = ['new', 'assigned', 'in_progress', 'on_hold', 'resolved', 'closed'];

/** The moves of docs/itsm.md, written out: anything not listed here is refused. */
const ALLOWED: [IncidentState, IncidentState][] = [
  ['new', 'assigned'],
  ['new', 'in_progress'],
  ['new', 'on_hold'],
  ['new', 'resolved'],
  ['assigned', 'in_progress'],
  ['assigned', 'on_hold'],
  ['assigned', 'resolved'],
  ['in_progress', 'assigned'],
  ['in_progress', 'on_hold'],
  ['in_progress', 'resolved'],
  ['on_hold', 'assigned'],
  ['on_hold', 'in_progress'],
  ['on_hold', 'resolved'],
  ['resolved', 'closed'],
  ['resolved', 'in_progress'],
  ['resolved', 'assigned'],
];

describe('incident state machine', () => {
  for (const from of STATES) {
    for (const to of STATES) {
      const allowed = ALLOWED.some(([f, t]) => f === from && t === to);
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
        if (allowed) expect(() => checkTransition('INC-000001', from, to)).not.toThrow();
        else expect(() => checkTransition('INC-000001', from, to)).toThrow(/cannot go from/);
      });
    }
  }

  it('names the incident, both states and the allowed next states when it refuses', () => {
    let caught: unknown;
    try {
      checkTransition('INC-000042', 'assigned', 'closed');
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({
      code: 'conflict',
      message: 'incident transition: INC-000042 cannot go from assigned to closed (allowed: in_progress, on_hold, resolved)',
      details: { id: 'INC-000042', from: 'assigned', to: 'closed', allowed: ['in_progress', 'on_hold', 'resolved'] },
    });
  });

  it('says a closed incident is final instead of listing nothing', () => {
    expect(() => checkTransition('INC-000007', 'closed', 'in_progress')).toThrow(
      'incident transition: INC-000007 cannot go from closed to in_progress (closed is final)',
    );
  });
});
