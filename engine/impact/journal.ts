/**
 * What changed in a mirror graph since an impact index was built: a bounded log of topology and
 * node-attribute changes, fed by graphology's own mutation events.
 *
 * Why the graph's events rather than the mirror's committed events: every path that mutates the
 * graph — `applyEvents`, `catchUp`, tests and tools editing a graph directly — is covered with no
 * second copy of the event → graph translation, and the log is in graph terms (a CI delete arrives
 * as its relationships' drops, then the node's), exactly what the index needs. The mirror stays
 * unaware of the index.
 *
 * A journal belongs to the index keeper of its graph (keeper.ts), which attaches it before its first
 * build — graphs nobody asks impact questions of pay nothing — and detaches it when closed. It keeps
 * the changes the keeper's index has not consumed yet, and at most 2 × `limit` of them; a reader
 * further behind (or behind a change the log cannot express: `clear()`, edge attribute updates) is
 * told to rebuild.
 */
import type { GraphView, NodeAttrs } from '../mirror/types.ts';

export type GraphChange =
  | { op: 'node+'; key: string; attrs: NodeAttrs }
  | { op: 'node-'; key: string }
  | { op: 'attrs'; key: string; attrs: NodeAttrs }
  | { op: 'edge+'; source: string; target: string; type: string }
  | { op: 'edge-'; source: string; target: string; type: string };

export class GraphJournal {
  private entries: GraphChange[] = [];
  /** Position of `entries[0]`; positions count changes since the journal was attached. */
  private base = 0;
  /** Readers at a position before this must rebuild (a change the log cannot express). */
  private barrier = 0;

  constructor(readonly limit: number) {}

  get position(): number {
    return this.base + this.entries.length;
  }

  push(change: GraphChange): void {
    this.entries.push(change);
    // Drop the older half once twice the limit is held: amortised O(1), at most 2 × limit entries.
    if (this.entries.length >= 2 * this.limit) {
      const drop = this.entries.length - this.limit;
      this.entries.splice(0, drop);
      this.base += drop;
    }
  }

  /** Forgets the changes before `position` (readers still before it will rebuild). */
  discardBefore(position: number): void {
    const k = Math.min(position - this.base, this.entries.length);
    if (k <= 0) return;
    this.entries.splice(0, k);
    this.base += k;
  }

  /** A change the log cannot express: everyone before it rebuilds. */
  reset(): void {
    // Advance the position past every current reader.
    this.base += this.entries.length + 1;
    this.entries = [];
    this.barrier = this.base;
  }

  /** The changes after position `from`, or undefined when some are no longer held. */
  since(from: number): readonly GraphChange[] | undefined {
    if (from < this.base || from < this.barrier) return undefined;
    return from === this.position ? [] : this.entries.slice(from - this.base);
  }
}

interface Emitter {
  on(event: string, listener: (payload: never) => void): unknown;
  removeListener(event: string, listener: (payload: never) => void): unknown;
}

/**
 * A new journal fed by `graph`'s events from now on; undefined when the view emits no events (a
 * plain read-only view), in which case every change means a rebuild. `detach` stops the feed.
 */
export function attachJournal(graph: GraphView): { journal: GraphJournal; detach: () => void } | undefined {
  const emitter = graph as unknown as Partial<Emitter>;
  if (typeof emitter.on !== 'function' || typeof emitter.removeListener !== 'function') return undefined;
  const j = new GraphJournal(Math.max(50_000, graph.size >> 4));
  const attached: [string, (payload: never) => void][] = [];
  const on = <P>(event: string, listener: (p: P) => void) => {
    (emitter as Emitter).on(event, listener as (payload: never) => void);
    attached.push([event, listener as (payload: never) => void]);
  };
  on<{ key: string; attributes: NodeAttrs }>('nodeAdded', (p) => j.push({ op: 'node+', key: p.key, attrs: p.attributes }));
  on<{ key: string }>('nodeDropped', (p) => j.push({ op: 'node-', key: p.key }));
  on<{ key: string; attributes: NodeAttrs }>('nodeAttributesUpdated', (p) => j.push({ op: 'attrs', key: p.key, attrs: p.attributes }));
  on<{ source: string; target: string; attributes: { type: string } }>('edgeAdded', (p) =>
    j.push({ op: 'edge+', source: p.source, target: p.target, type: p.attributes.type }),
  );
  on<{ source: string; target: string; attributes: { type: string } }>('edgeDropped', (p) =>
    j.push({ op: 'edge-', source: p.source, target: p.target, type: p.attributes.type }),
  );
  // The old edge type is not in the payload, and bulk operations are not worth replaying.
  for (const event of ['edgeAttributesUpdated', 'eachNodeAttributesUpdated', 'eachEdgeAttributesUpdated', 'cleared', 'edgesCleared'])
    on(event, () => j.reset());
  const detach = () => {
    for (const [event, listener] of attached.splice(0)) (emitter as Emitter).removeListener(event, listener);
  };
  return { journal: j, detach };
}
