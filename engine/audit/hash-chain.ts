/**
 * Canonical JSON and the event hash chain (DESIGN.md "Status accounting"): each event's `hash` is
 * SHA-256 over the canonical JSON of the event (without its own `hash`) joined to the previous
 * event's hash, so altering, removing or reordering any event breaks every hash after it.
 *
 * Pure: the stores call `chainEvent` when they append and `verifyChain` reads pages of events;
 * neither needs a store here. Canonical JSON: object keys sorted by code unit, no whitespace,
 * `undefined` members dropped, arrays in order — one byte string per value whatever the store,
 * driver or key order it came back in.
 */
import { createHash } from 'node:crypto';

/** The hash before the first event: 64 zeros (a chain's anchor is public, not secret). */
export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not JSON`);
    return JSON.stringify(value) ?? 'null';
  }
  // Stryker disable next-line ConditionalExpression: equivalent: canonicalJson(undefined) answers 'null' too
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

export function sha256Hex(text: string): string {
  // Stryker disable next-line StringLiteral: equivalent: strings are hashed as UTF-8 by default
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What is hashed of an event: everything but its own `hash` and the previous hash. */
export interface HashableEvent {
  seq: number;
  hash?: string;
  prevHash?: string;
  [key: string]: unknown;
}

/** SHA-256 of `prevHash` + "\n" + canonical JSON of the event without `hash` / `prevHash`. */
export function eventHash(event: HashableEvent, prevHash: string): string {
  const { hash: _h, prevHash: _p, ...body } = event;
  return sha256Hex(`${prevHash}\n${canonicalJson(body)}`);
}

/** Returns the event with `prevHash` and `hash` set, chained to `prevHash`. */
export function chainEvent<E extends HashableEvent>(event: E, prevHash: string): E & { hash: string; prevHash: string } {
  return { ...event, prevHash, hash: eventHash(event, prevHash) };
}

export interface ChainVerification {
  ok: boolean;
  /** Events checked. */
  events: number;
  /** Last seq checked and its hash (what a report quotes). */
  headSeq: number;
  headHash: string;
  /** The first event that does not match, and why. */
  firstBad?: {
    seq: number;
    problem: 'hash_mismatch' | 'broken_link' | 'missing_hash' | 'seq_not_increasing';
    expected?: string;
    found?: string;
  };
}

/**
 * Checks events in seq order, a page at a time (a million-event log never sits in memory whole).
 * Stops at the first bad event: everything after it is unproven anyway.
 */
export async function verifyChain(pages: AsyncIterable<readonly HashableEvent[]>): Promise<ChainVerification> {
  let prev = GENESIS_HASH;
  let lastSeq = 0;
  let n = 0;
  for await (const page of pages) {
    for (const e of page) {
      n++;
      const bad = (
        problem: NonNullable<ChainVerification['firstBad']>['problem'],
        expected?: string,
        found?: string,
      ): ChainVerification => ({
        ok: false,
        events: n,
        headSeq: lastSeq,
        headHash: prev,
        firstBad: { seq: e.seq, problem, ...(expected !== undefined ? { expected } : {}), ...(found !== undefined ? { found } : {}) },
      });
      if (e.seq <= lastSeq) return bad('seq_not_increasing');
      if (typeof e.hash !== 'string') return bad('missing_hash');
      if (e.prevHash !== undefined && e.prevHash !== prev) return bad('broken_link', prev, e.prevHash);
      const expected = eventHash(e, prev);
      if (expected !== e.hash) return bad('hash_mismatch', expected, e.hash);
      prev = e.hash;
      lastSeq = e.seq;
    }
  }
  return { ok: true, events: n, headSeq: lastSeq, headHash: prev };
}
