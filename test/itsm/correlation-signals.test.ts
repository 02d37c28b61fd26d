/**
 * Correlation's signal processors and learned history, each alone on hand-made statistics: the
 * formulas their module headers state, their boundaries and the evidence they attach. The graph
 * tests (correlation.test.ts, correlation-cases.test.ts) show what the signals decide together.
 * Weights here are all different from the defaults and from each other, so a processor reading
 * the wrong weight is caught.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/errors.ts';
import { alertWindows, learnHistory } from '../../engine/correlation/history.ts';
import {
  chanceRate,
  chronicNoise,
  coverage,
  distance,
  naturalRoot,
  ownIncident,
  recentChange,
  recentChangeValue,
  scoreCandidate,
  scoreValue,
  SIGNALS,
  specificity,
  specificityLogLikelihood,
  strengthFactor,
  timeOrder,
  timeOrderValue,
  type CandidateStats,
  type SignalContext,
} from '../../engine/correlation/signals/index.ts';
import { MAX_BACKGROUND } from '../../engine/correlation/signals/coverage.ts';

const MINUTE = 60_000;
const T = Date.UTC(2026, 2, 1, 10, 0, 0);
const ctx: SignalContext = {
  weights: { likelihood: 1.5, distance: 0.7, ownIncident: 2.3, recentChange: 3.1, timeOrder: 1.3, naturalRoot: 0.9 },
  changeLookback: 120 * MINUTE,
  changeGrace: 5 * MINUTE,
  noiseRate: 1e-4,
  backgroundShare: 0.25,
};
/** Three covered incident CIs among four dependents, at distances 0, 1, 2, nothing else known. */
const stats = (over: Partial<CandidateStats> = {}): CandidateStats => ({
  n: 1000,
  background: 0,
  k: 3,
  reach: 4,
  sumDistance: 3,
  ownOpenedAt: Number.NaN,
  firstOpenedAt: T,
  sumT: 0,
  sumTT: 0,
  sumDD: 0,
  sumDT: 0,
  weightSum: 3,
  ownWeight: 1,
  ownStrength: Number.NaN,
  ownQuiet: 0,
  ownCredit: 1,
  changes: [],
  ...over,
});

describe('correlation signal processors', () => {
  it('chance rate: the smaller of 1/n and the prior noise rate, floored by a share of the busy window, the floor capped at one per thousand', () => {
    expect(chanceRate(1000, 0, ctx)).toBe(1e-4);
    expect(chanceRate(100, 0, { noiseRate: 0.5, backgroundShare: 0.25 })).toBe(0.01);
    // n below 2 counts as 2: a one-CI graph is not certain to alert by chance.
    expect(chanceRate(1, 0, { noiseRate: 0.9, backgroundShare: 0.25 })).toBe(0.5);
    expect(chanceRate(1000, 0.002, ctx)).toBeCloseTo(0.0005, 15);
    expect(chanceRate(1000, 0.5, ctx)).toBe(MAX_BACKGROUND);
    expect(chanceRate(1000, 0.5, { noiseRate: 0.01, backgroundShare: 0.25 })).toBe(0.001);
  });

  it('coverage: each covered incident CI is worth −ln of the chance rate, times the likelihood weight', () => {
    const f = coverage(stats(), ctx);
    expect(f.signal).toBe('coverage');
    expect(f.value).toBe(3);
    expect(f.contribution).toBeCloseTo(1.5 * 3 * Math.log(1e4), 12);
    expect(coverage(stats({ background: 0.002 }), ctx).contribution).toBeCloseTo(1.5 * 3 * -Math.log(0.0005), 12);
  });

  it('specificity: the log-likelihood of k alerting dependents of reach at the rate k/reach, 0 when all alert or none is covered', () => {
    expect(specificityLogLikelihood(3, 4)).toBeCloseTo(3 * Math.log(0.75) + Math.log(0.25), 12);
    expect(specificityLogLikelihood(4, 4)).toBe(0);
    // A reach below k (a bound not yet refined) counts as k.
    expect(specificityLogLikelihood(3, 2)).toBe(0);
    expect(specificityLogLikelihood(0, 5)).toBe(0);
    expect(specificityLogLikelihood(0, 0)).toBe(0);
    const f = specificity(stats(), ctx);
    expect(f.signal).toBe('specificity');
    expect(f.value).toBe(0.75);
    expect(f.contribution).toBeCloseTo(1.5 * (3 * Math.log(0.75) + Math.log(0.25)), 12);
    expect(specificity(stats({ k: 0, reach: 0 }), ctx).value).toBe(0);
    expect(specificity(stats({ k: 2, reach: 1 }), ctx).value).toBe(1);
  });

  it('distance: the mean hop count of the covered CIs, subtracted times its weight; 0 when nothing is covered', () => {
    expect(distance(stats(), ctx)).toEqual({ signal: 'distance', value: 1, contribution: -0.7 });
    expect(distance(stats({ sumDistance: 6 }), ctx)).toEqual({ signal: 'distance', value: 2, contribution: -1.4 });
    expect(distance(stats({ k: 0, sumDistance: 0 }), ctx)).toEqual({ signal: 'distance', value: 0, contribution: -0 });
  });

  it('own incident: nothing without one; with one, its weight scaled by the alert strength (0.6×–1.4×) and the chronic weight, both shown as evidence', () => {
    expect(strengthFactor(Number.NaN)).toBe(1);
    expect(strengthFactor(0)).toBe(0.6);
    expect(strengthFactor(1)).toBeCloseTo(1.4, 12);
    expect(ownIncident(stats(), ctx)).toEqual({ signal: 'own_incident', value: 0, contribution: 0 });
    // Earlier format (no strength) and never chronic: the plain weight and no evidence.
    expect(ownIncident(stats({ ownOpenedAt: T }), ctx)).toEqual({ signal: 'own_incident', value: 1, contribution: 2.3 });
    const strong = ownIncident(stats({ ownOpenedAt: T, ownStrength: 0.25, ownWeight: 0.5 }), ctx);
    expect(strong.value).toBe(1);
    expect(strong.contribution).toBeCloseTo(2.3 * 0.8 * 0.5, 12);
    expect(strong.evidence).toEqual({ strength: 0.25, chronicWeight: 0.5 });
    const rounded = ownIncident(stats({ ownOpenedAt: T, ownStrength: 0.12345, ownWeight: 0.98765 }), ctx);
    expect(rounded.evidence).toEqual({ strength: 0.123, chronicWeight: 0.988 });
    // A chronic CI with no strength given: only the chronic weight is evidence.
    expect(ownIncident(stats({ ownOpenedAt: T, ownWeight: 0.5 }), ctx).evidence).toEqual({ chronicWeight: 0.5 });
    // A strength given on a CI that never alerts by chance is still shown.
    expect(ownIncident(stats({ ownOpenedAt: T, ownStrength: 1 }), ctx).evidence).toEqual({ strength: 1, chronicWeight: 1 });
  });

  it('recent change: 1 right before the first incident or within the grace after it, falling to 0.5 at the lookback, 0 outside', () => {
    const at = (minutes: number, id = 'CHG') => ({ id, at: T + minutes * MINUTE });
    const value = (minutes: number) => recentChangeValue(stats({ changes: [at(minutes)] }), ctx);
    expect(recentChangeValue(stats(), ctx)).toBe(0);
    expect(value(0)).toBe(1);
    expect(value(5)).toBe(1); // the grace's end still counts
    expect(value(5.001)).toBe(0);
    expect(value(-60)).toBe(0.75);
    expect(value(-120)).toBe(0.5); // the lookback's end still counts
    expect(value(-120.001)).toBe(0);
    const f = recentChange(stats({ changes: [at(-100, 'OLD'), at(-30, 'NEW'), at(10, 'LATE')] }), ctx);
    expect(f.signal).toBe('recent_change');
    expect(f.value).toBeCloseTo(1 - 0.5 * 0.25, 12);
    expect(f.contribution).toBeCloseTo(3.1 * (1 - 0.5 * 0.25), 12);
    expect(f.evidence).toEqual({ change: 'NEW', implementedAt: new Date(T - 30 * MINUTE).toISOString() });
    // Two changes worth the same: the first in the (time, id) order is the evidence.
    expect(recentChange(stats({ changes: [at(-10, 'A'), at(-10, 'B')] }), ctx).evidence).toEqual({
      change: 'A',
      implementedAt: new Date(T - 10 * MINUTE).toISOString(),
    });
    expect(recentChange(stats({ changes: [at(-200)] }), ctx)).toEqual({ signal: 'recent_change', value: 0, contribution: 0 });
  });

  it('time order: the Pearson correlation of distance and open time, 0 under three CIs or without spread, clamped to [−1, 1]', () => {
    // d = 0, 1, 2 opened at 0, 1, 2 minutes: perfectly ordered.
    expect(timeOrderValue(3, 3, 3, 5, 5, 5)).toBeCloseTo(1, 12);
    expect(timeOrderValue(3, 3, 3, 5, 5, 1)).toBeCloseTo(-1, 12);
    expect(timeOrderValue(2, 1, 1, 1, 1, 1)).toBe(0);
    // No spread in distance, or in time (variance at most 1e-9): 0.
    expect(timeOrderValue(3, 0, 3, 1e-9, 5, 1e-5)).toBe(0);
    expect(timeOrderValue(3, 3, 0, 5, 1e-9, 1e-5)).toBe(0);
    expect(timeOrderValue(3, 0, 0, 2e-9, 2e-9, 1e-9)).toBeCloseTo(0.5, 6);
    // Rounding would carry these past ±1 (1.0000000000000002).
    expect(timeOrderValue(3, 3, 0.9000000000000001, 5, 0.4500000000000001, 1.5000000000000002)).toBe(1);
    expect(timeOrderValue(3, 3, -0.9000000000000001, 5, 0.4500000000000001, -1.5000000000000002)).toBe(-1);
    const f = timeOrder(stats({ sumT: 3, sumDD: 5, sumTT: 5, sumDT: 5 }), ctx);
    expect(f.signal).toBe('time_order');
    expect(f.value).toBeCloseTo(1, 12);
    expect(f.contribution).toBeCloseTo(1.3, 12);
  });

  it('natural root: only a candidate that alerted while its providers stayed quiet, scaled by its chronic weight', () => {
    expect(naturalRoot(stats({ ownOpenedAt: T, ownQuiet: 1, ownWeight: 0.5 }), ctx)).toEqual({
      signal: 'natural_root',
      value: 1,
      contribution: 0.45,
    });
    expect(naturalRoot(stats({ ownOpenedAt: T, ownQuiet: 0 }), ctx)).toEqual({ signal: 'natural_root', value: 0, contribution: 0 });
    expect(naturalRoot(stats({ ownQuiet: 1 }), ctx)).toEqual({ signal: 'natural_root', value: 0, contribution: 0 });
  });

  it('chronic noise: gives back the share of coverage its covered CIs owe to their alert rate, never a bonus, 0 without history', () => {
    const c = 1e-4;
    const f = chronicNoise(stats({ weightSum: 2 }), ctx);
    expect(f.signal).toBe('chronic_noise');
    expect(f.value).toBeCloseTo(1 / 3, 12);
    expect(f.contribution).toBeCloseTo(1.5 * 1 * Math.log(c), 12);
    expect(coverage(stats(), ctx).contribution + f.contribution).toBeCloseTo(1.5 * 2 * -Math.log(c), 12);
    expect(chronicNoise(stats(), ctx)).toEqual({ signal: 'chronic_noise', value: 0, contribution: 0 });
    // A weight sum past k (rounding) is no bonus.
    expect(chronicNoise(stats({ weightSum: 3.5 }), ctx)).toEqual({ signal: 'chronic_noise', value: 0, contribution: 0 });
    expect(chronicNoise(stats({ k: 0, weightSum: 0 }), ctx)).toEqual({ signal: 'chronic_noise', value: 0, contribution: 0 });
    // A discount of at most 1e-12 of one CI is rounding: nothing is given back.
    expect(chronicNoise(stats({ k: 1e-12, weightSum: 0 }), ctx).contribution).toBe(0);
    expect(chronicNoise(stats({ k: 2e-12, weightSum: 0 }), ctx).contribution).toBeLessThan(0);
  });

  it('the score is the sum of every factor, reported in a fixed order, and the factor-less score equals it to the last bit', () => {
    const s = stats({
      background: 0.002,
      ownOpenedAt: T,
      ownQuiet: 1,
      ownWeight: 0.8,
      ownStrength: 0.5,
      weightSum: 2.4,
      sumT: 3,
      sumDD: 5,
      sumTT: 5,
      sumDT: 4,
      changes: [{ id: 'C', at: T - 20 * MINUTE }],
    });
    const { score, factors } = scoreCandidate(s, ctx);
    expect(factors.map((f) => f.signal)).toEqual([
      'coverage',
      'specificity',
      'distance',
      'own_incident',
      'recent_change',
      'time_order',
      'natural_root',
      'chronic_noise',
    ]);
    expect(SIGNALS).toHaveLength(8);
    // Every factor counts here, so a term dropped or subtracted would show.
    for (const f of factors) expect(Math.abs(f.contribution)).toBeGreaterThan(0.1);
    expect(score).toBeCloseTo(
      factors.reduce((t, f) => t + f.contribution, 0),
      12,
    );
    expect(scoreValue(s, ctx)).toBe(score);
  });
});

describe('correlation history', () => {
  const ids = new Map([
    ['a', 0],
    ['b', 1],
    ['c', 2],
  ]);
  const W = 10 * MINUTE;
  const iso = (minutes: number) => new Date(T + minutes * MINUTE).toISOString();

  it('counts, per CI and per signal, the windows with an incident; several in one window are one episode; unknown CIs are skipped', () => {
    const h = learnHistory(
      ids,
      [
        { cis: ['a'], openedAt: iso(0), signal: 'latency' },
        { cis: ['a'], openedAt: iso(9), signal: 'latency' },
        { cis: ['a', 'zz'], openedAt: iso(10), signal: 'errors' },
        { cis: ['a'], openedAt: iso(25) },
        { cis: ['b'], openedAt: iso(35), signal: 'latency' },
      ],
      W,
    );
    expect(h.buckets).toBe(4);
    expect(h.alerts.get('0')).toBe(3);
    expect(h.alerts.get('0:latency')).toBe(1);
    expect(h.alerts.get('0:errors')).toBe(1);
    expect(h.alerts.get('0:')).toBe(1);
    expect(h.alerts.get('1')).toBe(1);
    expect(h.alerts.has('2')).toBe(false);
    expect([...h.alerts.keys()].sort()).toEqual(['0', '0:', '0:errors', '0:latency', '1', '1:latency']);
    // Any signal; on one signal, that signal's windows plus those without a signal, never more than any.
    expect(alertWindows(h, 0, undefined)).toBe(3);
    expect(alertWindows(h, 0, 'latency')).toBe(2);
    expect(alertWindows(h, 0, 'saturation')).toBe(1);
    expect(alertWindows(h, 1, 'errors')).toBe(0);
    expect(alertWindows(h, 2, undefined)).toBe(0);
  });

  it("learns an observed alert as its pair's, never as the callee's own: a chronically slow caller does not make its callee chronic", () => {
    const h = learnHistory(
      ids,
      [
        // a saw b slow in three windows, b alerted on its own in one; c saw b slow once.
        ...[0, 10, 20].map((m) => ({ cis: ['b'], openedAt: iso(m), signal: 'latency' as const, observedBy: ['a'] })),
        { cis: ['b'], openedAt: iso(31), signal: 'saturation' },
        { cis: ['b'], openedAt: iso(21), signal: 'latency', observedBy: ['c'] },
      ],
      W,
    );
    expect(h.alerts.get('1<0')).toBe(3);
    expect(h.alerts.get('1<2')).toBe(1);
    expect(h.alerts.get('1')).toBe(1);
    expect(h.alerts.get('1:latency')).toBeUndefined();
    // b's own alerts: the saturation one only, whatever a or c saw.
    expect(alertWindows(h, 1, 'saturation')).toBe(1);
    expect(alertWindows(h, 1, 'latency')).toBe(0);
    // Observed by a: a's pair is chronic; by a and c: the least chronic observer's pair speaks.
    expect(alertWindows(h, 1, 'latency', [0])).toBe(3);
    expect(alertWindows(h, 1, 'latency', [0, 2])).toBe(1);
    // A pair never observed is as chronic as b is on its own: a CI slow on its own is slow to anyone.
    expect(alertWindows(h, 1, 'saturation', [2])).toBe(1);
    expect(alertWindows(h, 1, undefined, [0])).toBe(3);
  });

  it('reads an observed alert as the callee’s own when no observer is left: unknown to the graph, or one of its own CIs', () => {
    const h = learnHistory(
      ids,
      [
        { cis: ['b'], openedAt: iso(0), signal: 'latency', observedBy: ['zz'] },
        { cis: ['b', 'a'], openedAt: iso(10), signal: 'latency', observedBy: ['a'] },
      ],
      W,
    );
    expect(h.alerts.get('1')).toBe(2);
    expect(h.alerts.get('1:latency')).toBe(2);
    expect([...h.alerts.keys()].some((k) => k.includes('<'))).toBe(false);
  });

  it('counts a CI once per window in the background, whether it alerted on its own or was observed', () => {
    const h = learnHistory(
      ids,
      [
        // 4 windows: a chronic in all; b observed by a and alerting on its own in the same window (one stray alert), c once.
        ...[0, 10, 20, 30].map((m) => ({ cis: ['a'], openedAt: iso(m) })),
        { cis: ['b'], openedAt: iso(0), observedBy: ['a'] },
        { cis: ['b'], openedAt: iso(1) },
        { cis: ['c'], openedAt: iso(30), observedBy: ['a'] },
      ],
      W,
    );
    expect(h.buckets).toBe(4);
    expect(h.background).toBe(0.5);
  });

  it('on one signal, a CI is never counted in more windows than it alerted in at all', () => {
    const h = learnHistory(
      ids,
      [
        { cis: ['a'], openedAt: iso(0), signal: 'latency' },
        { cis: ['a'], openedAt: iso(1) },
        { cis: ['a'], openedAt: iso(12) },
      ],
      W,
    );
    expect(alertWindows(h, 0, 'latency')).toBe(2);
  });

  it('the background is the mean number of stray CIs per window, a stray CI alerting in fewer than half of the windows', () => {
    const h = learnHistory(
      ids,
      [
        // 4 windows: a in all of them (chronic), b in exactly half (not stray), c in one (stray).
        ...[0, 10, 20, 30].map((m) => ({ cis: ['a'], openedAt: iso(m) })),
        { cis: ['b'], openedAt: iso(0) },
        { cis: ['b'], openedAt: iso(20) },
        // c's two signals in one window are one stray alert, not two.
        { cis: ['c'], openedAt: iso(30), signal: 'errors' as const },
        { cis: ['c'], openedAt: iso(31), signal: 'latency' as const },
      ],
      W,
    );
    expect(h.buckets).toBe(4);
    expect(h.background).toBe(0.25);
  });

  it('windows are cut from the first incident of the history, not from the clock', () => {
    // 9 minutes apart, starting 7 minutes past a 10-minute mark: one window.
    const h = learnHistory(
      ids,
      [
        { cis: ['a'], openedAt: iso(7) },
        { cis: ['a'], openedAt: iso(16) },
        { cis: ['b'], openedAt: iso(17) },
      ],
      W,
    );
    expect(h.buckets).toBe(2);
    expect(h.alerts.get('0')).toBe(1);
  });

  it('no history, or no window, learns nothing; a bad time is refused naming the entry', () => {
    expect(learnHistory(ids, [], W)).toEqual({ alerts: new Map(), buckets: 0, background: 0 });
    expect(learnHistory(ids, [{ cis: ['a'], openedAt: iso(0) }], 0)).toEqual({ alerts: new Map(), buckets: 0, background: 0 });
    expect(() =>
      learnHistory(
        ids,
        [
          { cis: ['a'], openedAt: iso(0) },
          { cis: ['a'], openedAt: 'yesterday' },
        ],
        W,
      ),
    ).toThrow(InputError);
    expect(() =>
      learnHistory(
        ids,
        [
          { cis: ['a'], openedAt: iso(0) },
          { cis: ['a'], openedAt: 'yesterday' },
        ],
        W,
      ),
    ).toThrow(/history entry 1 openedAt/);
  });
});
