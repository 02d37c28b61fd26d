/**
 * The log follower (DESIGN.md "Mirror follows the log"): keeps a long-running mirror true when
 * other processes write to the same store — a CLI import into the file `npm start` serves, or a
 * second API instance on the same Neo4j. It asks the store for its last sequence number on a short
 * timer and, when the store is ahead, replays the events past the mirror's `seq` through the
 * owner's write queue, so catch-up and the owner's own writes apply in commit order.
 *
 * Why a poll and not a notification: neither store offers a cross-process notification that works
 * for both (SQLite has none across processes; Neo4j Community has no change data capture), and
 * `lastSeq()` is one indexed read — far cheaper than the staleness it prevents. The timer is
 * unref'd and never overlaps itself (the next poll is scheduled when the previous one ends).
 */
import type { GraphStore } from '../store/port.ts';
import type { Mirror } from './mirror.ts';

export interface FollowOptions {
  /** Time between two polls, ms (default 250: events show up well within a second). */
  intervalMs?: number;
  /** Clock, for the status timestamps (tests may pin it). */
  now?: () => number;
}

/** What the follower needs from its owner (the Cmdb). */
export interface FollowTarget {
  store: Pick<GraphStore, 'lastSeq' | 'eventsAfter'>;
  mirror: Mirror;
  /** Runs `fn` in the owner's write order (after queued writes, before later ones). */
  serialize<T>(fn: () => Promise<T>): Promise<T>;
  /** Called after a catch-up applied events (e.g. to bring the impact index up to date). */
  onAdvance?: (applied: number) => void;
}

export interface FollowerStatus {
  /** The mirror's sequence number now. */
  seq: number;
  /** The store's last sequence number at the last successful poll (null before the first). */
  storeSeq: number | null;
  /** Events the mirror was behind at the last successful poll, after catching up (0 when in step). */
  lag: number | null;
  /** Milliseconds since the last successful poll (null before the first). */
  lastPollAgoMs: number | null;
  /** Why the last poll failed (the store unreachable …), null when it succeeded. */
  lastError: string | null;
  /** Events applied from other writers since the follower started. */
  applied: number;
  intervalMs: number;
}

export class LogFollower {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<number> | undefined;
  private storeSeq: number | null = null;
  private lag: number | null = null;
  private lastPollAt: number | null = null;
  private lastError: string | null = null;
  private applied = 0;
  readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly target: FollowTarget,
    opts: FollowOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 250;
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops the timer and waits for a poll in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  /**
   * One poll: reads the store's last seq and, when it is ahead, replays the missing events. Returns
   * how many events were applied. Concurrent calls share one poll. Errors are kept in the status
   * (and thrown to a direct caller); the timer keeps polling, so the mirror recovers by itself.
   */
  poll(): Promise<number> {
    this.inFlight ??= this.pollOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  status(): FollowerStatus {
    return {
      seq: this.target.mirror.seq,
      storeSeq: this.storeSeq,
      lag: this.lag,
      lastPollAgoMs: this.lastPollAt === null ? null : Math.max(0, this.now() - this.lastPollAt),
      lastError: this.lastError,
      applied: this.applied,
      intervalMs: this.intervalMs,
    };
  }

  private async pollOnce(): Promise<number> {
    try {
      const { store, mirror } = this.target;
      const storeSeq = await store.lastSeq();
      let applied = 0;
      if (storeSeq > mirror.seq) {
        applied = await this.target.serialize(() => mirror.catchUp(store));
        this.applied += applied;
        if (applied > 0) this.target.onAdvance?.(applied);
      }
      this.storeSeq = storeSeq;
      this.lag = Math.max(0, storeSeq - mirror.seq);
      this.lastPollAt = this.now();
      this.lastError = null;
      return applied;
    } catch (err) {
      this.lastError = (err as Error).message;
      throw err;
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.poll()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }
}
