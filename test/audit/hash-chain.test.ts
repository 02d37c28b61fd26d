/** Canonical JSON and the hash chain, store-free: what the stores and `cmdb log verify` rely on. */
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainEvent, GENESIS_HASH, verifyChain, type HashableEvent } from '../../engine/audit/index.ts';

async function* pages<T>(...ps: T[][]) {
  for (const p of ps) yield p;
}

function chain(n: number): HashableEvent[] {
  const out: HashableEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = chainEvent(
      {
        seq,
        at: `2026-01-0${seq}T00:00:00Z`,
        actor: 'a',
        op: 'create',
        entity: 'ci',
        id: `c${seq}`,
        before: null,
        after: { id: `c${seq}`, attributes: { b: 1, a: [1, { y: 2, x: 1 }] } },
      },
      prev,
    );
    out.push(e);
    prev = e.hash;
  }
  return out;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined members and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: undefined, b: null } })).toBe('{"a":{"b":null,"d":[3,1]},"b":1}');
    expect(canonicalJson({ x: 'é"\n' })).toBe('{"x":"é\\"\\n"}');
  });
});

describe('hash chain', () => {
  it('verifies an intact chain read in any page sizes and quotes its head', async () => {
    const events = chain(5);
    const r = await verifyChain(pages(events.slice(0, 2), events.slice(2)));
    expect(r).toEqual({ ok: true, events: 5, headSeq: 5, headHash: events[4]!.hash });
  });
  it('names the first altered event, whichever field changed, even with its own hash recomputed', async () => {
    const events = chain(5);
    const altered = events.map((e) => ({ ...e }));
    (altered[2]!.after as { attributes: { b: number } }).attributes = { b: 2 } as never;
    const r = await verifyChain(pages(altered));
    expect(r).toMatchObject({ ok: false, headSeq: 2, firstBad: { seq: 3, problem: 'hash_mismatch' } });

    const rehashed = events.map((e) => ({ ...e }));
    rehashed[1] = chainEvent({ ...rehashed[1]!, actor: 'mallory' }, rehashed[0]!.hash!);
    expect((await verifyChain(pages(rehashed))).firstBad).toMatchObject({ seq: 3, problem: 'broken_link' });
  });
  it('detects a deleted event and an event without a hash', async () => {
    const events = chain(4);
    expect((await verifyChain(pages([events[0]!, events[2]!, events[3]!]))).firstBad).toMatchObject({ seq: 3, problem: 'broken_link' });
    const { hash: _h, ...bare } = events[0]!;
    expect((await verifyChain(pages([bare]))).firstBad).toMatchObject({ seq: 1, problem: 'missing_hash' });
  });
});
