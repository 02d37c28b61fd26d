/** The change state machine: every edge DESIGN.md names, every other one refused with the allowed states. */
import { describe, expect, it } from 'vitest';
import { CANCELLABLE, TRANSITIONS, checkTransition } from '../../engine/changes/states.ts';
import { CHANGE_STATES, type ChangeState } from '../../engine/changes/model.ts';
import { ConflictError } from '../../engine/errors.ts';

describe('change state machine', () => {
  it('has the lifecycle of DESIGN.md', () => {
    const path: ChangeState[] = [
      'draft',
      'submitted',
      'assessed',
      'cab_review',
      'approved',
      'scheduled',
      'in_progress',
      'implemented',
      'reviewed',
      'closed',
    ];
    for (let i = 0; i + 1 < path.length; i++) expect(() => checkTransition('CHG-000001', path[i]!, path[i + 1]!)).not.toThrow();
    for (const end of ['implemented', 'failed', 'rolled_back'] as const) {
      expect(TRANSITIONS.in_progress).toContain(end);
      expect(TRANSITIONS[end]).toEqual(['reviewed']);
    }
    expect(TRANSITIONS.cab_review).toEqual(expect.arrayContaining(['approved', 'rejected']));
  });

  it('allows cancelled only from states before in_progress', () => {
    expect(CANCELLABLE).toEqual(['draft', 'submitted', 'assessed', 'cab_review', 'approved', 'rejected', 'scheduled']);
    for (const s of ['in_progress', 'implemented', 'failed', 'rolled_back', 'reviewed', 'closed', 'cancelled'] as const) {
      expect(() => checkTransition('CHG-000001', s, 'cancelled')).toThrow(ConflictError);
    }
  });

  it('refuses every transition not in the machine, listing the allowed next states', () => {
    let refused = 0;
    for (const from of CHANGE_STATES) {
      for (const to of CHANGE_STATES) {
        if (TRANSITIONS[from].includes(to)) continue;
        let err: unknown;
        try {
          checkTransition('CHG-000007', from, to);
        } catch (e) {
          err = e;
        }
        expect(err, `${from} → ${to}`).toBeInstanceOf(ConflictError);
        expect((err as ConflictError).details).toEqual({ id: 'CHG-000007', from, to, allowed: [...TRANSITIONS[from]] });
        refused++;
      }
    }
    // 14 × 14 pairs minus the 24 edges of the machine.
    expect(refused).toBe(14 * 14 - Object.values(TRANSITIONS).reduce((n, a) => n + a.length, 0));
  });

  it('names the allowed states in the message', () => {
    expect(() => checkTransition('CHG-000001', 'draft', 'approved')).toThrow(
      'change transition: CHG-000001 cannot go from draft to approved (allowed: submitted, cancelled)',
    );
    expect(() => checkTransition('CHG-000001', 'closed', 'draft')).toThrow('closed is final');
  });
});
