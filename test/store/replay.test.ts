/**
 * The shared store replay (engine/store/replay.ts) on its own, against a MemoryState: the
 * semantics both adapters delegate to, and the event-log rebuild the audit's as-of reads use.
 * The adapters themselves are proven by the store contract suite.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, InputError, NotFoundError, SemanticError } from '../../engine/errors.ts';
import type { ChangeEvent, Mutation } from '../../engine/store/port.ts';
import { GENESIS_HASH, verifyChain, type HashableEvent } from '../../engine/audit/hash-chain.ts';
import { MemoryState, replay, type ReplayContext } from '../../engine/store/replay.ts';
import { ci, rel } from '../store-contract.ts';

const AT = '2026-12-03T08:00:00.000Z';

/** Replays a batch write-through into the state, as the adapters do. */
function run(state: MemoryState, batch: Mutation[], seq = 0, at = AT, extra: Partial<ReplayContext> = {}): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  for (const e of replay(batch, state, { actor: 'tester', seq, at, ...extra })) {
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

  it('chains every event to the one before it when the store keeps a hash chain, and adds no hash fields when it does not', async () => {
    const state = new MemoryState('all');
    const first = run(state, [{ op: 'upsertCI', ci: a }], 0, AT, { prevHash: GENESIS_HASH });
    const more = run(
      state,
      [
        { op: 'upsertCI', ci: b },
        { op: 'upsertRelationship', relationship: ab },
      ],
      1,
      AT,
      { prevHash: first[0]!.hash! },
    );
    const log = [...first, ...more];
    expect(log.map((e) => e.prevHash)).toEqual([GENESIS_HASH, log[0]!.hash, log[1]!.hash]);
    expect(new Set(log.map((e) => e.hash)).size).toBe(3);
    expect(
      await verifyChain(
        (async function* () {
          yield log as unknown as HashableEvent[];
        })(),
      ),
    ).toMatchObject({ ok: true, events: 3, headHash: log[2]!.hash });
    const plain = run(new MemoryState('all'), [{ op: 'upsertCI', ci: a }]);
    expect(plain[0]).not.toHaveProperty('hash');
    expect(plain[0]).not.toHaveProperty('prevHash');
  });

  it('records the change that authorised the batch on every event', () => {
    const events = run(
      new MemoryState('all'),
      [
        { op: 'upsertCI', ci: a },
        { op: 'putRecord', kind: 'note', id: 'n', doc: { x: 1 } },
      ],
      0,
      AT,
      {
        changeId: 'CHG-000007',
      },
    );
    expect(events.map((e) => e.changeId)).toEqual(['CHG-000007', 'CHG-000007']);
  });

  it('reports progress at the first mutation, every 5,000 after it, and at the end', () => {
    const seen: [number, number][] = [];
    const batch: Mutation[] = Array.from({ length: 10_001 }, (_, i) => ({ op: 'putRecord', kind: 'note', id: `n${i}`, doc: {} }));
    run(new MemoryState('all'), batch, 0, AT, { onMutation: (i, t) => seen.push([i, t]) });
    expect(seen).toEqual([
      [0, 10_001],
      [5000, 10_001],
      [10_000, 10_001],
      [10_001, 10_001],
    ]);
  });

  it('says "not found" when a version is expected of something that does not exist, with the versions in the details', () => {
    const state = new MemoryState('all');
    let err: unknown;
    try {
      run(state, [{ op: 'upsertCI', ci: a, expectedVersion: 2 }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({
      message: 'apply: mutation 0 (upsertCI): CI "a" not found (expected version 2)',
      details: { id: 'a', expectedVersion: 2, actualVersion: 0 },
    });
    run(state, [{ op: 'upsertCI', ci: a }]);
    expect(run(state, [{ op: 'upsertCI', ci: { ...a, name: 'A2' }, expectedVersion: 1 }], 1)).toHaveLength(1);
    expect(() => run(state, [{ op: 'deleteCI', id: 'a', expectedVersion: 1 }], 2)).toThrow('CI "a" is at version 2, not 1');
    expect(state.hasCI('a')).toBe(true);
  });

  it('updates a relationship whose attributes change, skips an identical one, and names the missing end', () => {
    const state = new MemoryState('all');
    run(state, [
      { op: 'upsertCI', ci: a },
      { op: 'upsertCI', ci: b },
      { op: 'upsertRelationship', relationship: ab },
    ]);
    expect(run(state, [{ op: 'upsertRelationship', relationship: ab }], 3)).toEqual([]);
    const changed = rel({ type: 'DEPENDS_ON', from: 'a', to: 'b', attributes: { port: 5432 } });
    const [e] = run(state, [{ op: 'upsertRelationship', relationship: changed, expectedVersion: 1 }], 3);
    expect(e).toMatchObject({
      op: 'update',
      entity: 'relationship',
      before: { version: 1 },
      after: { version: 2, attributes: { port: 5432 } },
    });
    expect(() => run(state, [{ op: 'upsertRelationship', relationship: ab, expectedVersion: 1 }], 4)).toThrow(ConflictError);
    const missingFrom = rel({ type: 'DEPENDS_ON', from: 'x', to: 'b' });
    expect(() => run(state, [{ op: 'upsertRelationship', relationship: missingFrom }], 4)).toThrow(
      expect.objectContaining({
        message: 'apply: mutation 0 (upsertRelationship): relationship "x|DEPENDS_ON|b" references missing CI "x"',
        details: { id: 'x|DEPENDS_ON|b', path: ['from'], value: 'x' },
      }),
    );
    const missingTo = rel({ type: 'DEPENDS_ON', from: 'a', to: 'y' });
    expect(() => run(state, [{ op: 'upsertRelationship', relationship: missingTo }], 4)).toThrow(
      expect.objectContaining({ details: { id: 'a|DEPENDS_ON|y', path: ['to'], value: 'y' } }),
    );
    expect(() => run(state, [{ op: 'deleteRelationship', id: 'nope' }], 4)).toThrow(
      new NotFoundError('apply: mutation 0 (deleteRelationship): relationship "nope" not found', { id: 'nope' }),
    );
    expect(() => run(state, [{ op: 'deleteRelationship', id: ab.id, expectedVersion: 1 }], 4)).toThrow('is at version 2, not 1');
    expect(state.getRelationship(ab.id)?.version).toBe(2);
  });

  it('writes records: an equal document in another key order is no change, deletes check existence and version', () => {
    const state = new MemoryState('all');
    const [created] = run(state, [{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { b: 1, a: 2 } }]);
    expect(created).toMatchObject({
      op: 'create',
      entity: 'change',
      id: 'CHG-1',
      before: null,
      after: { kind: 'change', version: 1, doc: { a: 2, b: 1 } },
    });
    expect(run(state, [{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { a: 2, b: 1 } }], 1)).toEqual([]);
    expect(() => run(state, [{ op: 'deleteRecord', kind: 'change', id: 'CHG-2' }], 1)).toThrow(
      new NotFoundError('apply: mutation 0 (deleteRecord): change "CHG-2" not found', { kind: 'change', id: 'CHG-2' }),
    );
    expect(() => run(state, [{ op: 'deleteRecord', kind: 'change', id: 'CHG-1', expectedVersion: 2 }], 1)).toThrow(
      'change "CHG-1" is at version 1, not 2',
    );
    expect(() => run(state, [{ op: 'deleteRecord', kind: 'Change', id: 'CHG-1' }], 1)).toThrow(InputError);
    const [deleted] = run(state, [{ op: 'deleteRecord', kind: 'change', id: 'CHG-1', expectedVersion: 1 }], 1);
    expect(deleted).toMatchObject({ seq: 2, op: 'delete', entity: 'change', before: { version: 1 }, after: null });
    expect(state.getRecord('change', 'CHG-1')).toBeUndefined();
  });

  it('refuses the graph entity names as record kinds, so records never pass for CIs or relationships in the log', () => {
    for (const kind of ['ci', 'relationship', '', '1abc']) {
      expect(() => run(new MemoryState('all'), [{ op: 'putRecord', kind, id: 'x', doc: {} }])).toThrow(
        `apply: mutation 0 (putRecord): "${kind}" is not a valid record kind (lower_snake, not ci or relationship)`,
      );
    }
    expect(run(new MemoryState('all'), [{ op: 'putRecord', kind: 'sla_timer2', id: 'x', doc: {} }])).toHaveLength(1);
  });

  it("keeps a watched CI's attachments current as its relationships are replaced and deleted", () => {
    const state = new MemoryState(['b']);
    state.loadCI({ ...a, version: 1, createdAt: AT, updatedAt: AT });
    state.loadCI({ ...b, version: 1, createdAt: AT, updatedAt: AT });
    state.loadRelationship({ ...ab, version: 1, createdAt: AT, updatedAt: AT });
    run(state, [{ op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'a', to: 'b', attributes: { x: 1 } }) }], 1);
    expect(() => run(state, [{ op: 'deleteCI', id: 'b' }], 2)).toThrow(SemanticError);
    run(state, [{ op: 'deleteRelationship', id: ab.id }], 2);
    expect(state.attachedRelationship('b')).toBeUndefined();
    expect(run(state, [{ op: 'deleteCI', id: 'b' }], 3).map((e) => [e.op, e.id])).toEqual([['delete', 'b']]);
  });

  it('names the missing CI and the relationship that still holds a CI in the errors and their details', () => {
    const state = new MemoryState('all');
    run(state, [
      { op: 'upsertCI', ci: a },
      { op: 'upsertCI', ci: b },
      { op: 'upsertRelationship', relationship: ab },
    ]);
    expect(() => run(state, [{ op: 'deleteCI', id: 'nope' }], 3)).toThrow(
      new NotFoundError('apply: mutation 0 (deleteCI): CI "nope" not found', { id: 'nope' }),
    );
    expect(() => run(state, [{ op: 'deleteCI', id: 'a' }], 3)).toThrow(
      expect.objectContaining({ details: { id: 'a', relationship: 'a|DEPENDS_ON|b' } }),
    );
    expect(() => run(state, [{ op: 'upsertRelationship', relationship: ab, expectedVersion: 0 }], 3)).toThrow(
      'apply: mutation 0 (upsertRelationship): relationship "a|DEPENDS_ON|b" already exists (version 1)',
    );
    expect(() => run(state, [{ op: 'deleteRelationship', id: ab.id, expectedVersion: 2 }], 3)).toThrow(
      'apply: mutation 0 (deleteRelationship): relationship "a|DEPENDS_ON|b" is at version 1, not 2',
    );
  });

  it('deletes a CI that never had a relationship when every CI is watched', () => {
    const state = new MemoryState('all');
    run(state, [{ op: 'upsertCI', ci: a }]);
    expect(run(state, [{ op: 'deleteCI', id: 'a' }], 1).map((e) => [e.op, e.id])).toEqual([['delete', 'a']]);
  });

  it('marks an updated record as an update and leaves changeId off events written without a change', () => {
    const state = new MemoryState();
    const [created] = run(state, [{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 't' } }]);
    const [updated] = run(state, [{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'u' } }], 1);
    expect([created!.op, updated!.op]).toEqual(['create', 'update']);
    expect('changeId' in updated!).toBe(false);
  });

  it('replays a write against a record loaded from the store (the Neo4j adapter reads records first)', () => {
    const state = new MemoryState();
    state.loadRecord({ kind: 'change', id: 'CHG-1', version: 4, createdAt: AT, updatedAt: AT, doc: { title: 't' } });
    expect(() => run(state, [{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: {}, expectedVersion: 3 }], 9)).toThrow(ConflictError);
    const [e] = run(state, [{ op: 'putRecord', kind: 'change', id: 'CHG-1', doc: { title: 'u' }, expectedVersion: 4 }], 9);
    expect(e).toMatchObject({ op: 'update', after: { version: 5, createdAt: AT, doc: { title: 'u' } } });
  });

  it('refuses a record kind that is not a string, with the field in the error details', () => {
    for (const kind of [undefined, 42]) {
      expect(() => run(new MemoryState(), [{ op: 'putRecord', kind: kind as never, id: 'x', doc: {} }])).toThrow(InputError);
    }
    expect(() => run(new MemoryState(), [{ op: 'deleteRecord', kind: 'Bad', id: 'x' }])).toThrow(
      expect.objectContaining({ details: [{ path: ['kind'], code: 'invalid_format', message: 'invalid record kind' }] }),
    );
  });

  it('refuses a mutation whose op it does not know with an InputError naming its index, after the events of the mutations before it', () => {
    const state = new MemoryState('all');
    const events: ChangeEvent[] = [];
    const batch = [{ op: 'upsertCI', ci: a }, { op: 'upsertCi', ci: b }, 'Stryker was here'] as unknown as Mutation[];
    expect(() => {
      for (const e of replay(batch, state, { actor: 'tester', seq: 0, at: AT })) events.push(e);
    }).toThrow(
      new InputError('apply: mutation 1: unknown op "upsertCi"', [
        { path: [1, 'op'], code: 'invalid_value', message: 'unknown mutation op' },
      ]),
    );
    // The first mutation's event was yielded before the refusal; the adapter's transaction drops it.
    expect(events.map((e) => e.id)).toEqual(['a']);
    expect(() => run(new MemoryState(), [batch[2]!])).toThrow(
      expect.objectContaining({
        message: 'apply: mutation 0: unknown op undefined',
        details: [{ path: [0, 'op'], code: 'invalid_value', message: 'unknown mutation op' }],
      }),
    );
  });
});
