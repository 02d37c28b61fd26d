/** JSON Merge Patch (RFC 7396) — the examples of the RFC's appendix, and what a client can smuggle. */
import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../engine/model/merge-patch.ts';

describe('mergePatch (RFC 7396)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('patches %j with %j into %j, as the RFC says', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('leaves its arguments untouched', () => {
    const target = { a: { b: 1 } };
    const patch = { a: { b: null, c: 2 } };
    mergePatch(target, patch);
    expect(target).toEqual({ a: { b: 1 } });
    expect(patch).toEqual({ a: { b: null, c: 2 } });
  });

  it('keeps a "__proto__" key from client JSON as a plain key, never as a prototype', () => {
    const patch = JSON.parse('{"attributes": {"__proto__": {"polluted": true}}}') as unknown;
    const out = mergePatch({ attributes: { ip: '1' } }, patch) as { attributes: Record<string, unknown> };
    expect(Object.getPrototypeOf(out.attributes)).toBe(Object.prototype);
    expect(Object.keys(out.attributes)).toEqual(['ip', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((out.attributes as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
