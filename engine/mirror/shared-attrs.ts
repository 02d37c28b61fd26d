/**
 * The attribute objects one mirror graph stores, built so that the graph shares what repeats.
 * Memory at a million CIs: values with few distinct strings (class, status, environment, owner) are
 * interned so every node holds one copy, and edges of one type share one frozen attributes object
 * (graphology keeps the object it is given; edges are replaced, never mutated).
 *
 * The tables belong to the instance that owns the graph (a `Mirror`, a bench's graph, a check's
 * comparison), not to the module (STYLE.md #17): they live and die with that graph, and two mirrors
 * in one process share nothing.
 */
import type { CISummary, RelationshipEnds } from '../store/port.ts';
import type { EdgeAttrs, NodeAttrs } from './types.ts';

export class SharedAttrs {
  private readonly strings = new Map<string, string>();
  private readonly edgesByType = new Map<string, EdgeAttrs>();

  /** The mirror's attributes of a CI: the algorithm fields only, repeated strings shared. */
  node(ci: CISummary): NodeAttrs {
    const a: NodeAttrs = {
      class: this.intern(ci.class),
      name: ci.name,
      status: this.intern(ci.status),
      environment: this.intern(ci.environment),
      criticality: ci.criticality,
    };
    if (ci.owner !== undefined) a.owner = this.intern(ci.owner);
    if (ci.redundancy.length > 0) a.redundancy = ci.redundancy;
    return a;
  }

  /** The one frozen attributes object of every edge of this relationship type. */
  edge(r: Pick<RelationshipEnds, 'type'>): EdgeAttrs {
    let attrs = this.edgesByType.get(r.type);
    if (attrs === undefined) {
      attrs = Object.freeze({ type: r.type });
      this.edgesByType.set(r.type, attrs);
    }
    return attrs;
  }

  private intern<T extends string>(value: T): T {
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    this.strings.set(value, value);
    return value;
  }
}
