/**
 * The in-memory mirror: a graphology MultiDirectedGraph of every CI and relationship, holding
 * topology and the algorithm attributes only (types.ts). It is hydrated from the store at start-up
 * and advanced only by committed events, so it is never ahead of the store; `seq` is the last
 * event it reflects.
 */
import Graph from 'graphology';
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import type { ChangeEvent, CISummary, GraphStore, RelationshipEnds } from '../store/port.ts';
import type { EdgeAttrs, MirrorGraph, NodeAttrs } from './types.ts';
import { useDictionaryAdjacency } from './dictionary-adjacency.ts';

const { MultiDirectedGraph } = Graph;

export interface HydrateProgress {
  phase: 'cis' | 'relationships';
  done: number;
}

export interface HydrateOptions {
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

  /**
   * Loads everything from the store. The sequence is read first and events after it replayed
   * last, so writes by other processes during the load are not lost (replay is idempotent).
   */
  static async hydrate(store: GraphStore, onProgress?: (p: HydrateProgress) => void, options: HydrateOptions = {}): Promise<Mirror> {
    // Before this mirror's graph exists (see dictionary-adjacency.ts).
    if (options.dictionaryAdjacency !== false) useDictionaryAdjacency();
    const mirror = new Mirror();
    const seq = await store.lastSeq();
    let done = 0;
    for await (const page of store.streamCISummaries()) {
      for (const ci of page) mirror.graph.addNode(ci.id, nodeAttrs(ci));
      done += page.length;
      onProgress?.({ phase: 'cis', done });
    }
    done = 0;
    for await (const page of store.streamRelationshipEnds()) {
      for (const r of page) mirror.graph.addEdgeWithKey(r.id, r.from, r.to, edgeAttrs(r));
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
    for (const e of events) {
      if (e.seq <= this.seq) continue;
      this.seq = e.seq;
      // Records (changes, incidents …) share the event log but are not part of the graph.
      if (e.entity === 'ci') {
        if (e.after) this.putNode(e.id, nodeAttrs(e.after as CI));
        else if (this.graph.hasNode(e.id)) this.graph.dropNode(e.id);
      } else if (e.entity === 'relationship') {
        if (this.graph.hasEdge(e.id)) this.graph.dropEdge(e.id);
        const r = e.after as Relationship | null;
        if (r) this.graph.addEdgeWithKey(r.id, r.from, r.to, edgeAttrs(r));
      } else continue;
      graphChanged = true;
    }
    if (graphChanged) this.revision += 1;
  }

  /** Replaces (not merges) attributes, so a field removed from a CI disappears here too. */
  private putNode(id: string, attrs: NodeAttrs): void {
    if (this.graph.hasNode(id)) this.graph.replaceNodeAttributes(id, attrs);
    else this.graph.addNode(id, attrs);
  }
}

/**
 * Memory at a million CIs: values with few distinct strings (class, status, environment, owner,
 * type) are interned so every node shares one copy, and edges of one type share one frozen
 * attributes object (graphology keeps the object it is given; edges are replaced, never mutated).
 */
const interned = new Map<string, string>();
function intern<T extends string>(value: T): T {
  const known = interned.get(value);
  if (known !== undefined) return known as T;
  interned.set(value, value);
  return value;
}

export function nodeAttrs(ci: CISummary): NodeAttrs {
  const a: NodeAttrs = {
    class: intern(ci.class),
    name: ci.name,
    status: intern(ci.status),
    environment: intern(ci.environment),
    criticality: ci.criticality,
  };
  if (ci.owner !== undefined) a.owner = intern(ci.owner);
  if (ci.redundancy.length > 0) a.redundancy = ci.redundancy;
  return a;
}

const edgeAttrsByType = new Map<string, EdgeAttrs>();
export function edgeAttrs(r: Pick<RelationshipEnds, 'type'>): EdgeAttrs {
  let attrs = edgeAttrsByType.get(r.type);
  if (attrs === undefined) {
    attrs = Object.freeze({ type: r.type });
    edgeAttrsByType.set(r.type, attrs);
  }
  return attrs;
}
