/**
 * Per-query scratch memory of the impact algorithms: reusable typed arrays, so a small query at 1M
 * nodes does not allocate and zero megabytes. Membership uses generation stamps (`mark[v] === stamp`)
 * instead of clearing. One scratch is owned by each index state (state.ts) and lent to one query at a
 * time: queries are synchronous, so one suffices; a nested acquisition gets a fresh one.
 */
import type { PathStep } from './path-step.ts';

export class Scratch {
  readonly mark: Uint32Array;
  readonly downMark: Uint32Array;
  groupMark: Uint32Array;
  groupDown: Int32Array;
  /** node → position in the current query's visit order. */
  readonly pos: Int32Array;
  readonly queue: Int32Array;
  /** Visit order and per-position data (written before read, so never cleared). */
  readonly order: Int32Array;
  readonly depthAt: Int32Array;
  readonly parentAt: Int32Array;
  readonly parentTypeAt: Uint16Array;
  /**
   * The `via` step last reported into each CI (by dense id), across queries: a hub's report reuses the
   * same steps query after query instead of allocating ~150k fresh objects. An entry is used only when
   * its from / type / to still match (`cachedStepOf`), so writes never make it wrong. Steps are
   * shared, never mutated.
   */
  steps: (PathStep | undefined)[] | undefined;
  /** Blast radius's per-node words [mark, downMark, pos, -] and per-position words [depth, parent, type | rank << 16, -] (lazy). */
  nodeWords: Int32Array | undefined;
  posWords: Int32Array | undefined;
  private stamp = 0;
  busy = false;

  constructor(n: number, groups: number) {
    this.mark = new Uint32Array(n);
    this.downMark = new Uint32Array(n);
    this.groupMark = new Uint32Array(groups);
    this.groupDown = new Int32Array(groups);
    this.pos = new Int32Array(n);
    this.queue = new Int32Array(n);
    this.order = new Int32Array(n);
    this.depthAt = new Int32Array(n);
    this.parentAt = new Int32Array(n);
    this.parentTypeAt = new Uint16Array(n);
  }

  /** Room for `groups` redundancy groups (a rule added by a write): only the two group arrays grow. */
  growGroups(groups: number): void {
    if (groups <= this.groupMark.length) return;
    // Zeroed marks read as "not this generation" for every stamp ≥ 1.
    this.groupMark = new Uint32Array(groups);
    this.groupDown = new Int32Array(groups);
  }

  /**
   * A fresh generation: every `*Mark` array reads as empty for it. `headroom` reserves that many
   * further generations without a wrap-around reset, for callers that keep an older stamp alive.
   */
  next(headroom = 0): number {
    if (this.stamp + headroom >= 0xfffffff0) {
      this.mark.fill(0);
      this.downMark.fill(0);
      this.groupMark.fill(0);
      this.nodeWords?.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

/** What scratch lending reads of an index: its sizes, capacities and the scratch slot of its state. */
export interface ScratchOwner {
  readonly n: number;
  readonly groupCount: number;
  readonly groupDependent: { readonly length: number };
  readonly dep: { readonly nodeCap: number };
  scratch: Scratch | undefined;
}

export function acquireScratch(index: ScratchOwner): Scratch {
  let s = index.scratch;
  if (s !== undefined && !s.busy && s.mark.length >= index.n) s.growGroups(Math.max(index.groupCount, index.groupDependent.length));
  if (s === undefined || s.mark.length < index.n || s.groupMark.length < index.groupCount) {
    // Sized to the state's capacities, so CIs and groups added by later writes fit without a new one.
    s = new Scratch(Math.max(index.n, index.dep.nodeCap), Math.max(index.groupCount, index.groupDependent.length));
    index.scratch = s;
  } else if (s.busy) {
    s = new Scratch(index.n, index.groupCount);
  }
  s.busy = true;
  return s;
}

export function releaseScratch(s: Scratch): void {
  s.busy = false;
}

/** The index's cross-query `via` step cache (see `Scratch.steps`). */
export function stepCache(index: ScratchOwner): (PathStep | undefined)[] {
  let s = index.scratch;
  if (s === undefined) {
    s = acquireScratch(index);
    releaseScratch(s);
  }
  return (s.steps ??= new Array<PathStep | undefined>(s.mark.length));
}
