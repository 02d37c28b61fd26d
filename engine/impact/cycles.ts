/**
 * Dependency cycles among the CIs a blast radius reached: strongly connected components of two or
 * more CIs in the impacted subgraph, by an iterative Tarjan over the index's `dep` segments (no
 * recursion: a cycle can be a million CIs long). The fixpoint calls it only when its walk saw an
 * edge that could close a cycle (see `topoOrder` in ordering.ts).
 */
import type { ImpactIndex } from './impact-index.ts';

/** Iterative Tarjan over the impacted subgraph; only called when pass 2 saw a non-forward edge. */
export function impactedCycles(
  index: ImpactIndex,
  order: Int32Array,
  r: number,
  pos: Int32Array,
  mark: Uint32Array,
  stamp: number,
  mask: Uint8Array,
): number[][] {
  const { start: depStart, end: depEnd, other: depTarget, type: depType } = index.dep;
  const idx = new Int32Array(r).fill(-1);
  const low = new Int32Array(r);
  const onStack = new Uint8Array(r);
  const stack = new Int32Array(r);
  const frames = new Int32Array(r);
  const iter = new Int32Array(r);
  const out: number[][] = [];
  let sp = 0;
  let counter = 0;
  for (let root = 0; root < r; root++) {
    if (idx[root] !== -1) continue;
    let fp = 0;
    idx[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    frames[fp] = root;
    iter[fp] = depStart[order[root]!]!;
    fp++;
    while (fp > 0) {
      const p = frames[fp - 1]!;
      const end = depEnd[order[p]!]!;
      let e = iter[fp - 1]!;
      let descended = false;
      while (e < end) {
        const t = depType[e]!;
        const v = depTarget[e]!;
        e++;
        if (mask[t] === 0 || mark[v] !== stamp) continue;
        const q = pos[v]!;
        if (idx[q] === -1) {
          iter[fp - 1] = e;
          idx[q] = low[q] = counter++;
          stack[sp++] = q;
          onStack[q] = 1;
          frames[fp] = q;
          iter[fp] = depStart[v]!;
          fp++;
          descended = true;
          break;
        } else if (onStack[q] === 1 && idx[q]! < low[p]!) {
          low[p] = idx[q]!;
        }
      }
      if (descended) continue;
      if (low[p] === idx[p]) {
        const comp: number[] = [];
        let q: number;
        do {
          q = stack[--sp]!;
          onStack[q] = 0;
          comp.push(order[q]!);
        } while (q !== p);
        if (comp.length > 1) out.push(comp);
      }
      fp--;
      if (fp > 0) {
        const parent = frames[fp - 1]!;
        if (low[p]! < low[parent]!) low[parent] = low[p]!;
      }
    }
  }
  return out;
}
