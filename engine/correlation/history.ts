/**
 * Chronic noise learned from the store's incident history (issue 13): how often each CI alerted,
 * per signal, and the estate's rate of stray alerts — nothing configured per CI. Read by the
 * evidence weights (correlate.ts) and the group confidence (assemble.ts).
 */
import { toMillis } from './duration.ts';
import type { HistoricalIncident } from './types.ts';

export interface LearnedHistory {
  /** Windows with an incident, by key: `v` (any signal), `v:signal`, `v:` (no signal given). */
  alerts: Map<string, number>;
  /** Windows the history spans. */
  buckets: number;
  /** Mean CIs alerting per window among those alerting in fewer than half of the windows (stray alerts). */
  background: number;
}

/**
 * Chronic noise from the history: the history's span cut into `window`-long buckets, and per CI
 * the number of buckets in which it had an incident (several incidents in one bucket are one alert
 * episode) — in all (key `v`), per signal (`v:signal`) and without a signal (`v:`). A CI that
 * flaps on latency is not chronic for errors. Only CIs of the graph are kept.
 */
export function learnHistory(
  idToIndex: ReadonlyMap<string, number>,
  history: readonly HistoricalIncident[],
  window: number,
): LearnedHistory {
  const alerts = new Map<string, number>();
  if (history.length === 0 || window <= 0) return { alerts, buckets: 0, background: 0 };
  const times = history.map((h, i) => toMillis(h.openedAt, `correlate: history entry ${i} openedAt`));
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  const buckets = Math.floor((hi - lo) / window) + 1;
  const seen = new Map<string, Set<number>>();
  const add = (key: string, b: number) => {
    let set = seen.get(key);
    if (set === undefined) seen.set(key, (set = new Set()));
    set.add(b);
  };
  history.forEach((h, i) => {
    const b = Math.floor((times[i]! - lo) / window);
    for (const ci of h.cis) {
      const v = idToIndex.get(ci);
      if (v === undefined) continue;
      add(String(v), b);
      add(`${v}:${h.signal ?? ''}`, b);
    }
  });
  let stray = 0;
  for (const [key, set] of seen) {
    alerts.set(key, set.size);
    if (!key.includes(':') && set.size < buckets / 2) stray += set.size;
  }
  return { alerts, buckets, background: stray / buckets };
}

/** Windows of the history in which CI `node` alerted (with `signal`: on that signal or with none). */
export function alertWindows(history: LearnedHistory, node: number, signal: string | undefined): number {
  const any = history.alerts.get(String(node)) ?? 0;
  if (signal === undefined) return any;
  return Math.min(any, (history.alerts.get(`${node}:${signal}`) ?? 0) + (history.alerts.get(`${node}:`) ?? 0));
}
