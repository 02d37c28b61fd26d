/**
 * An explicit, opt-in tuning of graphology for the mirror (called by `Mirror.hydrate` and by the
 * as-of rebuild's `mirrorOf`, never on import). graphology keeps each node's neighbours in two
 * plain objects keyed by neighbour id (`in`, `out`).
 * V8 starts every `{}` in "fast mode", where each new key is a hidden-class transition: with a
 * million distinct CI ids as keys, hydration creates (and the GC then collects) millions of hidden
 * classes that no two nodes share. Objects in dictionary mode are plain hash tables from the
 * start. At a million CIs they make `addEdgeWithKey` markedly faster and node creation a little
 * slower; they are bigger, so the GC does more, and whole hydrations gain less than the edge phase
 * alone, for more RSS (figures and loads: bench/README.md, "load"). Semantics are identical: same
 * keys, same prototype, same enumeration order.
 *
 * graphology exposes no option for this, so `useDictionaryAdjacency` wraps the `clear` method of its
 * directed node data (which creates both objects) once per process. It checks what it relies on and
 * leaves graphology untouched when its internals differ; package.json pins graphology exactly and
 * test/mirror-adjacency.test.ts checks the installed version against that pin, so an upgrade is a
 * deliberate step that re-runs these checks and the measurement (bench/README.md, "load").
 */
import Graph from 'graphology';

interface DirectedNodeData {
  clear(): void;
  in: object;
  out: object;
}

/** Marks graphology's `clear` once wrapped, so the patch is applied once: the mark lives on what is patched, not in this module. */
const WRAPPED = Symbol('cmdb.dictionaryAdjacency');

/** An empty object in dictionary mode: V8 normalises an object when a property other than its last is deleted. */
function dictionary(): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  o.a = 0;
  o.b = 0;
  delete o.a;
  delete o.b;
  return o;
}

/** Returns whether the node data of `MultiDirectedGraph` now starts its adjacency in dictionary mode. */
export function useDictionaryAdjacency(): boolean {
  const probe = new Graph.MultiDirectedGraph();
  probe.addNode('probe');
  const nodes = (probe as unknown as { _nodes?: Map<string, DirectedNodeData> })._nodes;
  const data = nodes instanceof Map ? nodes.get('probe') : undefined;
  const proto = data === undefined ? undefined : (Object.getPrototypeOf(data) as DirectedNodeData);
  if (proto === undefined || typeof proto.clear !== 'function') return false;
  if ((proto.clear as { [WRAPPED]?: true })[WRAPPED]) return true;
  const clear = proto.clear;
  // Only if `clear` creates exactly the two adjacency objects this replaces.
  const shape = { in: undefined, out: undefined } as unknown as DirectedNodeData;
  clear.call(shape);
  if (!isEmptyPlainObject(shape.in) || !isEmptyPlainObject(shape.out)) return false;
  const wrapped = function (this: DirectedNodeData) {
    clear.call(this);
    this.in = dictionary();
    this.out = dictionary();
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  proto.clear = wrapped;
  return true;
}

function isEmptyPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length === 0;
}
