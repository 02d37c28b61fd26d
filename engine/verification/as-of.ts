/**
 * `asOf` as the CLI and the audit run take it (a seq, digits, or an ISO timestamp) turned into a
 * seq, where a time before the first event means seq 0 (the empty graph) rather than an error.
 * The graph at a seq itself has one owner: PastGraphs (past-graphs.ts, via Cmdb.asOf / snapshotAt).
 */
import type { GraphStore } from '../store/port.ts';
import { InputError } from '../errors.ts';
import { lastEventAtOrBefore } from './past-graphs.ts';

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
