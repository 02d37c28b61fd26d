/**
 * Coverage: how many incident CIs the candidate explains through dependencies. Under the noise
 * model an unrelated incident lands on a given CI with probability min(1/n, noiseRate) — 1/n on a
 * large estate; on a small one, the prior rate of an unrelated incident on one CI within the
 * window (default 1e-4) — so each explained CI is worth −ln of that in nats.
 *
 * That prior is floored by what the time cluster itself shows: `backgroundShare` (default 0.25)
 * of the fraction of CIs with an incident in it, at most MAX_BACKGROUND. A busy window makes a chance alert under a big
 * provider likelier, so "explaining" a few scattered alerts from a hub is worth less than a tight
 * cause explaining fewer (measured in docs/itsm.md: on the fault-injection benchmark 0.25 gave the
 * best top-1 and top-3; 1 — taking every alert for noise — was far worse). Value: the number of
 * covered incident CIs.
 */
import type { CandidateStats, Signal, SignalContext } from './types.ts';

/**
 * The floor never goes past one chance alert per thousand CIs: on a small estate a handful of
 * alerts is a large fraction of it, and reading an outage as noise made a database lose its three
 * alerting dependents to one of them (test/itsm "coverage").
 */
export const MAX_BACKGROUND = 1e-3;

export function chanceRate(
  n: number,
  background: number,
  { noiseRate, backgroundShare }: Pick<SignalContext, 'noiseRate' | 'backgroundShare'>,
): number {
  return Math.max(Math.min(1 / Math.max(n, 2), noiseRate), Math.min(MAX_BACKGROUND, backgroundShare * background));
}

export const coverageContribution = (s: CandidateStats, ctx: SignalContext): number =>
  ctx.weights.likelihood * s.k * -Math.log(chanceRate(s.n, s.background, ctx));

export const coverage: Signal = (s, ctx) => ({
  signal: 'coverage',
  value: s.k,
  contribution: coverageContribution(s, ctx),
});
