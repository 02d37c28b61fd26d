/**
 * The impact index's size and speed knobs, fixed when an index lineage is created and carried by
 * its state (STYLE.md #17: options passed in, not module state a test flips).
 *
 * Production uses the defaults; tests shrink them so that small graphs go through every path the
 * defaults keep for large ones — segment relocation, compaction, node and group growth and the
 * tombstone rebuild (capacity), the id-rank radix sort of report levels (report).
 */
export interface Capacity {
  /** Minimum free relationship entries after a build or a compaction (edge-lists.ts). */
  entrySlack: number;
  /** Minimum free node slots after a build, and the growth step. */
  nodeSlack: number;
  /** Minimum free redundancy-group slots. */
  groupSlack: number;
  /** Deleted CIs' slots tolerated before a full build renumbers (at least; n / 64 above that). */
  tombstones: number;
}

export interface ReportTuning {
  /** Above this many reported CIs, a report sorts by the index's id rank (ordering.ts), computing it once. */
  largeReport: number;
  /** In such a report, levels longer than this are radix-sorted. */
  radixLevel: number;
  /** Bits per radix pass (11: two passes below 4M CIs). */
  radixBits: number;
}

export interface IndexTuning {
  readonly capacity: Readonly<Capacity>;
  readonly report: Readonly<ReportTuning>;
}

export interface TuningOptions {
  capacity?: Partial<Capacity>;
  report?: Partial<ReportTuning>;
}

export const DEFAULT_TUNING: IndexTuning = Object.freeze({
  capacity: Object.freeze({ entrySlack: 4096, nodeSlack: 1024, groupSlack: 64, tombstones: 1024 }),
  report: Object.freeze({ largeReport: 4096, radixLevel: 64, radixBits: 11 }),
});

export function resolveTuning(options: TuningOptions | undefined): IndexTuning {
  if (options?.capacity === undefined && options?.report === undefined) return DEFAULT_TUNING;
  return Object.freeze({
    capacity: Object.freeze({ ...DEFAULT_TUNING.capacity, ...options.capacity }),
    report: Object.freeze({ ...DEFAULT_TUNING.report, ...options.report }),
  });
}
