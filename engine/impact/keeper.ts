/**
 * Ownership of the maintained impact index of one graph: the `Cmdb` holds one keeper for its mirror
 * and every service asks `cmdb.impactIndex()`, so there is exactly one index (and one set of query
 * caches) per mirror, owned by an instance rather than a module-level registry.
 *
 * Policy. A full build at 1M nodes / 3M edges costs seconds (bench/README.md, "impact"): the CSR
 * part is cheap; the rest is a Map insert per node, several string-keyed lookups per relationship to
 * turn graphology keys into dense ints, and a full V8 mark-compact triggered by tens of MB of fresh
 * typed arrays — so it is done once; afterwards the state
 * follows the graph as a delta: the keeper's journal (journal.ts) lists what changed since the state
 * was last brought up to date and `advanceCore` (delta.ts) applies it — a few string lookups and
 * array writes per change. `current` does this lazily, at the first graph question after a write: a
 * burst of writes costs one replay, not one per write. Full builds remain for the first question,
 * after more changes than the journal holds (bulk imports), after a change it cannot express
 * (`clear()`), and when deleted CIs' tombstones pass ~1.5% of the slots (a build renumbers).
 */
import type { GraphView } from '../mirror/types.ts';
import type { Registry } from '../model/registry.ts';
import { advanceCore } from './delta.ts';
import { IndexView, type ImpactIndex } from './impact-index.ts';
import { attachJournal, type GraphJournal } from './journal.ts';
import { buildCore } from './state.ts';
import { resolveTuning, type IndexTuning, type TuningOptions } from './tuning.ts';

export class ImpactIndexKeeper {
  private readonly tuning: IndexTuning;
  private latest: IndexView | undefined;
  private feed: { journal: GraphJournal; detach: () => void } | undefined;
  private attached = false;

  constructor(
    readonly graph: GraphView,
    readonly registry: Registry,
    options: TuningOptions = {},
  ) {
    this.tuning = resolveTuning(options);
  }

  /**
   * The index reflecting the graph at `version` (the mirror's revision, bumped on every graph
   * change): the last one issued when the version is unchanged; else the same state brought up to
   * date from the journal (milliseconds for a few writes at any graph size); else, when there is no
   * state yet or the delta is not possible, a full build.
   */
  current(version: number): ImpactIndex {
    const latest = this.latest;
    if (latest !== undefined && latest.version === version) return latest;
    if (!this.attached) {
      // Before the first build: every change after it is in the log.
      this.feed = attachJournal(this.graph);
      this.attached = true;
    }
    const journal = this.feed?.journal;
    const core =
      latest !== undefined && advanceCore(latest.core)
        ? latest.core
        : buildCore(this.graph, this.registry, { tuning: this.tuning, journal, previous: latest?.core });
    const next = new IndexView(core, version);
    this.latest = next;
    // Only this state reads the journal: what it consumed can go.
    journal?.discardBefore(core.cursor);
    return next;
  }

  /** Stops following the graph (the index in hand stays readable). */
  close(): void {
    this.feed?.detach();
    this.feed = undefined;
    if (this.latest !== undefined) this.latest.core.retired = true;
  }
}
