/**
 * The id-ordered lists that keyset paging reads (engine/queries/sorted-ids.ts) are kept by the
 * mirror they describe: reused between writes, rebuilt after one, never shared between mirrors.
 */
import { describe, expect, it } from 'vitest';
import { Mirror } from '../../engine/mirror/mirror.ts';
import type { ChangeEvent } from '../../engine/store/port.ts';
import { firstAfter, sortedEdgeIds, sortedNodeIds } from '../../engine/queries/sorted-ids.ts';
import { ci, rel } from '../store-contract.ts';

function event(seq: number, entity: 'ci' | 'relationship', id: string, after: unknown): ChangeEvent {
  return { seq, at: '2024-01-01T00:00:00Z', actor: 't', op: after ? 'upsert' : 'delete', entity, id, before: null, after } as ChangeEvent;
}

function mirrorOf(ids: string[]): Mirror {
  const m = new Mirror();
  m.applyEvents(ids.map((id, i) => event(i + 1, 'ci', id, ci({ id, class: 'Server', name: id }))));
  return m;
}

describe('sorted ids', () => {
  it('lists node ids in id order whatever the insertion order, and reuses the list until the graph changes', () => {
    const m = mirrorOf(['c', 'a', 'b']);
    const first = sortedNodeIds(m);
    expect(first).toEqual(['a', 'b', 'c']);
    expect(sortedNodeIds(m)).toBe(first);
    m.applyEvents([event(4, 'ci', 'aa', ci({ id: 'aa', class: 'Server', name: 'aa' }))]);
    expect(sortedNodeIds(m)).toEqual(['a', 'aa', 'b', 'c']);
    m.applyEvents([event(5, 'ci', 'b', null)]);
    expect(sortedNodeIds(m)).toEqual(['a', 'aa', 'c']);
  });

  it('keeps node and edge lists apart and rebuilds the edge list after a relationship write', () => {
    const m = mirrorOf(['a', 'b', 'c']);
    const r1 = rel({ type: 'DEPENDS_ON', from: 'c', to: 'a' });
    const r2 = rel({ type: 'DEPENDS_ON', from: 'a', to: 'b' });
    m.applyEvents([event(4, 'relationship', r1.id, r1)]);
    expect(sortedEdgeIds(m)).toEqual([r1.id]);
    expect(sortedNodeIds(m)).toEqual(['a', 'b', 'c']);
    m.applyEvents([event(5, 'relationship', r2.id, r2)]);
    expect(sortedEdgeIds(m)).toEqual([r2.id, r1.id].sort());
  });

  it('never answers one mirror with the list of another', () => {
    const a = mirrorOf(['x', 'y']);
    const b = mirrorOf(['p']);
    // Same revision on both: a cache keyed by revision alone would mix them up.
    expect(a.revision).toBe(b.revision);
    expect(sortedNodeIds(a)).toEqual(['x', 'y']);
    expect(sortedNodeIds(b)).toEqual(['p']);
  });

  it('finds the first id after a cursor by binary search', () => {
    const ids = ['a', 'aa', 'b', 'c'];
    expect(firstAfter(ids, undefined)).toBe(0);
    expect(firstAfter(ids, 'a')).toBe(1);
    expect(firstAfter(ids, 'ab')).toBe(2);
    expect(firstAfter(ids, 'c')).toBe(4);
    expect(firstAfter(ids, '0')).toBe(0);
  });
});
