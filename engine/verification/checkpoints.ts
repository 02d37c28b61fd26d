/**
 * Replay checkpoints: the full CI and relationship documents at a baseline's seq, stored beside the
 * graph (GraphStore.putCheckpoint) so an as-of read at or after that seq replays only the events
 * after it instead of the whole log. A checkpoint is a cache of what the log already says, so it
 * lives outside the log; the log vouches for it instead: the baseline's creation event (a
 * hash-chained event) records the checkpoint's SHA-256, size and seq, and a checkpoint whose bytes,
 * seq or vouching event do not agree is refused — the caller then replays from further back, so a
 * tampered checkpoint can cost time but never change an answer (docs/decisions.md).
 *
 * Form: one canonical-order JSON document `{ format, seq, cis, relationships }`, gzip'd (level 1:
 * creation stays cheap; inflating is as fast at any level) and cut into parts of at most 4 MiB, so
 * neither store ever holds one huge value. The hash covers the compressed bytes, parts in order.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import type { ChangeEvent, GraphStore, StoredRecord } from '../store/port.ts';
import type { Snapshot } from '../audit/snapshot.ts';
import { eventHash, type HashableEvent } from '../audit/hash-chain.ts';

/** The record kind of baselines (engine/verification/baselines.ts): a checkpoint is named after its baseline. */
export const BASELINE = 'baseline';

const FORMAT = 1;
const PART_BYTES = 4 * 1024 * 1024;

/** What a baseline records of its checkpoint: enough to refuse one that is not the one written. */
export interface CheckpointMeta {
  format: number;
  seq: number;
  /** SHA-256 (hex) of the compressed bytes, parts in order. */
  sha256: string;
  bytes: number;
  parts: number;
}

export function encodeCheckpoint(s: Snapshot): { meta: CheckpointMeta; parts: Uint8Array[] } {
  const json = JSON.stringify({ format: FORMAT, seq: s.seq, cis: [...s.cis.values()], relationships: [...s.relationships.values()] });
  const zipped = gzipSync(json, { level: 1 });
  const parts: Uint8Array[] = [];
  for (let at = 0; at < zipped.length || parts.length === 0; at += PART_BYTES) parts.push(zipped.subarray(at, at + PART_BYTES));
  return {
    meta: {
      format: FORMAT,
      seq: s.seq,
      sha256: createHash('sha256').update(zipped).digest('hex'),
      bytes: zipped.length,
      parts: parts.length,
    },
    parts,
  };
}

/** A checkpoint that was found and verified, or why none could be used. */
export type CheckpointLoad = { ok: true; snapshot: Snapshot } | { ok: false; reason: string };

/**
 * The baselines that carry a checkpoint at or before `upTo`, newest first (names and seqs as the
 * records say: only a candidate list — `loadCheckpoint` trusts the log, not the record).
 */
export async function checkpointCandidates(store: GraphStore, upTo: number): Promise<{ name: string; seq: number }[]> {
  const out: { name: string; seq: number }[] = [];
  let after: string | undefined;
  for (;;) {
    const page: StoredRecord[] = await store.listRecords(BASELINE, { ...(after !== undefined ? { after } : {}), limit: 500 });
    for (const r of page) {
      const cp = (r.doc as { checkpoint?: CheckpointMeta }).checkpoint;
      if (cp && Number.isSafeInteger(cp.seq) && cp.seq <= upTo) out.push({ name: r.id, seq: cp.seq });
    }
    if (page.length < 500) break;
    after = page[page.length - 1]!.id;
  }
  return out.sort((a, b) => b.seq - a.seq);
}

/**
 * The checkpoint of baseline `name`, verified: its metadata is read from the baseline's creation
 * event (checked against its own chain hash and the next event's link), then the stored bytes
 * must have that hash, size and seq and decode to a graph at that seq.
 */
export async function loadCheckpoint(store: GraphStore, name: string): Promise<CheckpointLoad> {
  const created = (await store.history(BASELINE, name, { limit: 1 }))[0];
  if (!created || created.op !== 'create') return { ok: false, reason: `baseline "${name}" has no creation event` };
  const chained = await vouched(store, created);
  if (chained !== true) return { ok: false, reason: chained };
  const meta = ((created.after as StoredRecord | null)?.doc as { checkpoint?: CheckpointMeta } | undefined)?.checkpoint;
  if (!meta || meta.format !== FORMAT) return { ok: false, reason: `baseline "${name}"'s creation event records no checkpoint` };
  const stored = await store.getCheckpoint(name);
  if (!stored) return { ok: false, reason: `checkpoint "${name}" is missing from the store` };
  if (stored.seq !== meta.seq || stored.parts.length !== meta.parts)
    return {
      ok: false,
      reason: `checkpoint "${name}" is at seq ${stored.seq} in ${stored.parts.length} parts; the log says seq ${meta.seq} in ${meta.parts}`,
    };
  const hash = createHash('sha256');
  let bytes = 0;
  for (const p of stored.parts) {
    hash.update(p);
    bytes += p.byteLength;
  }
  if (bytes !== meta.bytes || hash.digest('hex') !== meta.sha256)
    return { ok: false, reason: `checkpoint "${name}" does not match the hash its baseline's creation event recorded` };
  try {
    const doc = JSON.parse(gunzipSync(Buffer.concat(stored.parts)).toString('utf8')) as {
      format: number;
      seq: number;
      cis: CI[];
      relationships: Relationship[];
    };
    if (doc.format !== FORMAT || doc.seq !== meta.seq) return { ok: false, reason: `checkpoint "${name}" names seq ${doc.seq}` };
    return {
      ok: true,
      snapshot: {
        seq: doc.seq,
        cis: new Map(doc.cis.map((c) => [c.id, c])),
        relationships: new Map(doc.relationships.map((r) => [r.id, r])),
      },
    };
  } catch (err) {
    return { ok: false, reason: `checkpoint "${name}" cannot be decoded: ${(err as Error).message}` };
  }
}

/**
 * Whether the event is what the chain says it is: its hash is its content's, and the event after it
 * links to that hash. The whole chain is `cmdb log verify`'s job; this catches an edited event.
 */
async function vouched(store: GraphStore, e: ChangeEvent): Promise<true | string> {
  if (e.hash === undefined || e.prevHash === undefined) return `event ${e.seq} predates the hash chain`;
  if (eventHash(e as unknown as HashableEvent, e.prevHash) !== e.hash) return `event ${e.seq} does not match its own hash`;
  const next = (await store.eventsAfter(e.seq, 1))[0];
  if (next && next.prevHash !== e.hash) return `event ${next.seq} does not link to event ${e.seq}`;
  return true;
}
