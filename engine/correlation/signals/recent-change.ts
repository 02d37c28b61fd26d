/**
 * Recent change: a change implemented on the candidate shortly before the first incident it
 * explains (change-induced incidents are the most common kind). Value in [0, 1]: 1 for a change
 * right before (or within the monitoring grace after) the first incident, falling linearly to 0.5
 * at `changeLookback` before it (and 0 beyond): within the lookback any change is strong evidence,
 * a fresher one slightly more. The most recent qualifying change is the evidence.
 */
import type { Signal } from './types.ts';

export const recentChange: Signal = (s, { weights, changeLookback, changeGrace }) => {
  let best = 0;
  let id: string | undefined;
  let at = 0;
  for (const c of s.changes) {
    const before = s.firstOpenedAt - c.at;
    if (before < -changeGrace || before > changeLookback) continue;
    const v = before <= 0 ? 1 : 1 - (0.5 * before) / changeLookback;
    if (v > best) {
      best = v;
      id = c.id;
      at = c.at;
    }
  }
  const factor = { signal: 'recent_change' as const, value: best, contribution: weights.recentChange * best };
  return id === undefined ? factor : { ...factor, evidence: { change: id, implementedAt: new Date(at).toISOString() } };
};
