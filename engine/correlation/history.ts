/**
 * Chronic noise learned from the store's incident history (issue 13): how often each CI alerted,
 * per signal, and the estate's rate of stray alerts — nothing configured per CI. Read by the
 * evidence weights (correlate.ts) and the group confidence (assemble.ts).
 */
import { toMillis } from './duration.ts';
import type { HistoricalIncident } from './types.ts';

export interface LearnedHistory {
  /** Windows with an incident, by key: `v` (any signal), `v:signal`, `v:` (no signal given) — B's own alerts; `v<o`: v observed by o. */
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
 *
 * An observed alert ("A's calls to B got slow": `observedBy` A) is what A saw of B, not B's own
 * alert: it counts for the pair (key `v<o`, any signal), never for B's own keys — an A whose calls
 * are chronically slow must not make B look chronic for B's own CPU or error alerts. Observers
 * unknown to the graph, or among the incident's own CIs (a stored record edited later), are
 * left out; with none left, the alert reads as B's own (as correlate reads it). The background
 * (stray CIs per window) counts a CI once per bucket whichever way it alerted.
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
  // Per CI, the buckets it alerted in either way: the background's count.
  const anyWay = new Map<number, Set<number>>();
  history.forEach((h, i) => {
    const b = Math.floor((times[i]! - lo) / window);
    const observers: number[] = [];
    for (const o of h.observedBy ?? []) {
      const w = idToIndex.get(o);
      if (w !== undefined && !h.cis.includes(o) && !observers.includes(w)) observers.push(w);
    }
    for (const ci of h.cis) {
      const v = idToIndex.get(ci);
      if (v === undefined) continue;
      let set = anyWay.get(v);
      if (set === undefined) anyWay.set(v, (set = new Set()));
      set.add(b);
      if (observers.length > 0) {
        for (const w of observers) add(`${v}<${w}`, b);
        continue;
      }
      add(String(v), b);
      add(`${v}:${h.signal ?? ''}`, b);
    }
  });
  for (const [key, set] of seen) alerts.set(key, set.size);
  let stray = 0;
  for (const set of anyWay.values()) if (set.size < buckets / 2) stray += set.size;
  return { alerts, buckets, background: stray / buckets };
}

/**
 * Windows of the history in which CI `node` alerted (with `signal`: on that signal or with none).
 * For an alert observed by `observers` ("they saw `node` slow"): the windows of the least chronic
 * observer's pair, or of `node`'s own alerts if more — a CI slow on its own is slow to anyone.
 */
export function alertWindows(history: LearnedHistory, node: number, signal: string | undefined, observers: readonly number[] = []): number {
  const any = history.alerts.get(String(node)) ?? 0;
  const own =
    signal === undefined ? any : Math.min(any, (history.alerts.get(`${node}:${signal}`) ?? 0) + (history.alerts.get(`${node}:`) ?? 0));
  if (observers.length === 0) return own;
  let pair = Number.POSITIVE_INFINITY;
  for (const o of observers) pair = Math.min(pair, history.alerts.get(`${node}<${o}`) ?? 0);
  return Math.max(own, pair);
}
