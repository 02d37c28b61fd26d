/**
 * The in-memory mirror: a graphology MultiDirectedGraph of every CI and relationship, holding
 * topology and the algorithm attributes only (types.ts). It is hydrated from the store at start-up
 * and advanced only by committed events, so it is never ahead of the store; `seq` is the last
 * event it reflects.
 */
import Graph from 'graphology';
import { pino } from 'pino';
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import type { ChangeEvent, GraphStore } from '../store/port.ts';
import type { EdgeAttrs, MirrorGraph, NodeAttrs } from './types.ts';
import { useDictionaryAdjacency } from './dictionary-adjacency.ts';
import { SharedAttrs } from './shared-attrs.ts';

const { MultiDirectedGraph } = Graph;

export interface HydrateProgress {
  phase: 'cis' | 'relationships';
  done: number;
}

/** Where a mirror reports a committed-events listener that threw; pino's `Logger` is one. */
export interface MirrorLog {
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface MirrorOptions {
  /** Default: the project's logger (pino, name `cmdb`) on stderr, made on first use — stdout may be a command's `--json` answer. */
  log?: MirrorLog;
}

export interface HydrateOptions extends MirrorOptions {
  /**
   * Start graphology's per-node adjacency objects in dictionary mode (dictionary-adjacency.ts): a
   * process-wide, semantics-free patch that makes hydration at 1M CIs faster. Default true; benches
   * pass false to measure it.
   */
  dictionaryAdjacency?: boolean;
}

export class Mirror {
  readonly graph: MirrorGraph = new MultiDirectedGraph<NodeAttrs, EdgeAttrs>({ allowSelfLoops: false });
  /** Sequence number of the last committed event reflected here. */
  seq = 0;
  /** Bumped on every graph change (not on record writes), so derived indexes (e.g. the impact index) know when to rebuild. */
  revision = 0;
  /** The interned strings and per-type edge attributes this graph's nodes and edges share. */
  readonly attrs = new SharedAttrs();
  /** Values derived from the graph at `memoRevision` (see `derived`). */
  private memo: Map<object, unknown> | undefined;
  private memoRevision = -1;
  /** Told of the committed events this mirror applies, in commit order (see `observe`). */
  private readonly observers = new Set<(events: readonly ChangeEvent[]) => void>();
  private log: MirrorLog | undefined;

  constructor(options: MirrorOptions = {}) {
    this.log = options.log;
  }

  /**
   * Loads everything from the store. The sequence is read first and events after it replayed
   * last, so writes by other processes during the load are not lost (replay is idempotent).
   */
  static async hydrate(store: GraphStore, onProgress?: (p: HydrateProgress) => void, options: HydrateOptions = {}): Promise<Mirror> {
    // Before this mirror's graph exists (see dictionary-adjacency.ts).
    if (options.dictionaryAdjacency !== false) useDictionaryAdjacency();
    const mirror = new Mirror({ log: options.log });
    const seq = await store.lastSeq();
    let done = 0;
    for await (const page of store.streamCISummaries()) {
      for (const ci of page) mirror.graph.addNode(ci.id, mirror.attrs.node(ci));
      done += page.length;
      onProgress?.({ phase: 'cis', done });
    }
    done = 0;
    for await (const page of store.streamRelationshipEnds()) {
      for (const r of page) mirror.graph.addEdgeWithKey(r.id, r.from, r.to, mirror.attrs.edge(r));
      done += page.length;
      onProgress?.({ phase: 'relationships', done });
    }
    mirror.seq = seq;
    await mirror.catchUp(store);
    return mirror;
  }

  /** Applies events after `this.seq` from the store: writes by other processes or instances. */
  async catchUp(store: Pick<GraphStore, 'eventsAfter'>): Promise<number> {
    let applied = 0;
    for (;;) {
      const events = await store.eventsAfter(this.seq, 10_000);
      if (events.length === 0) return applied;
      this.applyEvents(events);
      applied += events.length;
    }
  }

  /** Applies committed events in sequence order; events at or below `seq` are skipped. */
  applyEvents(events: readonly ChangeEvent[]): void {
    let graphChanged = false;
    const applied: ChangeEvent[] | undefined = this.observers.size > 0 ? [] : undefined;
    for (const e of events) {
      if (e.seq <= this.seq) continue;
      this.seq = e.seq;
      applied?.push(e);
      // Records (changes, incidents …) share the event log but are not part of the graph.
      if (e.entity === 'ci') {
        if (e.after) this.putNode(e.id, this.attrs.node(e.after as CI));
        else if (this.graph.hasNode(e.id)) this.graph.dropNode(e.id);
      } else if (e.entity === 'relationship') {
        if (this.graph.hasEdge(e.id)) this.graph.dropEdge(e.id);
        const r = e.after as Relationship | null;
        if (r) this.graph.addEdgeWithKey(r.id, r.from, r.to, this.attrs.edge(r));
      } else continue;
      graphChanged = true;
    }
    if (graphChanged) this.revision += 1;
    if (applied !== undefined && applied.length > 0) for (const fn of this.observers) this.tell(fn, applied);
  }

  /**
   * A listener that throws is a bug in the listener, not a failed write: the events are committed
   * and applied, so the write path (which would otherwise answer an error for a committed write, or
   * leave a follower's loop stuck) and the other listeners go on, and the error is logged.
   */
  private tell(fn: (events: readonly ChangeEvent[]) => void, events: readonly ChangeEvent[]): void {
    try {
      fn(events);
    } catch (err) {
      this.log ??= pino({ name: 'cmdb' }, process.stderr);
      this.log.error(
        { err, fromSeq: events[0]!.seq, toSeq: events[events.length - 1]!.seq },
        'mirror: a committed-events listener threw; the mirror and the other listeners went on',
      );
    }
  }

  /**
   * Calls `fn` with every batch of committed events this mirror applies from now on — its owner's
   * own writes and, through catch-up, other processes' — once each, in commit order, after the
   * graph reflects them. The one place that sees every event, so a cache of store records (the API
   * token cache) can drop what another process changed. `fn` must not throw; if it does, the error
   * is logged and nothing else changes (see `tell`). Returns the unsubscribe.
   */
  observe(fn: (events: readonly ChangeEvent[]) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  /**
   * A value derived from the graph as it stands (sorted id lists for paging …): `make()` on first
   * use per `key` after the graph last changed, then the same value until `revision` moves. The
   * home for such caches instead of a module-level WeakMap keyed by the mirror (STYLE.md #17);
   * `key` is the caller's own token.
   */
  derived<T>(key: object, make: () => T): T {
    if (this.memo === undefined || this.memoRevision !== this.revision) {
      this.memo = new Map();
      this.memoRevision = this.revision;
    }
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = make();
    this.memo.set(key, value);
    return value;
  }

  /** Replaces (not merges) attributes, so a field removed from a CI disappears here too. */
  private putNode(id: string, attrs: NodeAttrs): void {
    if (this.graph.hasNode(id)) this.graph.replaceNodeAttributes(id, attrs);
    else this.graph.addNode(id, attrs);
  }
}
