/** Correlation: each signal on hand-checked graphs, grouping, windows and determinism. */
import { describe, expect, it } from 'vitest';
import {
  chanceRate,
  correlate,
  DEFAULT_WEIGHTS,
  scoreCandidate,
  scoreValue,
  specificityLogLikelihood,
  timeOrderValue,
  type CorrelationIncident,
} from '../../engine/correlation/index.ts';
import { at, graph, indexOf, registry } from './helpers.ts';

// dc ← rack ← srv1/srv2 (LOCATED_IN); db1 RUNS_ON srv1, db2 RUNS_ON srv2;
// app1, app2 DEPENDS_ON db1; app3, app4 DEPENDS_ON db2; svcA → app1, app2; svcB → app3, app4.
const estate = graph(
  {
    dc: 'DataCenter',
    rack: 'Rack',
    srv1: 'Server',
    srv2: 'Server',
    db1: 'Database',
    db2: 'Database',
    app1: 'Application',
    app2: 'Application',
    app3: 'Application',
    app4: 'Application',
    svcA: 'BusinessService',
    svcB: 'BusinessService',
  },
  [
    ['rack', 'LOCATED_IN', 'dc'],
    ['srv1', 'LOCATED_IN', 'rack'],
    ['srv2', 'LOCATED_IN', 'rack'],
    ['db1', 'RUNS_ON', 'srv1'],
    ['db2', 'RUNS_ON', 'srv2'],
    ['app1', 'DEPENDS_ON', 'db1'],
    ['app2', 'DEPENDS_ON', 'db1'],
    ['app3', 'DEPENDS_ON', 'db2'],
    ['app4', 'DEPENDS_ON', 'db2'],
    ['svcA', 'DEPENDS_ON', 'app1'],
    ['svcA', 'DEPENDS_ON', 'app2'],
    ['svcB', 'DEPENDS_ON', 'app3'],
    ['svcB', 'DEPENDS_ON', 'app4'],
  ],
);
// Two symmetric providers p1, p2 of one application: only the signals under test can tell them apart.
// app1 and app2 each depend on both: p1 and p2 are the only CIs explaining incidents on both apps.
const twin = graph({ p1: 'Database', p2: 'Database', app1: 'Application', app2: 'Application', svc: 'BusinessService' }, [
  ['app1', 'DEPENDS_ON', 'p1'],
  ['app1', 'DEPENDS_ON', 'p2'],
  ['app2', 'DEPENDS_ON', 'p1'],
  ['app2', 'DEPENDS_ON', 'p2'],
  ['svc', 'DEPENDS_ON', 'app1'],
]);
// The estate with 60 quiet applications on db2: the rack's dependents are mostly without incident.
const quiet = graph(
  {
    dc: 'DataCenter',
    rack: 'Rack',
    srv1: 'Server',
    srv2: 'Server',
    db1: 'Database',
    db2: 'Database',
    app1: 'Application',
    app2: 'Application',
    app3: 'Application',
    ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`q${i}`, 'Application'])),
  },
  [
    ['rack', 'LOCATED_IN', 'dc'],
    ['srv1', 'LOCATED_IN', 'rack'],
    ['srv2', 'LOCATED_IN', 'rack'],
    ['db1', 'RUNS_ON', 'srv1'],
    ['db2', 'RUNS_ON', 'srv2'],
    ['app1', 'DEPENDS_ON', 'db1'],
    ['app2', 'DEPENDS_ON', 'db1'],
    ['app3', 'DEPENDS_ON', 'db2'],
    ...Array.from({ length: 60 }, (_, i): [string, string, string] => [`q${i}`, 'DEPENDS_ON', 'db2']),
  ],
);
const inc = (id: string, ci: string, minutes: number): CorrelationIncident => ({ id, cis: [ci], openedAt: at(minutes) });
const factor = (c: { factors: { signal: string; value: number; contribution: number }[] }, s: string) =>
  c.factors.find((f) => f.signal === s)!;

describe('correlation signals', () => {
  it('coverage: the shared provider that explains every incident ranks first, with evidence paths', () => {
    const r = correlate(indexOf(estate), [inc('I1', 'app1', 2), inc('I2', 'app2', 3), inc('I3', 'svcA', 4)], { registry });
    expect(r.groups).toHaveLength(1);
    const top = r.groups[0]!.candidates[0]!;
    expect(top.id).toBe('db1');
    expect(factor(top, 'coverage').value).toBe(3);
    expect(top.explains).toEqual(['I1', 'I2', 'I3']);
    expect(top.paths.find((p) => p.ci === 'svcA')!.steps).toEqual([
      { from: 'svcA', type: 'DEPENDS_ON', to: 'app1' },
      { from: 'app1', type: 'DEPENDS_ON', to: 'db1' },
    ]);
    // The alerting app1 (it explains svcA) is a candidate of its group too, and so is the server.
    const ids = r.groups[0]!.candidates.map((c) => c.id);
    expect(ids[0]).toBe('db1');
    expect(ids).toEqual(expect.arrayContaining(['app1', 'srv1']));
  });

  it('coverage: a busy window lowers the worth of an explained CI, never below one chance alert per thousand CIs', () => {
    const ctx = { noiseRate: 1e-4, backgroundShare: 0.25 };
    // Quiet window on 1M CIs: the prior 1/n; 10,000 CIs alerting: a quarter of 1 %, capped at 1e-3.
    expect(chanceRate(1_000_000, 0, ctx)).toBe(1e-6);
    expect(chanceRate(1_000_000, 0.001, ctx)).toBe(0.00025);
    expect(chanceRate(1_000_000, 0.01, ctx)).toBe(1e-3);
    expect(chanceRate(20_000, 0.01, { ...ctx, backgroundShare: 0 })).toBe(5e-5);
    const r = correlate(indexOf(estate), [inc('I1', 'app1', 2), inc('I2', 'app2', 3), inc('I3', 'svcA', 4)], { registry });
    expect(factor(r.groups[0]!.candidates[0]!, 'coverage').contribution).toBeCloseTo(3 * -Math.log(1e-3), 3);
  });

  it('specificity: a hub whose dependents are mostly quiet scores below a tight provider', () => {
    expect(specificityLogLikelihood(3, 3)).toBe(0);
    expect(specificityLogLikelihood(3, 4)).toBeGreaterThan(specificityLogLikelihood(3, 40));
    // app1 + app2 under db1, app3 alone under db2: the rack explains all three but db1 wins them.
    const r = correlate(indexOf(quiet), [inc('I1', 'app1', 2), inc('I2', 'app2', 3), inc('I3', 'app3', 4)], { registry });
    // I3 is linked to nothing else: a group of its own, its own CI first.
    expect(r.groups.map((g) => [g.candidates[0]!.id, g.incidents, g.basis])).toEqual([
      ['db1', ['I1', 'I2'], 'shared_provider'],
      ['app3', ['I3'], 'single'],
    ]);
    expect(r.unexplained).toEqual([]);
    const rack = r.groups[0]!.candidates.find((c) => c.id === 'rack')!;
    expect(factor(rack, 'specificity').value).toBeLessThan(factor(r.groups[0]!.candidates[0]!, 'specificity').value);
  });

  it('distance: of two providers explaining the same incidents, the nearer one wins', () => {
    const r = correlate(indexOf(estate), [inc('I1', 'app1', 2), inc('I2', 'app2', 2)], { registry });
    const ids = r.groups[0]!.candidates.map((c) => c.id);
    expect(ids[0]).toBe('db1');
    expect(ids.indexOf('srv1')).toBeGreaterThan(0);
    const db1 = r.groups[0]!.candidates[0];
    const srv1 = r.groups[0]!.candidates.find((c) => c.id === 'srv1');
    expect(factor(db1!, 'distance').value).toBe(1);
    expect(factor(srv1!, 'distance').value).toBe(2);
    expect(factor(srv1!, 'distance').contribution).toBeLessThan(factor(db1!, 'distance').contribution);
  });

  it('own incident: the provider that alerted itself beats its silent twin', () => {
    const r = correlate(indexOf(twin), [inc('I1', 'p2', 0), inc('I2', 'app1', 2), inc('I3', 'app2', 4)], { registry });
    const top = r.groups[0]!.candidates[0]!;
    expect(top.id).toBe('p2');
    expect(factor(top, 'own_incident')).toMatchObject({ value: 1 });
    expect(
      factor(
        r.groups[0]!.candidates.find((c) => c.id === 'p1')!,
        'own_incident',
      ).value,
    ).toBe(0);
  });

  it('recent change: a change implemented shortly before the first incident decides between twins', () => {
    const incidents = [inc('I1', 'app1', 0), inc('I2', 'app2', 2), inc('I3', 'svc', 4)];
    // Without a change the twins tie and the smaller id comes first.
    expect(
      correlate(indexOf(twin), incidents, { registry })
        .groups[0]!.candidates.slice(0, 2)
        .map((c) => c.id),
    ).toEqual(['p1', 'p2']);
    const withChange = correlate(indexOf(twin), incidents, {
      registry,
      changes: [{ id: 'CHG-000001', cis: ['p2'], implementedAt: at(-10) }],
    });
    const top = withChange.groups[0]!.candidates[0]!;
    expect(top.id).toBe('p2');
    expect(factor(top, 'recent_change')).toMatchObject({ evidence: { change: 'CHG-000001' } });
    expect(factor(top, 'recent_change').value).toBeCloseTo(1 - (0.5 * 10) / 120, 3);
    // Three hours before is not "recent" (default lookback 2h); after the incidents never counts.
    for (const when of [at(-180), at(30)]) {
      const r = correlate(indexOf(twin), incidents, { registry, changes: [{ id: 'CHG-000002', cis: ['p2'], implementedAt: when }] });
      expect(r.groups[0]!.candidates[0]!.id).toBe('p1');
    }
  });

  it('time order: providers fail first — positive when nearer incidents opened earlier', () => {
    // distances 0,1,2 opened at 0,2,4 minutes → +1; reversed → −1; no spread → 0.
    const sums = (ds: number[], ts: number[]) =>
      timeOrderValue(
        ds.length,
        ds.reduce((a, b) => a + b),
        ts.reduce((a, b) => a + b),
        ds.reduce((a, d) => a + d * d, 0),
        ts.reduce((a, t) => a + t * t, 0),
        ds.reduce((a, d, i) => a + d * ts[i]!, 0),
      );
    expect(sums([0, 1, 2], [0, 2, 4])).toBeCloseTo(1);
    expect(sums([0, 1, 2], [4, 2, 0])).toBeCloseTo(-1);
    expect(sums([1, 1, 1], [0, 2, 4])).toBe(0);
    const inOrder = correlate(indexOf(twin), [inc('I1', 'p2', 0), inc('I2', 'app1', 2), inc('I3', 'app2', 2), inc('I4', 'svc', 6)], {
      registry,
    });
    const late = correlate(indexOf(twin), [inc('I1', 'p2', 9), inc('I2', 'app1', 2), inc('I3', 'app2', 2), inc('I4', 'svc', 6)], {
      registry,
    });
    const p2 = (r: typeof inOrder) => r.groups[0]!.candidates.find((c) => c.id === 'p2')!;
    expect(factor(p2(inOrder), 'time_order').value).toBeGreaterThan(0.9);
    expect(factor(p2(late), 'time_order').value).toBeLessThan(0);
    expect(p2(late).score).toBeLessThan(p2(inOrder).score);
  });
  it('the score without factors is the folded factors to the last bit (the cover and the report rank by it)', () => {
    const ctx = { weights: DEFAULT_WEIGHTS, changeLookback: 2 * 3_600_000, changeGrace: 300_000, noiseRate: 1e-4, backgroundShare: 0.25 };
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 500; i++) {
      const k = 1 + Math.floor(rnd() * 40);
      const t0 = 1_700_000_000_000;
      const stats = {
        n: 1000 + Math.floor(rnd() * 1e6),
        background: rnd() * 0.01,
        k,
        reach: k + Math.floor(rnd() * 5000),
        sumDistance: k * (1 + rnd() * 8),
        ownOpenedAt: rnd() < 0.5 ? Number.NaN : t0,
        firstOpenedAt: t0,
        sumT: rnd() * 100,
        sumTT: rnd() * 1000,
        sumDD: rnd() * 500,
        sumDT: rnd() * 300 - 150,
        weightSum: k * (0.2 + 0.8 * rnd()),
        ownWeight: rnd() < 0.5 ? 1 : rnd(),
        ownStrength: rnd() < 0.5 ? Number.NaN : rnd(),
        ownQuiet: rnd() < 0.5 ? 1 : 0,
        ownCredit: rnd() < 0.5 ? 1 : rnd(),
        changes: rnd() < 0.3 ? [{ id: 'C1', at: t0 - rnd() * 3 * 3_600_000 }] : [],
      };
      expect(scoreValue(stats, ctx)).toBe(scoreCandidate(stats, ctx).score);
    }
  });
});

describe('correlate', () => {
  it('groups two simultaneous faults separately', () => {
    const incidents = [
      inc('A1', 'app1', 1),
      inc('A2', 'app2', 2),
      inc('A3', 'svcA', 3),
      inc('B1', 'db2', 0),
      inc('B2', 'app3', 2),
      inc('B3', 'app4', 2),
    ];
    const r = correlate(indexOf(estate), incidents, { registry });
    const byRoot = Object.fromEntries(r.groups.map((g) => [g.candidates[0]!.id, g.incidents]));
    expect(byRoot).toEqual({ db1: ['A1', 'A2', 'A3'], db2: ['B1', 'B2', 'B3'] });
    expect(r.unexplained).toEqual([]);
  });

  it('finds a provider twelve hops up (generated estates propagate that deep) and reports its path', () => {
    const chain: Record<string, string> = { root: 'Database' };
    const edges: [string, string, string][] = [];
    for (let i = 1; i <= 12; i++) {
      chain[`a${i}`] = 'Application';
      edges.push([`a${i}`, 'DEPENDS_ON', i === 1 ? 'root' : `a${i - 1}`]);
    }
    chain.b = 'Application';
    edges.push(['b', 'DEPENDS_ON', 'root']);
    const r = correlate(indexOf(graph(chain, edges)), [inc('I1', 'root', 0), inc('I2', 'b', 1), inc('I3', 'a12', 3)], { registry });
    const top = r.groups[0]!.candidates[0]!;
    expect(top.id).toBe('root');
    expect(top.explains).toEqual(['I1', 'I2', 'I3']);
    expect(top.paths.find((p) => p.ci === 'a12')!.steps).toHaveLength(12);
    expect(
      correlate(indexOf(graph(chain, edges)), [inc('I1', 'root', 0), inc('I2', 'b', 1), inc('I3', 'a12', 3)], { registry, maxDepth: 8 })
        .groups[0]!.candidates[0]!.explains,
    ).toEqual(['I1', 'I2']);
  });

  it('correlates incidents further apart than the window separately', () => {
    const r = correlate(indexOf(estate), [inc('I1', 'app1', 0), inc('I2', 'app2', 120)], { registry, window: '30m' });
    expect(r.stats.timeClusters).toBe(2);
    expect(r.groups.map((g) => [g.incidents, g.basis])).toEqual([
      [['I1'], 'single'],
      [['I2'], 'single'],
    ]);
    expect(r.unexplained).toEqual([]);
    expect(
      correlate(indexOf(estate), [inc('I1', 'app1', 0), inc('I2', 'app2', 120)], { registry, window: '3h' }).groups.map((g) => g.incidents),
    ).toEqual([['I1', 'I2']]);
  });

  it('is deterministic: input order does not change the answer', () => {
    const incidents = [inc('A1', 'app1', 1), inc('A2', 'app2', 1), inc('B1', 'app3', 1), inc('B2', 'app4', 1), inc('N1', 'svcB', 1)];
    const a = correlate(indexOf(estate), incidents, { registry });
    const b = correlate(indexOf(estate), [...incidents].reverse(), { registry });
    expect(b).toEqual(a);
  });

  it('reports incidents on unknown CIs and refuses duplicate ids and bad times', () => {
    const r = correlate(indexOf(estate), [inc('I1', 'nope', 0)], { registry });
    expect(r.unknownCis).toEqual(['I1']);
    expect(() => correlate(indexOf(estate), [inc('I1', 'app1', 0), inc('I1', 'app2', 0)], { registry })).toThrow(/given twice/);
    expect(() => correlate(indexOf(estate), [{ id: 'I1', cis: ['app1'], openedAt: 'yesterday' }], { registry })).toThrow(/not a time/);
    expect(() => correlate(indexOf(estate), [], { registry, window: '30 minutes' })).toThrow(/duration/);
  });
});
