/**
 * As-of reads ("what would this outage have taken down last Tuesday"): the graph as it stood at a
 * past seq, rebuilt from the event log into a throwaway snapshot (full documents), a throwaway
 * mirror and, on the first graph question, its own impact index — the live mirror and its index
 * are never touched. One `PastGraphs` belongs to each `Cmdb`; it keeps the last few rebuilt graphs
 * (bounded, least recently used out) because a reviewer pages and asks several questions of one
 * past state, and a later seq starts from the nearest kept graph before it instead of from seq 0.
 * The past never changes (the log is append-only and hash-chained), so nothing here is invalidated.
 *
 * A point in time is a seq or an ISO timestamp; a timestamp means the last event at or before it.
 * A point after the log's end is a client error (InputError, 400); a point before the first event
 * names a state the CMDB never had (NotFoundError, 404) — docs/decisions.md.
 */
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import type { Registry } from '../model/registry.ts';
import { Mirror } from '../mirror/mirror.ts';
import { buildImpactIndex, type ImpactIndex } from '../impact/index.ts';
import { applyToSnapshot, emptySnapshot, type Snapshot } from '../audit/snapshot.ts';
import type { ChangeEvent, GraphStore } from '../store/port.ts';
import { InputError, NotFoundError } from '../errors.ts';

/** A point in the past as a user names it. */
export type AsOf = { seq: number } | { at: string };

/** The point an answer was computed at: the seq and the time of the event at that seq. */
export interface AsOfPoint {
  seq: number;
  at: string;
}

const PAGE = 10_000;

/** The graph at one past seq; read-only by contract (it may be shared by concurrent requests). */
export class PastGraph {
  private index: ImpactIndex | undefined;

  constructor(
    readonly point: AsOfPoint,
    /** Full documents, as a store read would have returned them then. */
    readonly snapshot: Snapshot,
    /** Topology and algorithm attributes, as the live mirror held them then. */
    readonly mirror: Mirror,
    private readonly registry: Registry,
  ) {}

  get seq(): number {
    return this.point.seq;
  }

  ci(id: string): CI | undefined {
    return this.snapshot.cis.get(id);
  }

  relationship(id: string): Relationship | undefined {
    return this.snapshot.relationships.get(id);
  }

  /** Built on the first graph question only: a CI or relationship read needs none. */
  impactIndex(): ImpactIndex {
    this.index ??= buildImpactIndex(this.mirror.graph, this.registry, this.point.seq);
    return this.index;
  }
}

export interface PastGraphsOptions {
  /** Rebuilt graphs kept (default 2): each holds the whole graph at its seq, so keep few. */
  capacity?: number;
  /** The clock a timestamp in the future is judged by. */
  now?: () => number;
}

export class PastGraphs {
  /** seq → the graph at it (a promise, so concurrent requests for one seq share one rebuild); insertion order is recency. */
  private readonly kept = new Map<number, Promise<PastGraph>>();
  /** Rebuilds finished, by seq: the starting points for a later seq. */
  private readonly done = new Map<number, PastGraph>();
  private readonly capacity: number;
  private readonly now: () => number;
  /** Counters for tests and metrics: how many graphs were rebuilt, how many events replayed. */
  readonly stats = { rebuilds: 0, eventsReplayed: 0, hits: 0 };

  constructor(
    private readonly store: GraphStore,
    private readonly registry: Registry,
    options: PastGraphsOptions = {},
  ) {
    this.capacity = Math.max(1, options.capacity ?? 2);
    this.now = options.now ?? Date.now;
  }

  /** The seq and time `asOf` names; refuses the future (400) and the time before the first event (404). */
  async resolve(asOf: AsOf): Promise<AsOfPoint> {
    const last = await this.store.lastSeq();
    const first = last === 0 ? undefined : await eventAt(this.store, 1);
    if ('seq' in asOf) {
      const { seq } = asOf;
      if (!Number.isSafeInteger(seq) || seq < 0) throw new InputError(`asOf: seq ${seq} must be a non-negative integer`, { asOf: seq });
      if (seq > last) throw new InputError(`asOf: seq ${seq} is in the future (the log ends at seq ${last})`, { asOf: seq, last });
      if (first === undefined || seq < first.seq)
        throw new NotFoundError(`asOf: nothing was recorded at or before seq ${seq} (the log starts at seq ${first?.seq ?? 1})`, {
          asOf: seq,
          first: first?.seq ?? null,
        });
      const e = seq === first.seq ? first : await eventAt(this.store, seq);
      return { seq, at: e!.at };
    }
    const t = Date.parse(asOf.at);
    if (Number.isNaN(t)) throw new InputError(`asOf: "${asOf.at}" is neither a seq nor an ISO timestamp`, { asOf: asOf.at });
    if (t > this.now()) throw new InputError(`asOf: ${asOf.at} is in the future`, { asOf: asOf.at });
    if (first === undefined || Date.parse(first.at) > t)
      throw new NotFoundError(
        `asOf: nothing was recorded at or before ${asOf.at} (${first ? `the first event is seq ${first.seq} at ${first.at}` : 'the log is empty'})`,
        { asOf: asOf.at, first: first ? { seq: first.seq, at: first.at } : null },
      );
    const e = await lastEventAtOrBefore(this.store, t, first.seq, last);
    return { seq: e.seq, at: e.at };
  }

  /** The graph as `asOf` names it, rebuilt once and kept while it is among the last `capacity` asked. */
  async graph(asOf: AsOf): Promise<PastGraph> {
    const point = await this.resolve(asOf);
    const kept = this.kept.get(point.seq);
    if (kept) {
      this.stats.hits += 1;
      this.kept.delete(point.seq);
      this.kept.set(point.seq, kept);
      return kept;
    }
    const building = this.rebuild(point);
    this.kept.set(point.seq, building);
    building.then(
      (g) => {
        if (this.kept.get(point.seq) === building) this.done.set(point.seq, g);
      },
      () => {
        if (this.kept.get(point.seq) === building) this.kept.delete(point.seq);
      },
    );
    while (this.kept.size > this.capacity) {
      const oldest = this.kept.keys().next().value!;
      this.kept.delete(oldest);
      this.done.delete(oldest);
    }
    return building;
  }

  private async rebuild(point: AsOfPoint): Promise<PastGraph> {
    this.stats.rebuilds += 1;
    // Start from the nearest graph already rebuilt at or before this seq: paging forward through
    // the past replays only the events in between.
    let start: PastGraph | undefined;
    for (const g of this.done.values()) if (g.seq <= point.seq && (!start || g.seq > start.seq)) start = g;
    const snap: Snapshot = start
      ? { seq: start.seq, cis: new Map(start.snapshot.cis), relationships: new Map(start.snapshot.relationships) }
      : emptySnapshot();
    let after = snap.seq;
    while (after < point.seq) {
      const page: ChangeEvent[] = await this.store.eventsAfter(after, Math.min(PAGE, point.seq - after));
      if (page.length === 0) break;
      applyToSnapshot(snap, page, point.seq);
      this.stats.eventsReplayed += page.length;
      after = page[page.length - 1]!.seq;
    }
    snap.seq = point.seq;
    return new PastGraph(point, snap, mirrorOf(snap), this.registry);
  }
}

/**
 * A mirror holding exactly the snapshot's graph: the same attributes the live mirror derives from
 * the same documents (the mirror's own `attrs`), so algorithms see what they saw then.
 */
export function mirrorOf(snap: Snapshot): Mirror {
  const mirror = new Mirror();
  const g = mirror.graph;
  for (const [id, ci] of snap.cis) g.addNode(id, mirror.attrs.node(ci));
  for (const [id, r] of snap.relationships) g.addEdgeWithKey(id, r.from, r.to, mirror.attrs.edge(r));
  mirror.seq = snap.seq;
  return mirror;
}

async function eventAt(store: GraphStore, seq: number): Promise<ChangeEvent | undefined> {
  return (await store.eventsAfter(seq - 1, 1))[0];
}

/**
 * The last event whose time is at or before `t`, by binary search over seq: each store stamps `at`
 * under its write lock, so times never decrease along the log. Needs an event at `lo` at or before `t`.
 */
export async function lastEventAtOrBefore(store: GraphStore, t: number, lo: number, hi: number): Promise<ChangeEvent> {
  let best = (await eventAt(store, lo))!;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    const e = await eventAt(store, mid);
    if (e && Date.parse(e.at) <= t) {
      best = e;
      lo = e.seq;
      if (e.seq >= hi) break;
    } else hi = mid - 1;
  }
  return best;
}
