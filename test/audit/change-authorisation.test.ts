/**
 * Which writes a change authorises (engine/audit/authorisation.ts), as the write path and the
 * auditor's unauthorised-change listing both rely on it: the change's state at write time, its
 * targets (a relationship is in scope by either end), and its transition history afterwards — a
 * change approved later never covers an earlier write, and one closed stops covering at its close.
 */
import { describe, expect, it } from 'vitest';
import {
  authorisingPeriods,
  checkChangeScope,
  unauthorisedEvents,
  type AuditEvent,
  type ChangeDoc,
  type GraphMutation,
} from '../../engine/audit/authorisation.ts';
import { ForbiddenError, SemanticError } from '../../engine/errors.ts';

const noEnds = () => undefined;
const change = (state: string, targets: string[] = ['app', 'db'], extra: Partial<ChangeDoc> = {}): ChangeDoc => ({
  id: 'CHG1',
  state,
  targets: targets.map((ci) => ({ ci })),
  ...extra,
});

/** The error `fn` throws (the test fails when it throws nothing). */
function thrown(fn: () => void): Error & { details?: unknown } {
  try {
    fn();
  } catch (err) {
    return err as Error & { details?: unknown };
  }
  throw new Error('expected a refusal, got none');
}

describe('a batch written under a change', () => {
  it('is allowed for every authorising state when each write touches a target', () => {
    const batch: GraphMutation[] = [
      { op: 'upsertCI', ci: { id: 'app' } },
      { op: 'deleteCI', id: 'db' },
      { op: 'upsertRelationship', relationship: { id: 'r1', from: 'other', to: 'db' } },
      { op: 'upsertRelationship', relationship: { id: 'r2', from: 'app', to: 'other' } },
      { op: 'deleteRelationship', id: 'r3' },
    ];
    const ends = (id: string) => (id === 'r3' ? { from: 'elsewhere', to: 'app' } : undefined);
    for (const state of ['approved', 'scheduled', 'in_progress'])
      expect(() => checkChangeScope('CHG1', change(state), batch, ends)).not.toThrow();
  });

  it('needs no change at all when it writes only records, not the graph', () => {
    expect(() => checkChangeScope('CHG-none', undefined, [{ op: 'putRecord' }, { op: 'deleteRecord' }], noEnds)).not.toThrow();
  });

  it('naming a change that does not exist is refused as bad input, naming the change', () => {
    const err = thrown(() => checkChangeScope('CHG9', undefined, [{ op: 'upsertCI', ci: { id: 'app' } }], noEnds));
    expect(err).toBeInstanceOf(SemanticError);
    expect(err.message).toBe('apply: change "CHG9" does not exist; the write is not authorised');
    expect(err.details).toEqual({ changeId: 'CHG9', reason: 'unknown_change' });
  });

  it('under a change that is not approved, scheduled or in progress is forbidden, naming its state', () => {
    for (const state of ['new', 'assessed', 'implemented', 'closed', 'cancelled']) {
      const err = thrown(() => checkChangeScope('CHG1', change(state), [{ op: 'upsertCI', ci: { id: 'app' } }], noEnds));
      expect(err).toBeInstanceOf(ForbiddenError);
      expect(err.message).toBe(`apply: change "CHG1" is ${state}; writes need it approved, scheduled or in progress`);
      expect(err.details).toEqual({ changeId: 'CHG1', state, reason: 'change_not_authorised' });
    }
  });

  it('touching a CI outside the targets is forbidden, naming the CI and the targets', () => {
    const batch: GraphMutation[] = [{ op: 'putRecord' }, { op: 'upsertCI', ci: { id: 'app' } }, { op: 'upsertCI', ci: { id: 'web' } }];
    const err = thrown(() => checkChangeScope('CHG1', change('approved'), batch, noEnds));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.message).toBe('apply: CI "web" is not in the scope of change "CHG1" (targets: app, db)');
    expect(err.details).toEqual({ changeId: 'CHG1', cis: ['web'], reason: 'out_of_scope' });
  });

  it('deleting a CI outside the targets is forbidden, naming the CI', () => {
    const err = thrown(() => checkChangeScope('CHG1', change('in_progress'), [{ op: 'deleteCI', id: 'web' }], noEnds));
    expect(err.message).toBe('apply: CI "web" is not in the scope of change "CHG1" (targets: app, db)');
  });

  it('writing a relationship with neither end targeted is forbidden, naming the relationship and both ends', () => {
    const err = thrown(() =>
      checkChangeScope(
        'CHG1',
        change('approved'),
        [{ op: 'upsertRelationship', relationship: { id: 'r1', from: 'web', to: 'lb' } }],
        noEnds,
      ),
    );
    expect(err.message).toBe('apply: relationship "r1" is not in the scope of change "CHG1" (targets: app, db)');
    expect(err.details).toEqual({ changeId: 'CHG1', cis: ['web', 'lb'], reason: 'out_of_scope' });
  });

  it('deleting a relationship is judged by its ends as the mirror knows them; an unknown one is out of scope', () => {
    const ends = (id: string) => (id === 'r1' ? { from: 'web', to: 'lb' } : undefined);
    const outside = thrown(() => checkChangeScope('CHG1', change('approved'), [{ op: 'deleteRelationship', id: 'r1' }], ends));
    expect(outside.message).toBe('apply: relationship "r1" is not in the scope of change "CHG1" (targets: app, db)');
    expect(outside.details).toEqual({ changeId: 'CHG1', cis: ['web', 'lb'], reason: 'out_of_scope' });
    const unknown = thrown(() => checkChangeScope('CHG1', change('approved'), [{ op: 'deleteRelationship', id: 'gone' }], ends));
    expect(unknown.details).toEqual({ changeId: 'CHG1', cis: [], reason: 'out_of_scope' });
  });

  it('lists at most ten targets in the refusal, and says "none" for a change without targets', () => {
    const many = change(
      'approved',
      Array.from({ length: 12 }, (_, i) => `t${i + 1}`),
    );
    expect(thrown(() => checkChangeScope('CHG1', many, [{ op: 'upsertCI', ci: { id: 'x' } }], noEnds)).message).toBe(
      'apply: CI "x" is not in the scope of change "CHG1" (targets: t1, t2, t3, t4, t5, t6, t7, t8, t9, t10)',
    );
    expect(thrown(() => checkChangeScope('CHG1', change('approved', []), [{ op: 'upsertCI', ci: { id: 'x' } }], noEnds)).message).toBe(
      'apply: CI "x" is not in the scope of change "CHG1" (targets: none)',
    );
  });
});

describe('the periods in which a change authorised writes', () => {
  it('open at the first authorising transition, close when it leaves them, and stay open while it is still in them', () => {
    const transitions = [
      { from: 'new', to: 'assessed', at: '2026-01-01T00:00:00Z' },
      { from: 'assessed', to: 'approved', at: '2026-01-02T00:00:00Z' },
      { from: 'approved', to: 'scheduled', at: '2026-01-03T00:00:00Z' },
      { from: 'scheduled', to: 'in_progress', at: '2026-01-04T00:00:00Z' },
      { from: 'in_progress', to: 'implemented', at: '2026-01-05T00:00:00Z' },
      { from: 'implemented', to: 'in_progress', at: '2026-01-06T00:00:00Z' },
    ];
    expect(authorisingPeriods(change('in_progress', [], { transitions }))).toEqual([
      { from: '2026-01-02T00:00:00Z', to: '2026-01-05T00:00:00Z' },
      { from: '2026-01-06T00:00:00Z', to: null },
    ]);
  });

  it('are none for a change that never reached approval, or has no history', () => {
    expect(authorisingPeriods(change('new', [], { transitions: [{ from: 'new', to: 'assessed', at: '2026-01-01T00:00:00Z' }] }))).toEqual(
      [],
    );
    expect(authorisingPeriods(change('approved'))).toEqual([]);
  });
});

describe('unauthorised events in the log', () => {
  const history: ChangeDoc = change('closed', ['app'], {
    transitions: [
      { from: 'assessed', to: 'approved', at: '2026-01-02T00:00:00Z' },
      { from: 'in_progress', to: 'closed', at: '2026-01-05T00:00:00Z' },
    ],
  });
  const changes = new Map([['CHG1', history]]);
  let seq = 0;
  const event = (at: string, extra: Partial<AuditEvent>): AuditEvent => ({
    seq: ++seq,
    at,
    actor: 'alice',
    op: 'update',
    entity: 'ci',
    id: 'app',
    before: null,
    after: null,
    ...extra,
  });

  it('lists a write carrying no change, with who, what and when', () => {
    const e = event('2026-01-03T00:00:00Z', {});
    expect(unauthorisedEvents([e], changes)).toEqual([
      {
        seq: e.seq,
        at: e.at,
        actor: 'alice',
        op: 'update',
        entity: 'ci',
        id: 'app',
        changeId: null,
        reason: 'no_change',
        message: 'update of ci "app" by alice carries no change',
      },
    ]);
  });

  it('lists a write naming a change that does not exist', () => {
    const [u] = unauthorisedEvents([event('2026-01-03T00:00:00Z', { changeId: 'CHG404' })], changes);
    expect(u).toMatchObject({ changeId: 'CHG404', reason: 'unknown_change' });
    expect(u!.message).toBe('update of ci "app" by alice names change "CHG404", which does not exist');
  });

  it('covers a write from the instant of approval up to, not including, the instant the change left the authorising states', () => {
    const at = (t: string) => unauthorisedEvents([event(t, { changeId: 'CHG1' })], changes);
    expect(at('2026-01-02T00:00:00Z')).toEqual([]);
    expect(at('2026-01-04T23:59:59Z')).toEqual([]);
    const before = at('2026-01-01T23:59:59Z');
    expect(before.map((u) => u.reason)).toEqual(['change_not_authorised']);
    expect(before[0]!.message).toBe(
      'update of ci "app" by alice under change "CHG1", which was not approved, scheduled or in progress then',
    );
    expect(at('2026-01-05T00:00:00Z').map((u) => u.reason)).toEqual(['change_not_authorised']);
  });

  it('covers a write in any of its periods when the change left the authorising states and came back', () => {
    const twice = new Map([
      [
        'CHG3',
        change('in_progress', ['app'], {
          id: 'CHG3',
          transitions: [
            { from: 'assessed', to: 'approved', at: '2026-01-02T00:00:00Z' },
            { from: 'in_progress', to: 'implemented', at: '2026-01-05T00:00:00Z' },
            { from: 'implemented', to: 'in_progress', at: '2026-01-07T00:00:00Z' },
          ],
        }),
      ],
    ]);
    const at = (t: string) => unauthorisedEvents([event(t, { changeId: 'CHG3' })], twice).map((u) => u.reason);
    expect(at('2026-01-03T00:00:00Z')).toEqual([]);
    expect(at('2026-01-08T00:00:00Z')).toEqual([]);
    expect(at('2026-01-06T00:00:00Z')).toEqual(['change_not_authorised']);
  });

  it('covers writes after approval while the change is still open, with no end', () => {
    const open = new Map([
      [
        'CHG2',
        change('approved', ['app'], { id: 'CHG2', transitions: [{ from: 'assessed', to: 'approved', at: '2026-01-02T00:00:00Z' }] }),
      ],
    ]);
    expect(unauthorisedEvents([event('2030-01-01T00:00:00Z', { changeId: 'CHG2' })], open)).toEqual([]);
  });

  it('judges a relationship event by either end, before or after, and lists one with no targeted end as out of scope', () => {
    const rel = (ends: { from: string; to: string } | null, before: unknown = null) =>
      event('2026-01-03T00:00:00Z', { entity: 'relationship', id: 'r1', op: 'create', changeId: 'CHG1', before, after: ends });
    expect(
      unauthorisedEvents([rel({ from: 'web', to: 'app' }), rel({ from: 'app', to: 'web' }), rel(null, { from: 'app', to: 'x' })], changes),
    ).toEqual([]);
    const out = unauthorisedEvents([rel({ from: 'web', to: 'lb' })], changes);
    expect(out.map((u) => [u.reason, u.message])).toEqual([
      ['out_of_scope', 'create of relationship "r1" by alice is outside the targets of change "CHG1"'],
    ]);
    expect(unauthorisedEvents([rel(null, null)], changes).map((u) => u.reason)).toEqual(['out_of_scope']);
  });

  it('lists a CI event outside the targets as out of scope', () => {
    expect(unauthorisedEvents([event('2026-01-03T00:00:00Z', { id: 'web', changeId: 'CHG1' })], changes).map((u) => u.reason)).toEqual([
      'out_of_scope',
    ]);
  });

  it('ignores record events (not graph writes), in any order of events', () => {
    expect(unauthorisedEvents([event('2026-01-03T00:00:00Z', { entity: 'record', id: 'audit_run/1' })], changes)).toEqual([]);
  });

  it('reads one change for many events (the periods are computed once and reused)', () => {
    const events = ['2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z', '2026-01-06T00:00:00Z'].map((t) => event(t, { changeId: 'CHG1' }));
    expect(unauthorisedEvents(events, changes).map((u) => u.at)).toEqual(['2026-01-01T00:00:00Z', '2026-01-06T00:00:00Z']);
  });
});
