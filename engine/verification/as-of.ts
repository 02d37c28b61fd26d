/**
 * Reading the past from the event log: snapshots of the whole graph at given sequence numbers
 * (one pass over the log, however many seqs are asked), a mirror graph as of a seq for the impact
 * engine ("what would this outage have taken down last Tuesday"), and a timestamp turned into the
 * seq in force at that time. Creates, updates and deletes replay exactly as recorded.
 */
import { Mirror } from '../mirror/mirror.ts';
import type { GraphStore, ChangeEvent } from '../store/port.ts';
import { InputError } from '../errors.ts';
import { applyToSnapshot, emptySnapshot, type Snapshot } from '../audit/snapshot.ts';
import { lastEventAtOrBefore } from './past-graphs.ts';

const PAGE = 10_000;

async function* eventPages(store: GraphStore, upTo: number): AsyncIterable<ChangeEvent[]> {
  let after = 0;
  while (after < upTo) {
    const page = await store.eventsAfter(after, PAGE);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.seq;
  }
}

function copy(s: Snapshot): Snapshot {
  // Documents are replaced, never mutated, by the replay: sharing them between copies is safe.
  return { seq: s.seq, cis: new Map(s.cis), relationships: new Map(s.relationships) };
}

/** The graph at each of `seqs` (in the order given), from one pass over the log. */
export async function snapshotsAt(store: GraphStore, seqs: readonly number[]): Promise<Snapshot[]> {
  const last = await store.lastSeq();
  for (const seq of seqs) {
    if (!Number.isInteger(seq) || seq < 0) throw new InputError(`asOf: seq ${seq} must be a non-negative integer`);
    if (seq > last) throw new InputError(`asOf: seq ${seq} is in the future (the log ends at ${last})`, { seq, last });
  }
  const order = [...new Set(seqs)].sort((a, b) => a - b);
  const taken = new Map<number, Snapshot>();
  const s = emptySnapshot();
  let next = 0;
  const take = () => {
    while (next < order.length && s.seq >= order[next]!) taken.set(order[next++]!, next === order.length ? s : copy(s));
  };
  const max = order.at(-1) ?? 0;
  for await (const page of eventPages(store, max)) {
    for (const e of page) {
      // Take every asked seq that lies before this event, then apply it.
      while (next < order.length && e.seq > order[next]!) {
        const at = order[next++]!;
        taken.set(at, next === order.length ? s : copy(s));
      }
      if (next === order.length) break;
      applyToSnapshot(s, [e]);
    }
    if (next === order.length) break;
  }
  take();
  // A seq past the last graph event (e.g. a record write) sees the graph as it then stood.
  while (next < order.length) taken.set(order[next++]!, s);
  return seqs.map((q) => ({ ...taken.get(q)!, seq: q }));
}

/** A mirror graph as of `seq` (fed the same events the live mirror was), for impact questions. */
export async function mirrorAt(store: GraphStore, seq: number): Promise<Mirror> {
  const last = await store.lastSeq();
  if (seq > last) throw new InputError(`asOf: seq ${seq} is in the future (the log ends at ${last})`, { seq, last });
  const mirror = new Mirror();
  for await (const page of eventPages(store, seq)) {
    const upTo = page.filter((e) => e.seq <= seq);
    mirror.applyEvents(upTo);
    if (upTo.length < page.length) break;
  }
  mirror.seq = seq;
  return mirror;
}

/** The seq in force at `at`: the last event at or before it (0 before the first event), by binary search (past-graphs.ts). */
export async function seqAtTime(store: GraphStore, at: string): Promise<number> {
  const t = Date.parse(at);
  if (Number.isNaN(t)) throw new InputError(`asOf: "${at}" is neither a seq nor an ISO timestamp`);
  const last = await store.lastSeq();
  const first = last === 0 ? undefined : (await store.eventsAfter(0, 1))[0];
  if (!first || Date.parse(first.at) > t) return 0;
  return (await lastEventAtOrBefore(store, t, first.seq, last)).seq;
}

/** `asOf` as users give it: a seq (digits) or an ISO timestamp. */
export async function resolveAsOf(store: GraphStore, asOf: string | number): Promise<number> {
  if (typeof asOf === 'number') return asOf;
  return /^\d+$/.test(asOf) ? Number(asOf) : seqAtTime(store, asOf);
}
