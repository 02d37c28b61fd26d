/**
 * `dependency-cycle` (correctness): CIs that rely on each other in a loop (strongly connected
 * components of the impact index's provider lists, over the chosen types — every propagating type
 * by default). A real dependency graph is acyclic; a cycle means two components call each other
 * (a hidden failure mode) or a relationship points the wrong way. One finding per cycle, on its
 * smallest id, with one shortest loop through it as the path.
 */
import { z } from 'zod';
import { forEachNeighbour, stepOf, typeMask, type ImpactIndex, type PathStep } from '../../impact/index.ts';
import type { Finding } from '../types.ts';
import { defineBuiltin, SeverityParam } from './common.ts';

export const dependencyCycle = defineBuiltin({
  id: 'dependency-cycle',
  category: 'correctness',
  description: 'no CIs rely on each other in a loop',
  params: z
    .object({
      severity: SeverityParam.default('warning'),
      /** Relationship types to follow (default every propagating type). */
      relationshipTypes: z.array(z.string()).optional(),
    })
    .strict(),
  create: ({ severity, relationshipTypes }) => ({
    id: 'dependency-cycle',
    category: 'correctness',
    description: 'no CIs rely on each other in a loop',
    run({ index }) {
      const mask = typeMask(index, relationshipTypes, 'audit dependency-cycle');
      const out: Finding[] = [];
      for (const comp of stronglyConnected(index, mask)) {
        const ids = comp.map((v) => index.nodeIds[v]!).sort();
        const start = index.idToIndex.get(ids[0]!)!;
        const path = shortestLoop(index, mask, start, new Set(comp));
        out.push({
          rule: 'dependency-cycle',
          ci: ids[0]!,
          severity,
          message: `${ids.length} CIs rely on each other in a loop: ${ids.join(', ')}`,
          evidence: { cycle: ids, path },
        });
      }
      return out;
    },
  }),
});

/** Tarjan's algorithm, iterative (a million-node chain must not blow the stack); components of size ≥ 2. */
export function stronglyConnected(index: ImpactIndex, mask: Uint8Array): number[][] {
  const n = index.n;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  // Stryker disable next-line ArrayDeclaration: equivalent — an element below the first root is never cut (each cut starts at a root)
  const stack: number[] = [];
  const out: number[][] = [];
  const { start, end, other, type } = index.prov;
  const edgePos = new Int32Array(n);
  // Stryker disable next-line ArrayDeclaration: equivalent — a seed below the first root comes up once, after that root's walk has emptied the Tarjan stack, and cuts nothing
  const call: number[] = [];
  let counter = 0;
  // Stryker disable next-line EqualityOperator: order[n] is undefined, not -1, so one more turn does nothing
  for (let root = 0; root < n; root++) {
    // Stryker disable next-line ConditionalExpression: a finished root walked again finds only finished neighbours and forms a component of one, never reported
    if (order[root] !== -1) continue;
    call.push(root);
    order[root] = low[root] = counter++;
    edgePos[root] = start[root]!;
    stack.push(root);
    onStack[root] = 1;
    while (call.length > 0) {
      const v = call[call.length - 1]!;
      let descended = false;
      const stop = end[v]!;
      while (edgePos[v]! < stop) {
        const e = edgePos[v]!++;
        if (mask[type[e]!] === 0) continue;
        const w = other[e]!;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          edgePos[w] = start[w]!;
          stack.push(w);
          onStack[w] = 1;
          call.push(w);
          descended = true;
          break;
        }
        // Stryker disable next-line EqualityOperator: `<=` writes the value already there
        if (onStack[w] === 1 && order[w]! < low[v]!) low[v] = order[w]!;
      }
      if (descended) continue;
      call.pop();
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with the call stack empty, u is undefined and `low[v] < undefined` is false
      if (call.length > 0) {
        const u = call[call.length - 1]!;
        // Stryker disable next-line EqualityOperator: `<=` writes the value already there
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
      if (low[v] === order[v]) {
        // v's component is v and everything above it on the stack. Cut at v's position rather than
        // popping until v comes up: a pop loop runs away (and grows `comp` until V8 aborts) on any
        // bookkeeping slip that leaves v off the stack, where a cut is bounded by the stack.
        const comp = stack.splice(stack.lastIndexOf(v));
        for (const w of comp) onStack[w] = 0;
        if (comp.length > 1) out.push(comp);
      }
    }
  }
  return out;
}

/** One shortest loop from `start` back to itself inside the component, as stored relationships. */
function shortestLoop(index: ImpactIndex, mask: Uint8Array, start: number, comp: ReadonlySet<number>): PathStep[] {
  const parent = new Map<number, { from: number; type: number }>();
  const queue = [start];
  // Stryker disable next-line EqualityOperator: the walk always closes the loop (start is in a cycle of comp) before the queue runs out
  for (let qi = 0; qi < queue.length; qi++) {
    const v = queue[qi]!;
    let closed = false;
    forEachNeighbour(
      index,
      v,
      // Stryker disable next-line StringLiteral: forEachNeighbour reads any direction but 'dependents' as providers
      'providers',
      (w, t) => {
        if (closed || !comp.has(w)) return;
        if (w === start) {
          parent.set(-1, { from: v, type: t });
          closed = true;
        } else if (!parent.has(w)) {
          parent.set(w, { from: v, type: t });
          queue.push(w);
        }
      },
      mask,
    );
    if (closed) break;
  }
  // Walk back from the closing step; each step goes dependent (from) → provider (to).
  const steps: PathStep[] = [];
  let link = parent.get(-1);
  let provider = start;
  while (link !== undefined) {
    steps.push(stepOf(index, provider, link.from, link.type));
    provider = link.from;
    link = parent.get(provider); // start is never a key of parent (only -1 is), so the walk stops there
  }
  return steps.reverse();
}
