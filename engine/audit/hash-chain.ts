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
import * as crypto from 'node:crypto';

/** The hash before the first event: 64 zeros (a chain's anchor is public, not secret). */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * What JSON.stringify would escape in a string: a quote, a backslash, a control character or a
 * surrogate (a lone one is written as `\uXXXX`). Strings without any — nearly every id, name and
 * timestamp — are quoted as they are, which saves a JSON.stringify call per string and key.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * Every event of every write goes through here (the hash chain), so it builds one string per value
 * with `+=` rather than arrays of parts joined; the text is the same as ever (stored chains verify),
 * which test/audit/hash-chain.test.ts checks against the plain recursive definition.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not JSON`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v: unknown = value[i];
          // Stryker disable next-line ConditionalExpression: equivalent: canonicalJson(undefined) answers 'null' too
          out += v === undefined ? 'null' : canonicalJson(v);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        if (!first) out += ',';
        out += `${quote(k)}:${canonicalJson(v)}`;
        first = false;
      }
      return out + '}';
    }
    default:
      // undefined, a function or a symbol: what JSON.stringify writes for them in an array.
      return JSON.stringify(value) ?? 'null';
  }
}

/** Node ≥ 20.12's one-shot digest (no Hash object per call); the engines field allows 20.10. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  // Stryker disable next-line StringLiteral: equivalent: strings are hashed as UTF-8 by default
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
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
