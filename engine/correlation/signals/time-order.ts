/**
 * Time order: providers fail first, so under the true root cause incidents nearer to it open
 * earlier. Value: the Pearson correlation of (distance to the candidate, open time) over the
 * covered incident CIs, in [-1, 1]; 0 with fewer than three CIs or no spread. A candidate whose own
 * incident came after its dependents' (a symptom, not a cause) gets a negative value.
 */
import type { CandidateStats, Signal, SignalContext } from './types.ts';

export function timeOrderValue(k: number, sumD: number, sumT: number, sumDD: number, sumTT: number, sumDT: number): number {
  if (k < 3) return 0;
  const vd = sumDD - (sumD * sumD) / k;
  const vt = sumTT - (sumT * sumT) / k;
  if (vd <= 1e-9 || vt <= 1e-9) return 0;
  const r = (sumDT - (sumD * sumT) / k) / Math.sqrt(vd * vt);
  return Math.max(-1, Math.min(1, r));
}

const value = (s: CandidateStats) => timeOrderValue(s.k, s.sumDistance, s.sumT, s.sumDD, s.sumTT, s.sumDT);

export const timeOrderContribution = (s: CandidateStats, { weights }: SignalContext): number => weights.timeOrder * value(s);

export const timeOrder: Signal = (s, ctx) => ({ signal: 'time_order', value: value(s), contribution: timeOrderContribution(s, ctx) });
