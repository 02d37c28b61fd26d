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

  it('writes undefined array items and an undefined value as null, and refuses numbers JSON cannot hold', () => {
    expect(canonicalJson([1, undefined, 'a'])).toBe('[1,null,"a"]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ n: null, s: '', z: 0, f: false })).toBe('{"f":false,"n":null,"s":"","z":0}');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow('canonicalJson: NaN is not JSON');
    expect(() => canonicalJson([Infinity])).toThrow(TypeError);
  });

  it('gives the same text for the same value whatever the key order it was built in', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: 1 })).toBe(canonicalJson({ a: 1, b: [{ c: 2, d: 1 }] }));
  });
});

/** The plain recursive definition canonicalJson had before it was made faster: the text must not move. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not JSON`);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) parts.push(`${JSON.stringify(k)}:${reference(obj[k])}`);
  return `{${parts.join(',')}}`;
}

describe('canonical JSON is the text it always was (stored chains keep verifying)', () => {
  const awkward = [
    'plain',
    '',
    'quote " and backslash \\',
    'controls \u0000\u0001\n\t\u001f',
    'line separators \u2028\u2029',
    'accents é ü and an emoji 😀',
    'a lone surrogate \ud800 and \udfff',
    0,
    -0,
    1e21,
    0.1,
    -5,
    true,
    false,
    null,
    undefined,
    [],
    {},
    [undefined, 1, [2, [3]]],
    { '10': 'integer-like keys enumerate first in JS', '2': 'b', a: 'c', '': 'empty key', 'k"q': 1, é: 2, '\u0001': 3 },
    { nested: { z: { y: [{ b: 1, a: 2 }] } }, fn: () => 1, sym: Symbol('s'), gone: undefined },
  ];
  it.each(awkward.map((v) => [v]))('writes %j as the plain definition does', (v) => {
    expect(canonicalJson(v)).toBe(reference(v));
    expect(canonicalJson({ v, list: [v] })).toBe(reference({ v, list: [v] }));
  });

  it('keeps the hash of an event with awkward strings and keys that the earlier code computed', () => {
    const e = chainEvent(
      {
        seq: 1,
        at: '2026-01-01T00:00:00.000Z',
        actor: 'local:ana',
        op: 'create',
        entity: 'ci',
        id: 'db-1',
        before: null,
        after: {
          id: 'db-1',
          class: 'Database',
          name: 'Orders "main" DB\u2028é😀',
          attributes: { '10': 1, '2': [true, null, -0, 1e21, 0.5], port: 5432, ünïcode: 'x\\y\u0001' },
          tags: ['b', 'a'],
          version: 1,
        },
      },
      GENESIS_HASH,
    );
    // Computed with the implementation before this change (git show 3f09c50:engine/audit/hash-chain.ts).
    expect(e.hash).toBe('4b035f63beb961a439803f2a9f28b68fdbdadd0679dc65f6c6b7d0e7eade95a9');
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

  it('reports a broken link with the hash it expected and the one it found, and the head before the bad event', async () => {
    const events = chain(4);
    const r = await verifyChain(pages([events[0]!, events[1]!, events[3]!]));
    expect(r).toEqual({
      ok: false,
      events: 3,
      headSeq: 2,
      headHash: events[1]!.hash,
      firstBad: { seq: 4, problem: 'broken_link', expected: events[1]!.hash, found: events[2]!.hash },
    });
  });

  it('reports an altered event with the recomputed hash beside the stored one', async () => {
    const events = chain(2).map((e) => ({ ...e }));
    events[1]!.actor = 'mallory';
    const r = await verifyChain(pages(events));
    expect(r.firstBad).toEqual({
      seq: 2,
      problem: 'hash_mismatch',
      expected: chainEvent(events[1]!, events[0]!.hash!).hash,
      found: events[1]!.hash,
    });
    expect(r.firstBad!.expected).not.toBe(r.firstBad!.found);
  });

  it('refuses events whose seq does not increase (a replayed or reordered event)', async () => {
    const events = chain(3);
    const r = await verifyChain(pages([events[0]!, events[1]!, events[1]!]));
    expect(r).toEqual({ ok: false, events: 3, headSeq: 2, headHash: events[1]!.hash, firstBad: { seq: 2, problem: 'seq_not_increasing' } });
    expect((await verifyChain(pages([events[0]!], [events[0]!]))).firstBad).toMatchObject({ seq: 1, problem: 'seq_not_increasing' });
    expect(Object.keys(r.firstBad!)).toEqual(['seq', 'problem']);
  });

  it('accepts events stored without prevHash when their hash chains to the previous one', async () => {
    const bare = chain(3).map(({ prevHash: _p, ...e }) => e);
    expect(await verifyChain(pages(bare))).toMatchObject({ ok: true, events: 3, headSeq: 3 });
  });

  it('answers an empty log as intact at the genesis hash', async () => {
    expect(await verifyChain(pages())).toEqual({ ok: true, events: 0, headSeq: 0, headHash: GENESIS_HASH });
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('chains the first event to the genesis hash: SHA-256 of the previous hash, a newline and the canonical event', async () => {
    const { createHash } = await import('node:crypto');
    const e = chainEvent({ seq: 1, actor: 'a' }, GENESIS_HASH);
    expect(e.prevHash).toBe(GENESIS_HASH);
    expect(e.hash).toBe(createHash('sha256').update(`${GENESIS_HASH}\n{"actor":"a","seq":1}`).digest('hex'));
  });
});
