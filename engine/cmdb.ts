/**
 * The CMDB facade the CLI and the API share: registry + store + mirror, and the write path of
 * DESIGN.md — validate → one store transaction → commit → apply the same events to the mirror.
 * Writes are serialised in-process so the mirror applies events in commit order.
 */
import type { Registry } from './model/registry.ts';
import { SemanticError } from './errors.ts';
import { Mirror, type HydrateProgress, type MirrorLog } from './mirror/mirror.ts';
import type { ApplyOptions, ApplyResult, ChangeEvent, GraphStore, Mutation, WriteContext } from './store/port.ts';
import { ImpactIndexKeeper, type ImpactIndex } from './impact/index.ts';
import { LogFollower, type FollowOptions, type FollowerStatus } from './mirror/follower.ts';
import { checkChangeScope, type ChangeDoc } from './audit/authorisation.ts';
import { PastGraphs, type AsOf, type PastGraph, type PastGraphsOptions } from './verification/past-graphs.ts';
import type { Snapshot } from './audit/snapshot.ts';

export interface WriteOptions extends ApplyOptions {
  /** Names mutation `i` in error messages, e.g. `import: cis.csv line 7` (default `apply: mutation i`). */
  describe?: (index: number) => string;
}

export interface OpenOptions {
  store: GraphStore;
  registry: Registry;
  onProgress?: (p: HydrateProgress) => void;
  /** How many rebuilt past graphs as-of reads keep (engine/verification/past-graphs.ts). */
  pastGraphs?: PastGraphsOptions;
  /** Where the mirror logs a committed-events listener that threw (Mirror.observe); default pino on stderr. */
  log?: MirrorLog;
}

export class Cmdb {
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** The one maintained impact index of this mirror (engine/impact/keeper.ts). */
  private readonly impact: ImpactIndexKeeper;
  /** Whether a graph question was asked: only then does the follower keep the index warm. */
  private impactAsked = false;
  private follower: LogFollower | undefined;
  /** The graphs as-of reads rebuilt from the log, kept per seq (bounded); never the live mirror. */
  private readonly past: PastGraphs;

  private constructor(
    readonly store: GraphStore,
    readonly registry: Registry,
    readonly mirror: Mirror,
    pastGraphs: PastGraphsOptions = {},
  ) {
    this.impact = new ImpactIndexKeeper(mirror.graph, registry);
    this.past = new PastGraphs(store, registry, pastGraphs);
  }

  /** Initialises the store (schema, constraints) and hydrates the mirror from it. */
  static async open({ store, registry, onProgress, pastGraphs, log }: OpenOptions): Promise<Cmdb> {
    await store.init();
    const mirror = await Mirror.hydrate(store, onProgress, { log });
    return new Cmdb(store, registry, mirror, pastGraphs);
  }

  /**
   * The graph as it stood at a past seq or time, rebuilt from the event log into a throwaway
   * snapshot, mirror and impact index (engine/verification/past-graphs.ts); the last few asked are kept.
   */
  asOf(asOf: AsOf): Promise<PastGraph> {
    return this.past.graph(asOf);
  }

  /** The full documents at `seq` (0: the empty graph), from the same owner and cache as `asOf` (baselines, diffs). */
  snapshotAt(seq: number): Promise<Snapshot> {
    return this.past.snapshotAt(seq);
  }

  /** Rebuild counters of the as-of cache (tests prove a kept graph is not rebuilt). */
  get asOfStats(): Readonly<PastGraphs['stats']> {
    return this.past.stats;
  }

  get seq(): number {
    return this.mirror.seq;
  }

  /**
   * The compact impact index over the current graph, the one every service and algorithm is handed
   * (never build another); brought up to date lazily on the first question after a graph write by
   * replaying the graph's changes as a delta — milliseconds, not a rebuild (engine/impact/keeper.ts).
   * Record writes leave it valid.
   */
  impactIndex(): ImpactIndex {
    this.impactAsked = true;
    return this.impact.current(this.mirror.revision);
  }

  /**
   * Follows the store's event log (engine/mirror/follower.ts): writes by other processes reach
   * the mirror, and the impact index when one is built, within a poll interval. A long-running
   * server calls this once; short CLI commands do not need it. Stopped by `close()`.
   */
  follow(options: FollowOptions = {}): LogFollower {
    this.follower ??= new LogFollower(
      {
        store: this.store,
        mirror: this.mirror,
        serialize: (fn) => this.serialize(fn),
        // Keep the first question after someone else's write as fast as after our own.
        onAdvance: () => {
          if (this.impactAsked) this.impactIndex();
        },
      },
      options,
    );
    this.follower.start();
    return this.follower;
  }

  /**
   * Calls `listener` with each batch of committed events the mirror applies — this instance's
   * writes and, once `follow()`ing, other processes' within a poll interval (Mirror.observe).
   * Returns the unsubscribe.
   */
  onCommitted(listener: (events: readonly ChangeEvent[]) => void): () => void {
    return this.mirror.observe(listener);
  }

  /** The follower's view of how far behind the store the mirror is; undefined when not following. */
  followStatus(): FollowerStatus | undefined {
    return this.follower?.status();
  }

  /**
   * Validates a batch against the registry and the graph, commits it atomically, then advances
   * the mirror. A refused or failed batch leaves store and mirror unchanged.
   */
  apply(batch: readonly Mutation[], ctx: WriteContext, options: WriteOptions = {}): Promise<ApplyResult> {
    const { describe, ...storeOptions } = options;
    return this.serialize(async () => {
      this.validate(batch, describe);
      if (ctx.changeId !== undefined) await this.checkChange(ctx.changeId, batch);
      const result = await this.store.apply(batch, ctx, storeOptions);
      await this.advanceMirror(result);
      return result;
    });
  }

  /** Runs `fn` after every queued write (and log catch-up): the mirror applies events in commit order. */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writeQueue.then(fn, fn);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * A graph write carrying a change id is accepted only while that change is approved, scheduled
   * or in progress and targets what is written (engine/audit/authorisation.ts).
   */
  private async checkChange(changeId: string, batch: readonly Mutation[]): Promise<void> {
    if (batch.every((m) => m.op === 'putRecord' || m.op === 'deleteRecord')) return;
    const rec = await this.store.getRecord('change', changeId);
    const g = this.mirror.graph;
    checkChangeScope(changeId, rec?.doc as ChangeDoc | undefined, batch, (id) =>
      g.hasEdge(id) ? { from: g.source(id), to: g.target(id) } : undefined,
    );
  }

  /** Semantic checks that need the registry or the graph; the store re-checks endpoints itself. */
  validate(batch: readonly Mutation[], describe: (index: number) => string = (i) => `apply: mutation ${i}`): void {
    const g = this.mirror.graph;
    const created = new Set<string>();
    const deleted = new Set<string>();
    const exists = (id: string) => created.has(id) || (!deleted.has(id) && g.hasNode(id));
    batch.forEach((m, i) => {
      const where = describe(i);
      switch (m.op) {
        case 'upsertCI':
          this.registry.checkCI(m.ci, where);
          created.add(m.ci.id);
          deleted.delete(m.ci.id);
          return;
        case 'deleteCI':
          created.delete(m.id);
          deleted.add(m.id);
          return;
        case 'upsertRelationship': {
          const r = m.relationship;
          this.registry.checkRelationshipType(r, where);
          for (const [field, end] of [
            ['from', r.from],
            ['to', r.to],
          ] as const) {
            if (!exists(end))
              throw new SemanticError(`${where}, field "${field}": relationship "${r.id}" references missing CI "${end}"`, {
                path: [field],
                value: end,
              });
          }
          return;
        }
        case 'deleteRelationship':
        case 'putRecord':
        case 'deleteRecord':
          return;
      }
    });
  }

  /**
   * Our own events follow the mirror's seq directly unless another process wrote in between;
   * then the store's event log is replayed instead, which includes ours.
   */
  private async advanceMirror(result: ApplyResult): Promise<void> {
    const first = result.events[0];
    if (!first) return;
    if (first.seq === this.mirror.seq + 1) this.mirror.applyEvents(result.events);
    else await this.mirror.catchUp(this.store);
  }

  async close(): Promise<void> {
    await this.follower?.stop();
    await this.writeQueue;
    this.impact.close();
    await this.store.close();
  }
}
