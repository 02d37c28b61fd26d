/**
 * One direction of the impact index's adjacency: per node a segment `start[u] .. end[u]` of three
 * parallel entry arrays (`other` = the neighbour's dense id, `type` = relationship type index,
 * `group` = redundancy group or -1). Built as a plain CSR (segments back to back in node order, so
 * `start` doubles as the offsets array: `start[u + 1] === end[u]`), then maintained in place:
 *
 *   - appending to a full segment moves it to the free tail of the arrays with some room to grow
 *     (`cap[u]`), leaving a hole behind; removing swaps the last entry into the gap (entry order
 *     within a segment carries no meaning: every algorithm breaks ties by id, then type);
 *   - when the tail runs out, `compact` rewrites the live segments back to back in node order into
 *     the spare arrays of the previous compaction (ping-pong: no fresh 10 bytes × relationships per
 *     compaction, which at 1M CIs would trigger a full mark-compact of the mirror heap, as the
 *     build notes in state.ts). Typed-array copies only, no string keys.
 *
 * Why segments and not an overlay next to an immutable CSR: every traversal keeps exactly one inner
 * loop (`for e in start[u] .. end[u]`) instead of a CSR loop plus overlay lists plus a removed-edge
 * check per entry.
 *
 * `csr()` hands out the classic contiguous form (offsets + entries) for code that reads the arrays
 * directly (correlation's reach and path walks, benches); it compacts first when segments moved.
 *
 * Spare capacities come from the index's tuning (tuning.ts).
 */
import type { Capacity } from './tuning.ts';

export class EdgeLists {
  /** Nodes in use (dense ids `0..n-1`). */
  n: number;
  /** Per node, capacity `start.length - 1`; `start[n]` is the CSR sentinel while `contiguous`. */
  start: Int32Array;
  end: Int32Array;
  cap: Int32Array;
  other: Int32Array;
  type: Uint16Array;
  group: Int32Array;
  /** First free entry slot. */
  tail: number;
  /** Live entries. */
  count: number;
  /** True while segments are back to back in node order with no holes (`start` is a valid offsets array). */
  contiguous: boolean;
  private spare: { other: Int32Array; type: Uint16Array; group: Int32Array } | undefined;
  private view: { n: number; tail: number; start: Int32Array; other: Int32Array; csr: Csr } | undefined;

  /** Wraps a freshly built CSR: `offsets` has room for `nodeCap + 1` entries, the entry arrays for `other.length`. */
  constructor(
    n: number,
    offsets: Int32Array,
    other: Int32Array,
    type: Uint16Array,
    group: Int32Array,
    private readonly capacity: Readonly<Capacity>,
  ) {
    this.n = n;
    this.start = offsets;
    const nodeCap = offsets.length - 1;
    this.end = new Int32Array(nodeCap);
    this.end.set(offsets.subarray(1, n + 1));
    this.cap = this.end.slice();
    this.other = other;
    this.type = type;
    this.group = group;
    this.tail = offsets[n]!;
    this.count = this.tail;
    this.contiguous = true;
  }

  get nodeCap(): number {
    return this.start.length - 1;
  }

  /** Makes room for `nodes` nodes (amortised growth). */
  reserveNodes(nodes: number): void {
    if (nodes <= this.nodeCap) return;
    const cap = Math.max(nodes, Math.ceil(this.nodeCap * 1.25) + this.capacity.nodeSlack);
    const start = new Int32Array(cap + 1);
    start.set(this.start.subarray(0, this.n + 1));
    const end = new Int32Array(cap);
    end.set(this.end.subarray(0, this.n));
    const c = new Int32Array(cap);
    c.set(this.cap.subarray(0, this.n));
    this.start = start;
    this.end = end;
    this.cap = c;
  }

  /** Appends node `n` with an empty segment (keeps the CSR form valid). */
  addNode(): number {
    const v = this.n;
    this.reserveNodes(v + 1);
    this.start[v] = this.end[v] = this.cap[v] = this.tail;
    this.n = v + 1;
    this.start[v + 1] = this.tail;
    return v;
  }

  append(u: number, other: number, type: number, group: number): void {
    if (this.end[u] === this.cap[u]) this.relocate(u);
    const k = this.end[u]!++;
    this.other[k] = other;
    this.type[k] = type;
    this.group[k] = group;
    this.count++;
    this.contiguous = false;
  }

  /** Removes one entry `(other, type)` from `u`'s segment; false when there is none. */
  remove(u: number, other: number, type: number): boolean {
    const s = this.start[u]!;
    const last = this.end[u]! - 1;
    for (let k = last; k >= s; k--) {
      if (this.other[k] !== other || this.type[k] !== type) continue;
      this.other[k] = this.other[last]!;
      this.type[k] = this.type[last]!;
      this.group[k] = this.group[last]!;
      this.end[u] = last;
      this.count--;
      this.contiguous = false;
      return true;
    }
    return false;
  }

  /** Sets the group of every entry `(other, type)` of `u`; returns how many there are. */
  setGroup(u: number, other: number, type: number, group: number): number {
    let hits = 0;
    const end = this.end[u]!;
    for (let k = this.start[u]!; k < end; k++) {
      if (this.other[k] === other && this.type[k] === type) {
        this.group[k] = group;
        hits++;
      }
    }
    return hits;
  }

  /** Moves `u`'s segment to the tail with room for half as many again (amortised appends). */
  private relocate(u: number): void {
    const deg = this.end[u]! - this.start[u]!;
    const room = deg + Math.max(2, deg >> 1);
    if (this.tail + room > this.other.length) this.compact(room);
    const s = this.start[u]!;
    const t = this.tail;
    this.other.copyWithin(t, s, s + deg);
    this.type.copyWithin(t, s, s + deg);
    this.group.copyWithin(t, s, s + deg);
    this.start[u] = t;
    this.end[u] = t + deg;
    this.cap[u] = t + room;
    this.tail = t + room;
  }

  /** Rewrites live segments back to back in node order, leaving at least `need` free slots. */
  compact(need = 0): void {
    const live = this.count;
    const capacity = this.capacity;
    // Reuse the spare whenever the live entries and the requested room fit (it was sized with slack);
    // allocate, with fresh slack, only when the graph outgrew it.
    const fits = live + 2 * need + Math.min(capacity.entrySlack, 64);
    let dst = this.spare;
    if (dst === undefined || dst.other.length < fits || dst.other.length > 4 * fits + capacity.entrySlack) {
      const size = live + Math.max(capacity.entrySlack, live >> 5, 2 * need);
      dst = { other: new Int32Array(size), type: new Uint16Array(size), group: new Int32Array(size) };
    }
    const { other, type, group, start, end, cap } = this;
    const o2 = dst.other;
    const t2 = dst.type;
    const g2 = dst.group;
    // Segments a delta did not touch are still back to back: copy each such run as one block
    // (after a few writes that is almost everything), then only offsets are rewritten per node.
    let w = 0;
    let runFrom = 0;
    let runTo = 0;
    const flush = () => {
      if (runTo > runFrom) {
        const at = w - (runTo - runFrom);
        o2.set(other.subarray(runFrom, runTo), at);
        t2.set(type.subarray(runFrom, runTo), at);
        g2.set(group.subarray(runFrom, runTo), at);
      }
    };
    for (let u = 0; u < this.n; u++) {
      const s = start[u]!;
      const e = end[u]!;
      if (s !== runTo) {
        flush();
        runFrom = runTo = s;
      }
      runTo = e;
      start[u] = w;
      w += e - s;
      end[u] = w;
      cap[u] = w;
    }
    flush();
    start[this.n] = w;
    this.spare = { other, type, group };
    this.other = o2;
    this.type = t2;
    this.group = g2;
    this.tail = w;
    this.contiguous = true;
  }

  /** The contiguous CSR form; compacts first when segments moved since the last compaction. */
  csr(): Csr {
    if (!this.contiguous) this.compact();
    const v = this.view;
    if (v !== undefined && v.n === this.n && v.tail === this.tail && v.start === this.start && v.other === this.other) return v.csr;
    const csr: Csr = {
      offsets: this.start.subarray(0, this.n + 1),
      other: this.other.subarray(0, this.tail),
      type: this.type.subarray(0, this.tail),
      group: this.group.subarray(0, this.tail),
    };
    this.view = { n: this.n, tail: this.tail, start: this.start, other: this.other, csr };
    return csr;
  }
}

export interface Csr {
  offsets: Int32Array;
  other: Int32Array;
  type: Uint16Array;
  group: Int32Array;
}
