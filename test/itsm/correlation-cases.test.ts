/**
 * Correlation on the shapes real alerting takes (issue 13): a lone incident, a caller and the
 * service it calls, an alerting load balancer in front of a failing service, a chronic flapper
 * learned from the history, a missing edge; plus the optional alert evidence and the confidence
 * that orders groups.
 */
import { describe, expect, it } from 'vitest';
import {
  correlate,
  strengthOf,
  type CorrelationIncident,
  type CorrelationResult,
  type HistoricalIncident,
  type RankedCandidate,
} from '../../engine/correlation/index.ts';
import { at, graph, indexOf, registry } from './helpers.ts';

// web → lb → api → db; web → cache; worker → api; api RUNS_ON vm; a second shop (web2 → api2 → db2);
// web and web2 read a feature-flag service; two small serverless functions share a host.
const shop = graph(
  {
    web: 'Application',
    lb: 'LoadBalancer',
    api: 'ApplicationService',
    db: 'Database',
    cache: 'Cache',
    worker: 'Application',
    vm: 'VirtualMachine',
    web2: 'Application',
    api2: 'ApplicationService',
    db2: 'Database',
    flag: 'ApplicationService',
    fn1: 'Application',
    fn2: 'Application',
    fnhost: 'CloudResource',
  },
  [
    ['web', 'DEPENDS_ON', 'lb'],
    ['lb', 'DEPENDS_ON', 'api'],
    ['api', 'DEPENDS_ON', 'db'],
    ['web', 'DEPENDS_ON', 'cache'],
    ['worker', 'DEPENDS_ON', 'api'],
    ['api', 'RUNS_ON', 'vm'],
    ['web2', 'DEPENDS_ON', 'api2'],
    ['api2', 'DEPENDS_ON', 'db2'],
    ['web', 'DEPENDS_ON', 'flag'],
    ['web2', 'DEPENDS_ON', 'flag'],
    ['fn1', 'RUNS_ON', 'fnhost'],
    ['fn2', 'RUNS_ON', 'fnhost'],
  ],
);
// The same estate as the CMDB knows it: the edge from the load balancer to the api is missing,
// so web depends on lb and api "directly" (the caller's view: both alert under it).
const incomplete = graph(
  {
    web: 'Application',
    lb: 'LoadBalancer',
    api: 'ApplicationService',
    db: 'Database',
    cache: 'Cache',
    worker: 'Application',
    vm: 'VirtualMachine',
  },
  [
    ['web', 'DEPENDS_ON', 'lb'],
    ['web', 'DEPENDS_ON', 'api'],
    ['api', 'DEPENDS_ON', 'db'],
    ['web', 'DEPENDS_ON', 'cache'],
    ['worker', 'DEPENDS_ON', 'api'],
    ['api', 'RUNS_ON', 'vm'],
  ],
);

const shopIndex = indexOf(shop);
const incompleteIndex = indexOf(incomplete);
const inc = (id: string, ci: string, minutes: number, extra: Partial<CorrelationIncident> = {}): CorrelationIncident => ({
  id,
  cis: [ci],
  openedAt: at(minutes),
  ...extra,
});
const groupOf = (r: CorrelationResult, id: string) => r.groups.find((g) => g.incidents.includes(id))!;
const factor = (c: RankedCandidate, s: string) => c.factors.find((f) => f.signal === s)!;
const allIncidents = (r: CorrelationResult) => r.groups.flatMap((g) => g.incidents).sort();

describe('correlation on real alerting shapes', () => {
  it('a lone incident is a group of its own, its CI first, its providers up to two hops behind it', () => {
    const r = correlate(shopIndex, [inc('I1', 'api', 0)], { registry });
    expect(r.groups).toHaveLength(1);
    const g = r.groups[0]!;
    expect(g).toMatchObject({ incidents: ['I1'], basis: 'single' });
    expect(g.candidates[0]!.id).toBe('api');
    expect(factor(g.candidates[0]!, 'own_incident').value).toBe(1);
    expect(g.candidates.map((c) => c.id).sort()).toEqual(['api', 'db', 'vm']);
    expect(g.confidence).toBeGreaterThan(0);
    expect(g.confidence).toBeLessThan(1);
    expect(r.unexplained).toEqual([]);
  });

  it('a caller and the failing service it calls form one group, the service first (an alerting CI whose providers are quiet is the natural root)', () => {
    const r = correlate(shopIndex, [inc('C', 'worker', 2), inc('S', 'api', 0)], { registry });
    expect(r.groups.map((g) => g.incidents)).toEqual([['S', 'C']]);
    const [top, ...rest] = r.groups[0]!.candidates;
    expect(top!.id).toBe('api');
    expect(top!.explains).toEqual(['C', 'S']);
    expect(factor(top!, 'natural_root')).toMatchObject({ value: 1 });
    // The caller alerted too, but its provider did: no natural-root credit, and it explains less.
    const worker = rest.find((c) => c.id === 'worker')!;
    expect(factor(worker, 'natural_root').value).toBe(0);
    expect(worker.score).toBeLessThan(top!.score);
  });

  it('the failing service raising its own incident is never left out when an alerting load balancer in front of it also explains the caller', () => {
    // web, lb and api alert; worker (another caller of api) alerts too.
    const incidents = [inc('W', 'web', 3), inc('L', 'lb', 1), inc('A', 'api', 0), inc('K', 'worker', 2)];
    const r = correlate(shopIndex, incidents, { registry });
    expect(allIncidents(r)).toEqual(['A', 'K', 'L', 'W']);
    expect(r.unexplained).toEqual([]);
    const g = groupOf(r, 'A');
    expect(g.incidents.sort()).toEqual(['A', 'K', 'L', 'W']);
    // The api explains everything (the load balancer only its own caller): it leads, with its own incident.
    expect(g.candidates[0]!.id).toBe('api');
    expect(g.candidates.map((c) => c.id)).toContain('lb');
  });

  it('with the load balancer → service edge missing, both alerting siblings of the caller are kept and the ambiguity is stated', () => {
    const incidents = [inc('W', 'web', 3), inc('L', 'lb', 1), inc('A', 'api', 0)];
    const r = correlate(incompleteIndex, incidents, { registry });
    expect(r.unexplained).toEqual([]);
    expect(allIncidents(r)).toEqual(['A', 'L', 'W']);
    const g = groupOf(r, 'W');
    expect(g.incidents.sort()).toEqual(['A', 'L', 'W']);
    const ids = g.candidates.map((c) => c.id);
    expect(ids).toContain('api');
    expect(ids).toContain('lb');
    expect(g.ambiguity).toBeDefined();
    expect(g.ambiguity!.candidates.sort()).toEqual(['api', 'lb']);
    expect(g.ambiguity!.note).toMatch(/web/);
    expect(g.ambiguity!.note).toMatch(/missing an edge/);
  });

  it('chronic flappers learned from the history weigh less as evidence and as candidates, and their group comes after the real problem', () => {
    // The two serverless functions alert in almost every half hour of the last four days.
    const history: HistoricalIncident[] = [];
    for (let w = 0; w < 200; w++)
      if (w % 10 !== 0) history.push({ cis: ['fn1'], openedAt: at(-30 * (w + 1)) }, { cis: ['fn2'], openedAt: at(-30 * (w + 1) + 1) });
    // Now: both flap again (on their shared host, three incidents), and api2 fails (its caller web2 alerts).
    const incidents = [inc('F1', 'fn1', 0), inc('F2', 'fn2', 1), inc('F3', 'fn1', 2), inc('A2', 'api2', 1), inc('W2', 'web2', 2)];
    const without = correlate(shopIndex, incidents, { registry });
    const withHistory = correlate(shopIndex, incidents, { registry, history });
    const real = groupOf(withHistory, 'A2');
    expect(real.incidents.sort()).toEqual(['A2', 'W2']);
    expect(real.candidates[0]!.id).toBe('api2');
    // Without history the flappers' group (three incidents under their host) came first; with it,
    // the real problem does, and the flappers' incidents are no longer evidence enough to be grouped.
    expect(groupOf(without, 'F1').incidents.sort()).toEqual(['F1', 'F2', 'F3']);
    expect(without.groups[0]!.incidents).toContain('F1');
    expect(withHistory.groups[0]).toBe(real);
    for (const id of ['F1', 'F2', 'F3']) {
      expect(groupOf(withHistory, id).incidents).not.toContain('A2');
      expect(groupOf(withHistory, id).confidence).toBeLessThan(0.5);
    }
    const candidate = (r: CorrelationResult, id: string) => groupOf(r, 'F1').candidates.find((c) => c.id === id)!;
    // As a candidate: its own incident is discounted by its chronic weight.
    expect(factor(candidate(withHistory, 'fn1'), 'own_incident').contribution).toBeLessThan(
      factor(candidate(without, 'fn1'), 'own_incident').contribution / 5,
    );
    expect(factor(candidate(withHistory, 'fn1'), 'own_incident').evidence).toMatchObject({ chronicWeight: expect.any(Number) });
    // As evidence: the host explaining the flappers' incidents loses most of that coverage.
    expect(factor(candidate(withHistory, 'fnhost'), 'chronic_noise').contribution).toBeLessThan(
      -0.5 * factor(candidate(withHistory, 'fnhost'), 'coverage').contribution,
    );
    expect(factor(candidate(without, 'fnhost'), 'chronic_noise').contribution).toBe(0);
  });

  it('chronic noise is learned per signal: a CI that flaps on latency is not chronic for errors', () => {
    const history: HistoricalIncident[] = [];
    for (let w = 0; w < 100; w++) history.push({ cis: ['api2'], openedAt: at(-30 * (w + 1)), signal: 'latency' });
    const asLatency = correlate(shopIndex, [inc('A', 'api2', 0, { signal: 'latency' })], { registry, history });
    const asErrors = correlate(shopIndex, [inc('A', 'api2', 0, { signal: 'errors' })], { registry, history });
    expect(asErrors.groups[0]!.confidence).toBeGreaterThan(asLatency.groups[0]!.confidence + 0.3);
  });

  it('a missing edge does not lose an alert: an incident linked to nothing shares no group and still has its candidates', () => {
    // With api → db missing from the CMDB's view (incomplete has it; use shop2's isolated db2): db2 and web alert.
    const r = correlate(shopIndex, [inc('D', 'db2', 0), inc('C', 'cache', 1)], { registry });
    expect(r.groups.map((g) => [g.incidents, g.basis])).toEqual(
      expect.arrayContaining([
        [['D'], 'single'],
        [['C'], 'single'],
      ]),
    );
    expect(r.groups.every((g) => g.candidates.length > 0)).toBe(true);
    expect(r.unexplained).toEqual([]);
  });

  it('incidents linked only through each other (a service and its caller two hops up) stay one linked group when the cover declines them', () => {
    // Both CIs alert in half of the windows: their pair is too weak a shared-cause group for the
    // cover, but the caller still depends on the service — one linked group, not two.
    const history: HistoricalIncident[] = [];
    for (let w = 0; w < 100; w += 2)
      history.push({ cis: ['db2'], openedAt: at(-30 * (w + 1)) }, { cis: ['web2'], openedAt: at(-30 * (w + 1)) });
    const r = correlate(shopIndex, [inc('D', 'db2', 0), inc('W', 'web2', 2)], { registry, history });
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]).toMatchObject({ incidents: ['D', 'W'], basis: 'linked' });
    // Its candidates: both alerting CIs (db2 explains both incidents).
    expect(r.groups[0]!.candidates.map((c) => c.id).sort()).toEqual(['db2', 'web2']);
    expect(r.groups[0]!.candidates.find((c) => c.id === 'db2')!.explains).toEqual(['D', 'W']);
  });

  it('optional severity, signal and anomaly score strengthen an incident as evidence, and bad values are refused', () => {
    expect(strengthOf({ id: 'x', cis: ['a'], openedAt: 0 })).toBeNaN();
    expect(strengthOf({ id: 'x', cis: ['a'], openedAt: 0, severity: 1, signal: 'availability', anomalyScore: 1e6 })).toBeCloseTo(1, 6);
    expect(strengthOf({ id: 'x', cis: ['a'], openedAt: 0, severity: 4, signal: 'latency', anomalyScore: 0 })).toBeCloseTo(0.1, 6);
    const strong = correlate(shopIndex, [inc('A', 'api', 0, { severity: 1, signal: 'saturation', anomalyScore: 30 })], { registry });
    const weak = correlate(shopIndex, [inc('A', 'api', 0, { severity: 4, signal: 'latency', anomalyScore: 1 })], { registry });
    const plain = correlate(shopIndex, [inc('A', 'api', 0)], { registry });
    const own = (r: CorrelationResult) => factor(r.groups[0]!.candidates[0]!, 'own_incident').contribution;
    expect(own(strong)).toBeGreaterThan(own(plain));
    expect(own(weak)).toBeLessThan(own(plain));
    expect(strong.groups[0]!.confidence).toBeGreaterThan(weak.groups[0]!.confidence);
    expect(() => correlate(shopIndex, [inc('A', 'api', 0, { severity: 7 })], { registry })).toThrow(
      /severity 7 must be an integer in 1..4/,
    );
    expect(() => correlate(shopIndex, [inc('A', 'api', 0, { signal: 'vibes' as never })], { registry })).toThrow(/signal "vibes"/);
    expect(() => correlate(shopIndex, [inc('A', 'api', 0, { anomalyScore: -1 })], { registry })).toThrow(/anomalyScore -1/);
  });

  it('orders groups by confidence: a corroborated problem before a lone alert', () => {
    const r = correlate(shopIndex, [inc('N', 'cache', 0), inc('A2', 'api2', 1), inc('W2', 'web2', 2), inc('D2', 'db2', 0)], { registry });
    expect(r.groups.map((g) => g.incidents)).toEqual([['D2', 'A2', 'W2'], ['N']]);
    expect(r.groups[0]!.confidence).toBeGreaterThan(r.groups[1]!.confidence);
  });
});
