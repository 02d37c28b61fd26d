/**
 * As-of reads ("what would this outage have taken down last Tuesday"): the one owner of "the graph
 * at seq N". It is rebuilt from the event log into a throwaway snapshot (full documents), a
 * throwaway mirror (built on the first graph question only) and, on the first impact question, its
 * own impact index — the live mirror and its index are never touched. One `PastGraphs` belongs to
 * each `Cmdb`; it keeps the last few rebuilt graphs (bounded, least recently used out) because a
 * reviewer pages and asks several questions of one past state. A rebuild starts from the nearest
 * point at or before its seq that it can trust: a kept graph, or the newest baseline checkpoint
 * whose bytes the hash-chained log vouches for (checkpoints.ts), else seq 0 — and replays only the
 * events after it. The past never changes (the log is append-only and hash-chained), so nothing
 * here is invalidated.
 *
 * A point in time is a seq or an ISO timestamp; a timestamp means the last event at or before it.
 * A point after the log's end is a client error (InputError, 400); a point before the first event
 * names a state the CMDB never had (NotFoundError, 404) — docs/decisions.md.
 */
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import type { Registry } from '../model/registry.ts';
import { Mirror } from '../mirror/mirror.ts';
import { useDictionaryAdjacency } from '../mirror/dictionary-adjacency.ts';
import { buildImpactIndex, type ImpactIndex } from '../impact/index.ts';
import { applyToSnapshot, emptySnapshot, type Snapshot } from '../audit/snapshot.ts';
import type { ChangeEvent, GraphStore } from '../store/port.ts';
import { InputError, NotFoundError } from '../errors.ts';
import { checkpointCandidates, loadCheckpoint } from './checkpoints.ts';

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
  private built: Mirror | undefined;

  constructor(
    readonly point: AsOfPoint,
    /** Full documents, as a store read would have returned them then. */
    readonly snapshot: Snapshot,
    private readonly registry: Registry,
  ) {}

  /** Topology and algorithm attributes, as the live mirror held them then; built on first use (a document read needs none). */
  get mirror(): Mirror {
    this.built ??= mirrorOf(this.snapshot);
    return this.built;
  }

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
  /**
   * Counters for tests and metrics: graphs rebuilt, events replayed, cache hits, rebuilds started
   * from a baseline checkpoint, and checkpoints refused (their bytes or vouching event did not agree).
   */
  readonly stats = { rebuilds: 0, eventsReplayed: 0, hits: 0, checkpointsUsed: 0, checkpointsRefused: 0 };
  /** Why the last checkpoint was refused (logs, tests). */
  lastRefusal: string | undefined;

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
    return this.at(await this.resolve(asOf));
  }

  /**
   * The full documents at `seq` (baselines, diffs): seq 0 is the empty graph, any other seq is
   * resolved and rebuilt like an as-of read (and kept like one).
   */
  async snapshotAt(seq: number): Promise<Snapshot> {
    if (seq === 0) return emptySnapshot();
    return (await this.graph({ seq })).snapshot;
  }

  private at(point: AsOfPoint): Promise<PastGraph> {
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
    const snap = await this.start(point.seq);
    let after = snap.seq;
    while (after < point.seq) {
      const page: ChangeEvent[] = await this.store.eventsAfter(after, Math.min(PAGE, point.seq - after));
      if (page.length === 0) break;
      applyToSnapshot(snap, page, point.seq);
      this.stats.eventsReplayed += page.length;
      after = page[page.length - 1]!.seq;
    }
    snap.seq = point.seq;
    return new PastGraph(point, snap, this.registry);
  }

  /**
   * A private copy of the nearest trusted graph at or before `seq`: a kept rebuild or a verified
   * baseline checkpoint, whichever is later; the empty graph at seq 0 when there is neither. A
   * refused checkpoint is passed over for the next older one (counted, reason kept).
   */
  private async start(seq: number): Promise<Snapshot> {
    let kept: PastGraph | undefined;
    for (const g of this.done.values()) if (g.seq <= seq && (!kept || g.seq > kept.seq)) kept = g;
    for (const c of await checkpointCandidates(this.store, seq)) {
      if (kept && kept.seq >= c.seq) break;
      const loaded = await loadCheckpoint(this.store, c.name);
      if (loaded.ok) {
        this.stats.checkpointsUsed += 1;
        return loaded.snapshot;
      }
      this.stats.checkpointsRefused += 1;
      this.lastRefusal = loaded.reason;
    }
    // Documents are replaced, never mutated, by the replay: the copy may share them.
    return kept ? { seq: kept.seq, cis: new Map(kept.snapshot.cis), relationships: new Map(kept.snapshot.relationships) } : emptySnapshot();
  }
}

/**
 * A mirror holding exactly the snapshot's graph: the same attributes the live mirror derives from
 * the same documents (the mirror's own `attrs`), so algorithms see what they saw then.
 */
export function mirrorOf(snap: Snapshot): Mirror {
  // The live hydration's path (Mirror.hydrate): dictionary adjacency before the graph exists, then
  // one addNode / addEdgeWithKey each with shared attribute objects — whether or not this process hydrated.
  useDictionaryAdjacency();
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
