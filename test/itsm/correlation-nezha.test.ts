/**
 * Regression on real incident data: a few Online Boutique fault windows of the public Nezha dataset
 * (fixtures/nezha-online-boutique.json, derived by bench/correlation-nezha.ts — topology and the
 * incidents its documented alert rule raised, no raw data). The full evaluation is the bench's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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

  it('finds the injected root cause among the first three candidates in at least 7 of the 8 cases', () => {
    const ranks = runs.map(({ c, r }) => [...new Set(r.groups.flatMap((g) => g.candidates.map((x) => x.id)))].indexOf(c.fault.root));
    // Measured: ranks 2, 3, 1, 1, (miss: a frontend CPU fault where frontend alerted on latency only and checkoutservice on saturation), 1, 1, 1.
    expect(ranks.filter((k) => k >= 0 && k < 3).length).toBeGreaterThanOrEqual(7);
    expect(ranks.filter((k) => k === 0).length).toBeGreaterThanOrEqual(5);
  });
});
