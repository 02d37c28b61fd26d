/**
 * Regression on real incident data: a few Online Boutique fault windows of the public Nezha dataset
 * (fixtures/nezha-online-boutique.json, derived by bench/correlation-nezha.ts — topology and the
 * incidents its documented alert rule raised, no raw data). The full evaluation is the bench's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  alerts,
  calibrate,
  carriedOver,
  DAY,
  firing,
  readTraces,
  rolling,
  seriesKey,
  traceSeries,
  type Series,
} from '../../bench/correlation-nezha.ts';
import { correlate, type CorrelationIncident, type HistoricalIncident } from '../../engine/correlation/index.ts';
import { graph, indexOf, registry } from './helpers.ts';

interface Fixture {
  system: { cis: { id: string; class: string }[]; relationships: { from: string; type: string; to: string }[] };
  history: HistoricalIncident[];
  cases: { fault: { at: string; root: string; type: string }; incidents: CorrelationIncident[] }[];
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/nezha-online-boutique.json', import.meta.url), 'utf8')) as Fixture;
const index = indexOf(
  graph(
    Object.fromEntries(fx.system.cis.map((c) => [c.id, c.class])),
    fx.system.relationships.map((r) => [r.from, r.type, r.to]),
  ),
);
const MINUTE = 60_000;

/** The history without the case's own window (the bench's leave-one-out). */
const historyFor = (at: string) => fx.history.filter((h) => Math.abs(Date.parse(String(h.openedAt)) - Date.parse(at)) >= 12 * MINUTE);

describe('correlation on real incident data (Nezha, Online Boutique)', () => {
  const runs = fx.cases.map((c) => ({ c, r: correlate(index, c.incidents, { registry, window: '10m', history: historyFor(c.fault.at) }) }));

  it('puts every incident in exactly one group and orders groups by confidence', () => {
    for (const { c, r } of runs) {
      expect(r.groups.flatMap((g) => g.incidents).sort()).toEqual(c.incidents.map((i) => i.id).sort());
      expect(r.unexplained).toEqual([]);
      const conf = r.groups.map((g) => g.confidence);
      expect(conf).toEqual([...conf].sort((a, b) => b - a));
    }
  });

  it('finds the injected root cause first in at least 6 of the 7 cases and among the first three in all of them', () => {
    const ranks = runs.map(({ c, r }) => [...new Set(r.groups.flatMap((g) => g.candidates.map((x) => x.id)))].indexOf(c.fault.root));
    // Measured under the causal rule (the default since i13-nezha: rolling 60-sample baseline
    // outside earlier faults' windows, carried over from the day before, per-series false-alarm
    // budget 0.02): ranks 1, 1, 1, 1, 1, 2, 1. The fixture's cases are every sixth fault with two
    // incidents or more — 7 under this rule, 8 under the day-wide rule before it (ranks 1, 1, 1, 1,
    // 1, 1, 3, 1; bench/README.md).
    expect(runs).toHaveLength(7);
    expect(ranks.filter((k) => k >= 0 && k < 3).length).toBe(7);
    expect(ranks.filter((k) => k === 0).length).toBeGreaterThanOrEqual(6);
  });

  it('ranks first a caller whose CPU fault slowed its calls to every callee, which its callers saw as observed alerts', () => {
    const { c, r } = runs.find(({ c }) => c.fault.root === 'checkoutservice')!;
    const observed = c.incidents.filter((x) => x.observedBy?.includes('checkoutservice'));
    expect(observed.length).toBeGreaterThanOrEqual(4);
    expect(r.groups[0]!.candidates[0]!.id).toBe('checkoutservice');
    expect(r.groups[0]!.candidates[0]!.explains).toEqual(expect.arrayContaining(observed.map((x) => x.id)));
  });

  it('keeps the root of a network delay that its callers saw in their calls to it among the first three', () => {
    const { c, r } = runs.find(({ c }) => c.fault.type === 'network_delay')!;
    expect(c.incidents.some((x) => x.cis.length === 1 && x.cis[0] === c.fault.root && (x.observedBy?.length ?? 0) >= 2)).toBe(true);
    // Third: its caller checkoutservice alerted on its own latency too and, as the observer of the
    // slow calls, explains the same alerts with a smaller reach (bench/README.md, the misses).
    expect(r.groups[0]!.candidates.slice(0, 3).map((x) => x.id)).toContain(c.fault.root);
  });
});

/**
 * The bench's APM alert series (issue 13): trace files in the snapshot's format, written to a
 * temporary directory — frontend calls cartservice and currencyservice in every trace; cartservice slow in minutes
 * 20–22, the frontend slow to see its answers (its own CPU) in minutes 26–28 — read by the same
 * code the real-data evaluation runs.
 */
describe('trace-derived alerts of the real-data bench', () => {
  const date = '2023-01-29';
  const minuteMs = (m: number) => Date.parse(`${date}T10:${String(m).padStart(2, '0')}:00Z`);
  const dir = mkdtempSync(join(tmpdir(), 'nezha-traces-'));
  const header = 'TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration';
  for (let m = 0; m < 30; m++) {
    const slow = m >= 20 && m <= 22;
    const callerSlow = m >= 26 && m <= 28;
    // Minute 25 holds too few calls to make a sample.
    const calls = m === 25 ? 3 : 10;
    const lines = [header];
    for (let k = 0; k < calls; k++) {
      // µs; a little spread so the baseline has a scale.
      const server = slow ? 400_000 : 10_000 + ((m + k) % 4) * 500;
      const client = server + (callerSlow ? 300_000 : 2_000);
      const server2 = 5_000 + ((m + k) % 3) * 500;
      const client2 = server2 + (callerSlow ? 300_000 : 2_000);
      const start = (BigInt(minuteMs(m) + k * 1000) * 1_000_000n).toString();
      const id = `${m}x${k}`;
      lines.push(
        `t${id},r${id},root,frontend-579b9bff58-t2dbm,hipstershop.Frontend/Recv.,${start},${start},${client + client2 + 1_000}`,
        `t${id},c${id},r${id},frontend-579b9bff58-t2dbm,hipstershop.CartService/GetCart,${start},${start},${client}`,
        `t${id},s${id},c${id},cartservice-579f59597d-wc2lz,hipstershop.CartService/GetCart,${start},${start},${server}`,
        `t${id},d${id},r${id},frontend-579b9bff58-t2dbm,hipstershop.CurrencyService/Convert,${start},${start},${client2}`,
        `t${id},e${id},d${id},currencyservice-cf787dd48-vpjrd,grpc.hipstershop.CurrencyService/Convert,${start},${start},${server2}`,
      );
    }
    writeFileSync(join(dir, `10_${String(m).padStart(2, '0')}_trace.csv`), `${lines.join('\n')}\n`);
  }
  const spans = readTraces(dir, date);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the call edge a span whose parent ran in another service shows', () => {
    expect(spans.edges).toEqual([
      ['frontend', 'cartservice'],
      ['frontend', 'currencyservice'],
    ]);
    expect(spans.minutes).toHaveLength(30);
  });

  it('names the callee of a slow edge, and the caller too only when asked', () => {
    const callee = traceSeries(spans, 'callee').map((s) => [s.name, s.cis]);
    expect(callee).toEqual([
      ['TraceServerP90', ['cartservice']],
      ['TraceServerP90', ['currencyservice']],
      ['TraceServerP90', ['frontend']],
      ['TraceClientP90 frontend→cartservice', ['cartservice']],
      ['TraceClientP90 frontend→currencyservice', ['currencyservice']],
    ]);
    const both = traceSeries(spans, 'both').find((s) => s.name.startsWith('TraceClientP90'));
    expect(both?.cis).toEqual(['frontend', 'cartservice']);
  });

  it('stamps a minute at its end and makes no sample of a minute with too few spans', () => {
    const server = traceSeries(spans, 'callee').find((s) => s.cis[0] === 'cartservice')!;
    expect(server.t[0]).toBe(minuteMs(1));
    expect(server.t).not.toContain(minuteMs(26));
    expect(server.t).toHaveLength(29);
  });

  it('raises latency incidents on the slow callee and its caller in the fault window, none in a quiet one', () => {
    const series = traceSeries(spans, 'callee');
    const raised = alerts(series, minuteMs(20), 6, 2, 'f');
    expect(raised.map((x) => [x.cis, x.signal, x.openedAt])).toEqual([
      [['cartservice'], 'latency', new Date(minuteMs(21)).toISOString()],
      [['frontend'], 'latency', new Date(minuteMs(21)).toISOString()],
    ]);
    expect(alerts(series, minuteMs(5), 6, 2, 'q')).toEqual([]);
    // Both ends named: the edge's alert is an incident of its own beside the two services'.
    expect(alerts(traceSeries(spans, 'both'), minuteMs(20), 6, 2, 'b').map((x) => x.cis)).toEqual([
      ['cartservice'],
      ['frontend'],
      ['frontend', 'cartservice'],
    ]);
  });

  it('blames the callee for a caller-side delay when the edge alert names the callee, and both ends with the gap series', () => {
    const window = minuteMs(26);
    expect(alerts(traceSeries(spans, 'callee'), window, 6, 2, 'c').map((x) => x.cis)).toEqual([
      ['cartservice'],
      ['currencyservice'],
      ['frontend'],
    ]);
    expect(alerts(traceSeries(spans, 'gap'), window, 6, 2, 'g').map((x) => x.cis)).toEqual([
      ['frontend'],
      ['frontend', 'cartservice'],
      ['frontend', 'currencyservice'],
    ]);
    // The callee's own slowness is not in the gap: only the services' server series alert.
    expect(alerts(traceSeries(spans, 'gap'), minuteMs(20), 6, 2, 'g').map((x) => x.cis)).toEqual([['cartservice'], ['frontend']]);
  });

  it('names the caller once when its calls are slow on most of its edges, and the callee when one edge is slow', () => {
    expect(alerts(traceSeries(spans, 'fanout'), minuteMs(26), 6, 2, 'f').map((x) => x.cis)).toEqual([['frontend']]);
    expect(alerts(traceSeries(spans, 'fanout'), minuteMs(20), 6, 2, 'f').map((x) => x.cis)).toEqual([['cartservice'], ['frontend']]);
  });

  it('raises an observed incident on each slow callee, observed by the caller, apart from the services’ own alerts', () => {
    const series = traceSeries(spans, 'observed');
    expect(series.filter((x) => x.observer !== undefined).map((x) => [x.name, x.cis, x.observer])).toEqual([
      ['TraceClientP90 frontend→cartservice', ['cartservice'], 'frontend'],
      ['TraceClientP90 frontend→currencyservice', ['currencyservice'], 'frontend'],
    ]);
    // Callee slow: its own server series and the caller's observation are two incidents.
    expect(alerts(series, minuteMs(20), 6, 2, 'o').map((x) => [x.cis, x.observedBy])).toEqual([
      [['cartservice'], undefined],
      [['cartservice'], ['frontend']],
      [['frontend'], undefined],
    ]);
    // Caller slow: every callee observed slow by it; the engine decides which end is the cause.
    expect(alerts(series, minuteMs(26), 6, 2, 'o').map((x) => [x.cis, x.observedBy])).toEqual([
      [['cartservice'], ['frontend']],
      [['currencyservice'], ['frontend']],
      [['frontend'], undefined],
    ]);
  });

  it('keeps the strongest series family as the incident signal, or the most cause-like one when asked', () => {
    const server = traceSeries(spans, 'callee').find((s) => s.name === 'TraceServerP90' && s.cis[0] === 'cartservice')!;
    // The same deviation seen by a saturation series listed after it: equal scores, so "strongest" keeps the first.
    const both = [server, { ...server, name: 'CpuUsageRate', signal: 'saturation' as const }];
    expect(alerts(both, minuteMs(20), 6, 2, 's').map((x) => x.signal)).toEqual(['latency']);
    expect(alerts(both, minuteMs(20), 6, 2, 's', 'cause').map((x) => x.signal)).toEqual(['saturation']);
  });
});

/** The alert rule's baselines and thresholds (issue 13): what a monitor can know, and a false-alarm budget. */
describe('the causal alert rule of the real-data bench', () => {
  const T = Date.parse('2023-01-29T08:00:00Z');
  const min = (m: number) => T + m * MINUTE;
  /** One sample a minute for 120 minutes: 1 ± a little, with `spike(m)` where given. */
  const make = (spike: (m: number) => number | undefined): Series => {
    const t = Array.from({ length: 120 }, (_, m) => min(m));
    const x = t.map((_, m) => spike(m) ?? 1 + ((m * 7) % 5) * 0.01);
    return { cis: ['svc'], name: 'CpuUsageRate', signal: 'saturation', dir: 1, t, x, median: 1.02, scale: 0.1, floor: 0 };
  };

  it('judges a window against the samples before it only: later minutes never move the baseline, and a series with too little past cannot alert', () => {
    const spike = make((m) => (m >= 60 && m <= 62 ? 3 : undefined));
    expect(firing([spike], min(60), 6, 2, rolling(30)).map((f) => f.hits)).toEqual([3]);
    // The same past, then a level shift after the window: the window's verdict is unchanged.
    const later = make((m) => (m >= 60 && m <= 62 ? 3 : m > 70 ? 50 : undefined));
    expect(firing([later], min(60), 6, 2, rolling(30)).map((f) => f.hits)).toEqual([3]);
    // A day-wide baseline knows the future: the shifted day's median swallows the spike.
    const dayWide = { ...later, median: 1.04, scale: 25 };
    expect(firing([dayWide], min(60), 6, 2, DAY)).toEqual([]);
    // Minute 5: five past samples, fewer than the ten a baseline needs.
    const early = make((m) => (m >= 5 && m <= 7 ? 3 : undefined));
    expect(firing([early], min(5), 6, 2, rolling(30))).toEqual([]);
    expect(firing([early], min(5), 6, 2, DAY)).toHaveLength(1);
  });

  it("keeps earlier incidents' windows out of the rolling baseline, and uses the plain past when too little is left", () => {
    // Three faults at minutes 40, 46 and 52 held the series at 3 until minute 58; a new fault at 60.
    const faults = [40, 46, 52].map(min);
    const s = make((m) => (m >= 40 && m <= 58 ? 3 : m >= 60 && m <= 62 ? 3 : undefined));
    expect(firing([s], min(60), 6, 2, rolling(30))).toEqual([]);
    expect(firing([s], min(60), 6, 2, rolling(30, faults)).map((f) => f.hits)).toEqual([3]);
    // Every past sample inside a known incident (the trace series of the snapshot): the plain past is the baseline.
    const everywhere = Array.from({ length: 10 }, (_, k) => min(k * 6));
    expect(firing([s], min(60), 6, 2, rolling(30, everywhere))).toEqual(firing([s], min(60), 6, 2, rolling(30)));
  });

  it("reads the same series' earlier day in a day's first hour, as a monitor running since then would", () => {
    // Day 2 starts at minute 200 with a fault at its first minutes; day 1 held the series at 1.
    const day1 = make(() => undefined);
    const day2 = { ...make((m) => (m <= 2 ? 3 : undefined)) };
    day2.t = day2.t.map((t) => t + 200 * MINUTE);
    const carried = carriedOver([[day1], [day2]]);
    expect(carried(day2).t).toHaveLength(240);
    expect(carried(day1).t).toHaveLength(120);
    expect(firing([day2], min(200), 6, 2, rolling(60))).toEqual([]);
    expect(firing([day2], min(200), 6, 2, rolling(60, [], carried)).map((f) => f.hits)).toEqual([3]);
  });

  it('raises the threshold of a series that fires in more quiet windows than the budget allows, and keeps the rule for the others', () => {
    // A flapper: a 3× spike in every third window's first two minutes; a steady series never fires.
    const flapper = make((m) => (Math.floor(m / 6) % 3 === 0 && m % 6 < 2 && m >= 30 ? 3 : undefined));
    const steady = { ...make(() => undefined), name: 'MemoryUsageRate' };
    const quiet = Array.from({ length: 20 }, (_, k) => ({ at: min(k * 6), series: [flapper, steady] }));
    const th = calibrate(quiet, 6, 2, rolling(30), 0.02);
    expect(th.has(seriesKey(steady))).toBe(false);
    const z = th.get(seriesKey(flapper))!;
    expect(z).toBeGreaterThan(6);
    // Calibrated, the flapper no longer fires in its usual windows; without the budget it does.
    const usual = min(36);
    expect(firing([flapper], usual, 6, 2, rolling(30))).toHaveLength(1);
    expect(firing([flapper], usual, 6, 2, rolling(30), th)).toEqual([]);
    // A fault far beyond its usual spikes still fires.
    const fault = make((m) => (m >= 90 && m <= 92 ? 300 : Math.floor(m / 6) % 3 === 0 && m % 6 < 2 && m >= 30 ? 3 : undefined));
    expect(firing([fault], min(90), 6, 2, rolling(30), th)).toHaveLength(1);
  });

  it('raises the same incidents through alerts() as the series that fire, under the rolling baseline and the budget', () => {
    const spike = make((m) => (m >= 60 && m <= 62 ? 3 : undefined));
    expect(alerts([spike], min(60), 6, 2, 'r', 'cause', rolling(30), new Map()).map((x) => [x.cis, x.signal])).toEqual([
      [['svc'], 'saturation'],
    ]);
    expect(alerts([spike], min(60), 6, 2, 'r', 'cause', rolling(30), new Map([[seriesKey(spike), 1e6]]))).toEqual([]);
  });
});
