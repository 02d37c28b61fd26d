/**
 * The shared store replay (engine/store/replay.ts) on its own, against a MemoryState: the
 * semantics both adapters delegate to, and the event-log rebuild the audit's as-of reads use.
 * The adapters themselves are proven by the store contract suite.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, InputError, NotFoundError, SemanticError } from '../../engine/errors.ts';
import type { ChangeEvent, Mutation } from '../../engine/store/port.ts';
import { MemoryState, replay } from '../../engine/store/replay.ts';
import { ci, rel } from '../store-contract.ts';

const AT = '2026-12-03T08:00:00.000Z';

/** Replays a batch write-through into the state, as the adapters do. */
function run(state: MemoryState, batch: Mutation[], seq = 0, at = AT): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  for (const e of replay(batch, state, { actor: 'tester', seq, at })) {
    state.apply(e);
    events.push(e);
  }
  return events;
}

const a = ci({ id: 'a', class: 'Server', name: 'A' });
const b = ci({ id: 'b', class: 'Server', name: 'B' });
const ab = rel({ type: 'DEPENDS_ON', from: 'a', to: 'b' });

describe('store replay', () => {
  it('numbers events from the given sequence and stamps every version with the batch time', () => {
    const state = new MemoryState('all');
    const events = run(
      state,
      [
        { op: 'upsertCI', ci: a },
        { op: 'upsertCI', ci: b },
        { op: 'upsertRelationship', relationship: ab },
      ],
      41,
    );
    expect(events.map((e) => [e.seq, e.op, e.entity, e.id])).toEqual([
      [42, 'create', 'ci', 'a'],
      [43, 'create', 'ci', 'b'],
      [44, 'create', 'relationship', 'a|DEPENDS_ON|b'],
    ]);
    expect(state.getCI('a')).toMatchObject({ version: 1, createdAt: AT, updatedAt: AT });
    expect(events.every((e) => e.actor === 'tester' && e.at === AT && e.changeId === undefined)).toBe(true);
  });

  it('skips an upsert equal to the stored document and bumps the version of a real change, keeping createdAt', () => {
    const state = new MemoryState('all');
    run(state, [{ op: 'upsertCI', ci: a }]);
    const later = '2026-12-03T09:00:00.000Z';
    expect(run(state, [{ op: 'upsertCI', ci: { ...a, attributes: {} } }], 1, later)).toEqual([]);
    const [e] = run(state, [{ op: 'upsertCI', ci: { ...a, name: 'A2' } }], 1, later);
    expect(e).toMatchObject({
      seq: 2,
      op: 'update',
      before: { name: 'A', version: 1 },
      after: { name: 'A2', version: 2, createdAt: AT, updatedAt: later },
    });
  });

  it('lets a later mutation of the batch see an earlier one (endpoints created in the same batch)', () => {
    const state = new MemoryState('all');
    const events = run(state, [
      { op: 'upsertCI', ci: a },
      { op: 'upsertCI', ci: b },
      { op: 'upsertRelationship', relationship: ab },
      { op: 'upsertCI', ci: { ...a, name: 'again' } },
    ]);
    expect(events.map((e) => (e.after as { version: number }).version)).toEqual([1, 1, 1, 2]);
  });

  it('refuses a version mismatch, a missing endpoint, a missing delete target and a bad record kind with typed errors naming the mutation', () => {
    const state = new MemoryState('all');
    run(state, [{ op: 'upsertCI', ci: a }]);
    expect(() => run(state, [{ op: 'upsertCI', ci: a, expectedVersion: 0 }])).toThrow(ConflictError);
    expect(() => run(state, [{ op: 'upsertCI', ci: a, expectedVersion: 0 }])).toThrow(
      'apply: mutation 0 (upsertCI): CI "a" already exists (version 1)',
    );
    expect(() =>
      run(state, [
        { op: 'upsertCI', ci: b },
        { op: 'upsertCI', ci: a, expectedVersion: 3 },
      ]),
    ).toThrow('apply: mutation 1 (upsertCI): CI "a" is at version 1, not 3');
    expect(() => run(state, [{ op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'a', to: 'c' }) }])).toThrow(
      SemanticError,
    );
    expect(() => run(state, [{ op: 'deleteCI', id: 'nope' }])).toThrow(NotFoundError);
    expect(() => run(state, [{ op: 'putRecord', kind: 'Bad-Kind', id: 'x', doc: {} }])).toThrow(InputError);
  });

  it('refuses to delete a CI that still has a relationship, and allows it once the relationship is deleted earlier in the batch', () => {
    const state = new MemoryState('all');
    run(state, [
      { op: 'upsertCI', ci: a },
      { op: 'upsertCI', ci: b },
      { op: 'upsertRelationship', relationship: ab },
    ]);
    expect(() => run(state, [{ op: 'deleteCI', id: 'b' }], 3)).toThrow('CI "b" still has relationships (e.g. "a|DEPENDS_ON|b")');
    const events = run(
      state,
      [
        { op: 'deleteRelationship', id: ab.id },
        { op: 'deleteCI', id: 'b' },
      ],
      3,
    );
    expect(events.map((e) => [e.op, e.id])).toEqual([
      ['delete', 'a|DEPENDS_ON|b'],
      ['delete', 'b'],
    ]);
    expect(state.hasCI('b')).toBe(false);
  });

  it('answers attachments only for the CIs it was asked to watch', () => {
    const state = new MemoryState(['b']);
    state.loadCI({ ...a, version: 1, createdAt: AT, updatedAt: AT });
    state.loadCI({ ...b, version: 1, createdAt: AT, updatedAt: AT });
    state.loadRelationship({ ...ab, version: 1, createdAt: AT, updatedAt: AT });
    expect(state.attachedRelationship('b')).toBe(ab.id);
    expect(() => state.attachedRelationship('a')).toThrow('not indexed');
  });

  it('rebuilds the same state from the event log as the replay produced (the as-of read)', () => {
    const live = new MemoryState('all');
    const log = [
      ...run(live, [
        { op: 'upsertCI', ci: a },
        { op: 'upsertCI', ci: b },
        { op: 'upsertRelationship', relationship: ab },
        { op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 't' } },
      ]),
      ...run(
        live,
        [
          { op: 'deleteRelationship', id: ab.id },
          { op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'u' } },
        ],
        4,
      ),
    ];
    const rebuilt = new MemoryState('all');
    for (const e of log) rebuilt.apply(e);
    expect([...rebuilt.cis.entries()]).toEqual([...live.cis.entries()]);
    expect([...rebuilt.relationships.entries()]).toEqual([]);
    expect(rebuilt.getRecord('change', 'CHG-1')).toMatchObject({ version: 2, doc: { title: 'u' } });
    // As of seq 4: the relationship still existed and the record was at version 1.
    const asOf = new MemoryState('all');
    for (const e of log.filter((x) => x.seq <= 4)) asOf.apply(e);
    expect(asOf.getRelationship(ab.id)?.version).toBe(1);
    expect(asOf.getRecord('change', 'CHG-1')?.doc).toEqual({ title: 't' });
  });
});
