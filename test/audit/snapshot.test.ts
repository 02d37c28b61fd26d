/**
 * Snapshots folded from events and the diff of two of them (engine/audit/snapshot.ts), without a
 * store: what counts as changed (client content, not system fields), how attributes are compared
 * (one by one, canonical JSON), and that added and removed ids are found whichever side is larger.
 */
import { describe, expect, it } from 'vitest';
import {
  applyToSnapshot,
  diffEntities,
  diffSnapshots,
  emptySnapshot,
  fieldChanges,
  snapshotHash,
  type Snapshot,
} from '../../engine/audit/snapshot.ts';
import type { CI } from '../../engine/model/ci.ts';
import type { Relationship } from '../../engine/model/relationship.ts';

const ci = (id: string, extra: Partial<CI> = {}): CI => ({
  id,
  class: 'Server',
  name: id,
  status: 'in_service',
  environment: 'production',
  criticality: 3,
  attributes: {},
  tags: [],
  redundancy: [],
  version: 1,
  createdAt: 't0',
  updatedAt: 't0',
  ...extra,
});
const rel = (from: string, to: string, extra: Partial<Relationship> = {}): Relationship => ({
  id: `${from}|DEPENDS_ON|${to}`,
  type: 'DEPENDS_ON',
  from,
  to,
  attributes: {},
  version: 1,
  createdAt: 't0',
  updatedAt: 't0',
  ...extra,
});
/** The content hash of the two-CI, two-relationship snapshot below, as every version since baselines existed computes it. */
const HASH = '8c0493728ad15e195ae45c9ed73795cb0ace81b6aa03677db1f832b2a5672c49';
const snap = (seq: number, cis: CI[], rels: Relationship[] = []): Snapshot => ({
  seq,
  cis: new Map(cis.map((c) => [c.id, c])),
  relationships: new Map(rels.map((r) => [r.id, r])),
});

describe('fieldChanges', () => {
  it('lists changed top-level fields and attributes one by one, in name order, ignoring version and timestamps', () => {
    const before = ci('a', { owner: 'x', attributes: { os: 'linux', cpu: 4, gone: 1 } });
    const after = ci('a', { owner: 'y', version: 5, createdAt: 't8', updatedAt: 't9', attributes: { os: 'linux', cpu: 8, added: [1, 2] } });
    expect(fieldChanges(before as never, after as never)).toEqual([
      { field: 'attributes.added', before: null, after: [1, 2] },
      { field: 'attributes.cpu', before: 4, after: 8 },
      { field: 'attributes.gone', before: 1, after: null },
      { field: 'owner', before: 'x', after: 'y' },
    ]);
  });
  it('compares values as canonical JSON: key order inside an object is no change, a value type is', () => {
    const before = ci('a', { attributes: { spec: { a: 1, b: 2 }, port: 443 } });
    const after = ci('a', { attributes: { spec: { b: 2, a: 1 }, port: '443' } });
    expect(fieldChanges(before as never, after as never)).toEqual([{ field: 'attributes.port', before: 443, after: '443' }]);
  });
  it('treats a missing attributes object as empty and a field present on one side only as a change', () => {
    const { attributes: _a, ...bare } = ci('a');
    expect(fieldChanges(bare, ci('a', { attributes: { x: 1 } }) as never)).toEqual([{ field: 'attributes.x', before: null, after: 1 }]);
    expect(fieldChanges(ci('a', { owner: 'o' }) as never, ci('a') as never)).toEqual([{ field: 'owner', before: 'o', after: null }]);
  });
});

describe('diffSnapshots', () => {
  it('reports added, removed and changed ids sorted, and nothing for a copied document with the same content', () => {
    const a = snap(1, [ci('c'), ci('a'), ci('b', { owner: 'o' }), ci('d')], [rel('a', 'b'), rel('b', 'c')]);
    const b = snap(
      4,
      [ci('z'), ci('b', { owner: 'p', version: 2 }), ci('a', { version: 3, updatedAt: 't5' }), ci('y'), ci('d', { attributes: {} })],
      [rel('b', 'c', { attributes: { w: 1 } }), rel('c', 'a')],
    );
    expect(diffSnapshots(a, b)).toEqual({
      from: { seq: 1 },
      to: { seq: 4 },
      cis: { added: ['y', 'z'], removed: ['c'], changed: [{ id: 'b', fields: [{ field: 'owner', before: 'o', after: 'p' }] }] },
      relationships: {
        added: ['c|DEPENDS_ON|a'],
        removed: ['a|DEPENDS_ON|b'],
        changed: [{ id: 'b|DEPENDS_ON|c', fields: [{ field: 'attributes.w', before: null, after: 1 }] }],
      },
    });
  });
  it('sorts ids whatever order the maps hold them in', () => {
    const ids = ['d', 'b', 'e', 'a', 'c'];
    const d = diffSnapshots(
      snap(
        1,
        ids.map((i) => ci(`old-${i}`)),
      ),
      snap(
        2,
        ids.map((i) => ci(`new-${i}`)),
      ),
    );
    expect(d.cis.added).toEqual(['new-a', 'new-b', 'new-c', 'new-d', 'new-e']);
    expect(d.cis.removed).toEqual(['old-a', 'old-b', 'old-c', 'old-d', 'old-e']);
  });
  it('finds an addition when as many ids were removed as added (same size, different ids)', () => {
    const d = diffSnapshots(snap(1, [ci('a'), ci('b')]), snap(2, [ci('a'), ci('c')]));
    expect(d.cis).toEqual({ added: ['c'], removed: ['b'], changed: [] });
  });
  it('is empty between a snapshot and itself, and between two maps sharing every document', () => {
    const a = snap(1, [ci('a'), ci('b')], [rel('a', 'b')]);
    const empty = { added: [], removed: [], changed: [] };
    expect(diffSnapshots(a, a)).toMatchObject({ cis: empty, relationships: empty });
    expect(diffSnapshots(a, { ...a, seq: 2, cis: new Map(a.cis) })).toMatchObject({ cis: empty, relationships: empty });
  });

  it('finds every kind of difference between copies that are not the same object, deep inside values too', () => {
    // Each pair differs in one way a tree comparison must notice; the copies are fresh objects.
    const pairs: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{ v: 1 }, { v: 2 }, 'attributes.v'], // scalar
      [{ v: 1 }, { v: '1' }, 'attributes.v'], // scalar type
      [{ v: { x: 1 } }, { v: 1 }, 'attributes.v'], // object against scalar
      [{ v: 1 }, { v: { x: 1 } }, 'attributes.v'], // scalar against object
      [{ v: null }, { v: {} }, 'attributes.v'], // null against object
      [{ v: {} }, { v: null }, 'attributes.v'], // object against null
      [{ v: 1 }, { v: {} }, 'attributes.v'], // scalar against an empty object
      [{ v: {} }, { v: 1 }, 'attributes.v'], // empty object against scalar
      [{ v: [1] }, { v: [1, 2] }, 'attributes.v'], // array grown
      [{ v: [1] }, { v: { 0: 1 } }, 'attributes.v'], // array against object
      [{ v: { 0: 1 } }, { v: [1] }, 'attributes.v'], // object against array
      [{ v: [1, 2] }, { v: [1] }, 'attributes.v'], // array length
      [{ v: [1, { y: [2] }] }, { v: [1, { y: [3] }] }, 'attributes.v'], // deep in an array
      [{ v: { x: { y: 1 } } }, { v: { x: { y: 1, z: 2 } } }, 'attributes.v'], // a key more, deep
      [{ v: { x: 1, y: 2 } }, { v: { x: 1 } }, 'attributes.v'], // a key fewer
      [{ v: { x: 1 } }, { v: { y: 1 } }, 'attributes.v'], // same count, other key
      [{ v: 1 }, {}, 'attributes.v'], // attribute removed
      [{}, { v: 1 }, 'attributes.v'], // attribute added
    ];
    for (const [x, y, field] of pairs) {
      const d = diffSnapshots(snap(1, [ci('a', { attributes: x })]), snap(2, [ci('a', { attributes: y })]));
      expect(d.cis.changed.map((c) => c.fields.map((f) => f.field))).toEqual([[field]]);
    }
    // A top-level field present on one side only, or with another value, with system fields differing too.
    const { owner: _o, ...noOwner } = ci('a', { owner: 'ops' });
    const d = diffSnapshots(snap(1, [ci('a', { owner: 'ops' }), ci('b')]), {
      seq: 2,
      cis: new Map<string, CI>([
        ['a', { ...noOwner, version: 2 } as CI],
        ['b', ci('b', { tags: ['x'], version: 3 })],
      ]),
      relationships: new Map(),
    });
    expect(d.cis.changed).toEqual([
      { id: 'a', fields: [{ field: 'owner', before: 'ops', after: null }] },
      { id: 'b', fields: [{ field: 'tags', before: [], after: ['x'] }] },
    ]);
  });

  it('compares one-field documents by content: every shape of difference is found, equal copies are not, a non-JSON number is refused', () => {
    // Bare documents, so no equal field before the one that differs can end the comparison early.
    const one = (v: unknown) => new Map([['e', { f: v }]]);
    const differ: [unknown, unknown][] = [
      [1, 2],
      ['a', 'b'],
      [true, false],
      [1, '1'],
      [1, {}],
      [{}, 1],
      [null, {}],
      [{}, null],
      [[1], { 0: 1 }],
      [{ 0: 1 }, [1]],
      [[], {}],
      [{}, []],
      [[1, 2], [1]],
      [[1], [1, 2]],
      [[2], [3]],
      [{ x: 1 }, { y: 1 }],
      [{ x: 1, y: 2 }, { x: 1 }],
      [{ x: 1 }, { x: 1, y: 2 }],
      [{ x: { y: 1 } }, { x: { y: 2 } }],
    ];
    for (const [x, y] of differ)
      expect(diffEntities(one(x), one(y))).toEqual({
        added: [],
        removed: [],
        changed: [{ id: 'e', fields: [{ field: 'f', before: x, after: y }] }],
      });
    for (const [x, y] of [
      [{ f: 1 }, {}],
      [{}, { f: 1 }],
      [{ f: 1 }, { g: 1 }],
    ] as const)
      expect(diffEntities(new Map([['e', x as object]]), new Map([['e', y as object]])).changed).toHaveLength(1);
    for (const v of [1, 'a', null, [1, [2]], { x: { y: [1] } }, {}])
      expect(diffEntities(one(v), one(JSON.parse(JSON.stringify(v)))).changed).toEqual([]);
    expect(() => diffEntities(one(Infinity), one(Infinity))).toThrow(/not JSON/);
  });

  it('keeps a baseline content hash stable across versions (it is stored and re-checked later)', () => {
    const s = snap(1, [ci('a', { attributes: { x: 1 } }), ci('b')], [rel('a', 'b'), rel('b', 'a')]);
    expect(snapshotHash(s)).toBe(HASH);
  });

  it('treats a copy whose only differences are system fields or key order as unchanged, and refuses a non-JSON number like canonical JSON does', () => {
    const a = ci('a', { attributes: { x: 1, y: [1, { z: 2 }] } });
    const copy = { ...ci('a', { attributes: { y: [1, { z: 2 }], x: 1 } }), version: 5, updatedAt: 't9' };
    expect(diffSnapshots(snap(1, [a]), snap(2, [copy])).cis.changed).toEqual([]);
    const inf = (v: number) => snap(1, [ci('a', { attributes: { v } })]);
    expect(() => diffSnapshots(inf(Infinity), inf(Infinity))).toThrow(/not JSON/);
  });
});

describe('applyToSnapshot and snapshotHash', () => {
  const events = [
    { seq: 1, at: 't1', entity: 'ci', id: 'a', after: ci('a') },
    { seq: 2, at: 't2', entity: 'ci', id: 'b', after: ci('b') },
    { seq: 3, at: 't3', entity: 'relationship', id: 'a|DEPENDS_ON|b', after: rel('a', 'b') },
    { seq: 4, at: 't4', entity: 'record', id: 'chg-1', after: { id: 'chg-1' } },
    { seq: 5, at: 't5', entity: 'ci', id: 'a', after: null },
    { seq: 6, at: 't6', entity: 'relationship', id: 'a|DEPENDS_ON|b', after: null },
  ];
  it('replays creates, updates and deletes up to a seq, and says when it met a later event', () => {
    const s = emptySnapshot();
    expect(applyToSnapshot(s, events, 4)).toBe(false);
    expect([s.seq, [...s.cis.keys()], [...s.relationships.keys()]]).toEqual([4, ['a', 'b'], ['a|DEPENDS_ON|b']]);
    expect(applyToSnapshot(s, events)).toBe(true);
    expect([s.seq, [...s.cis.keys()], [...s.relationships.keys()]]).toEqual([6, ['b'], []]);
  });
  it('skips events at or before the snapshot seq', () => {
    const s = emptySnapshot();
    applyToSnapshot(s, events, 2);
    s.cis.set('b', ci('b', { owner: 'kept' }));
    applyToSnapshot(s, events.slice(0, 3));
    expect(s.cis.get('b')!.owner).toBe('kept');
    expect(s.seq).toBe(3);
  });
  it('hashes client content only: system fields and map order do not change the hash, an attribute does', () => {
    const h = snapshotHash(snap(1, [ci('a'), ci('b')], [rel('a', 'b')]));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotHash(snap(9, [ci('b', { version: 7, updatedAt: 'x' }), ci('a')], [rel('a', 'b', { createdAt: 'y' })]))).toBe(h);
    expect(snapshotHash(snap(1, [ci('a'), ci('b', { attributes: { x: 1 } })], [rel('a', 'b')]))).not.toBe(h);
    expect(snapshotHash(snap(1, [ci('a'), ci('b')]))).not.toBe(h);
  });
});
