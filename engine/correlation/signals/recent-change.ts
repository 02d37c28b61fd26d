/**
 * Recent change: a change implemented on the candidate shortly before the first incident it
 * explains (change-induced incidents are the most common kind). Value in [0, 1]: 1 for a change
 * right before (or within the monitoring grace after) the first incident, falling linearly to 0.5
 * at `changeLookback` before it (and 0 beyond): within the lookback any change is strong evidence,
 * a fresher one slightly more. The most recent qualifying change is the evidence.
 */
import type { CandidateStats, Signal, SignalContext } from './types.ts';

/** The value of the most recent qualifying change (0 when none) and its position in `s.changes` (−1). */
function best(s: CandidateStats, { changeLookback, changeGrace }: SignalContext): { value: number; at: number } {
  let value = 0;
  let at = -1;
  s.changes.forEach((c, i) => {
    const before = s.firstOpenedAt - c.at;
    if (before < -changeGrace || before > changeLookback) return;
    // Stryker disable next-line EqualityOperator: at before = 0 both branches give 1
    const v = before <= 0 ? 1 : 1 - (0.5 * before) / changeLookback;
    if (v > value) {
      value = v;
      at = i;
    }
  });
  return { value, at };
}

// A shortcut for the scores of every candidate (most have no change): best() of no changes is 0 too.
// Stryker disable next-line ConditionalExpression: the shortcut's answer is best()'s
export const recentChangeValue = (s: CandidateStats, ctx: SignalContext): number => (s.changes.length === 0 ? 0 : best(s, ctx).value);

export const recentChangeContribution = (s: CandidateStats, ctx: SignalContext): number =>
  ctx.weights.recentChange * recentChangeValue(s, ctx);

export const recentChange: Signal = (s, ctx) => {
  const { value, at } = best(s, ctx);
  const factor = { signal: 'recent_change' as const, value, contribution: ctx.weights.recentChange * value };
  if (at < 0) return factor;
  const c = s.changes[at]!;
  return { ...factor, evidence: { change: c.id, implementedAt: new Date(c.at).toISOString() } };
};
