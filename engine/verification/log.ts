/**
 * The event log as an auditor reads it: its head (last seq and hash, quoted by reports), the
 * verification of the whole hash chain (pages of `eventsAfter`, checked by engine/audit's pure
 * `verifyChain`), and one entity's history.
 */
import type { GraphStore, ChangeEvent } from '../store/port.ts';
import { verifyChain, type ChainVerification, type HashableEvent } from '../audit/index.ts';

export interface LogHead {
  seq: number;
  /** Null for events written before the chain existed. */
  hash: string | null;
}

export async function logHead(store: GraphStore): Promise<LogHead | null> {
  const seq = await store.lastSeq();
  if (seq === 0) return null;
  const [last] = await store.eventsAfter(seq - 1, 1);
  return { seq, hash: (last as (ChangeEvent & { hash?: string }) | undefined)?.hash ?? null };
}

const PAGE = 10_000;

async function* pages(store: GraphStore): AsyncIterable<HashableEvent[]> {
  let after = 0;
  for (;;) {
    const page = await store.eventsAfter(after, PAGE);
    if (page.length === 0) return;
    yield page as unknown as HashableEvent[];
    after = page[page.length - 1]!.seq;
  }
}

export interface LogVerification extends ChainVerification {
  store: string;
  /** The store's last seq (more than headSeq when verification stopped early). */
  lastSeq: number;
}

export async function verifyLog(store: GraphStore): Promise<LogVerification> {
  const lastSeq = await store.lastSeq();
  const r = await verifyChain(pages(store));
  return { ...r, store: `${store.kind}:${store.location}`, lastSeq };
}

/** Every event of a CI or relationship id, oldest first (a CI id and a relationship id never collide: relationship ids contain `|` or are given). */
export async function entityHistory(store: GraphStore, id: string): Promise<ChangeEvent[]> {
  const [ci, rel] = await Promise.all([store.history('ci', id), store.history('relationship', id)]);
  return [...ci, ...rel].sort((a, b) => a.seq - b.seq);
}
