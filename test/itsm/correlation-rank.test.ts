/**
 * A group's report (engine/correlation/rank.ts): which CIs are candidates, how many are reported
 * and in which order, what each explains and the evidence paths read back from the walks.
 */
import { describe, expect, it } from 'vitest';
import { correlate, type CorrelationIncident, type CorrelationResult } from '../../engine/correlation/index.ts';
import { at, graph, indexOf, registry } from './helpers.ts';

const inc = (id: string, ci: string, minutes = 0): CorrelationIncident => ({ id, cis: [ci], openedAt: at(minutes) });
const ids = (r: CorrelationResult, g = 0) => r.groups[g]!.candidates.map((c) => c.id);

// A chain: app → vm → host → rack → dc (each RUNS_ON / LOCATED_IN the next).
const chain = indexOf(
  graph({ app: 'Application', vm: 'VirtualMachine', host: 'Server', rack: 'Rack', dc: 'DataCenter' }, [
    ['app', 'RUNS_ON', 'vm'],
    ['vm', 'RUNS_ON', 'host'],
    ['host', 'LOCATED_IN', 'rack'],
    ['rack', 'LOCATED_IN', 'dc'],
  ]),
);

// Four identical replicas r-d … r-a (inserted in reverse id order) behind two applications, one
// caller of both, and a database the first application also runs on.
const replicas = indexOf(
  graph(
    {
      'r-d': 'Database',
      'r-c': 'Database',
      'r-b': 'Database',
      'r-a': 'Database',
      app1: 'Application',
      app2: 'Application',
      svc: 'BusinessService',
      vm1: 'VirtualMachine',
    },
    [
      ['app1', 'RUNS_ON', 'vm1'],
      ...['r-d', 'r-c', 'r-b', 'r-a'].flatMap((r): [string, string, string][] => [
        ['app1', 'DEPENDS_ON', r],
        ['app2', 'DEPENDS_ON', r],
      ]),
      ['svc', 'DEPENDS_ON', 'app1'],
      ['svc', 'DEPENDS_ON', 'app2'],
    ],
  ),
);

// A tree of 3 × 3 applications under three databases under one server: many candidates at once.
const treeNodes: Record<string, string> = { srv: 'Server' };
const treeEdges: [string, string, string][] = [];
for (let d = 0; d < 3; d++) {
  treeNodes[`db${d}`] = 'Database';
  treeEdges.push([`db${d}`, 'RUNS_ON', 'srv']);
  for (let a = 0; a < 3; a++) {
    treeNodes[`app${d}${a}`] = 'Application';
    treeEdges.push([`app${d}${a}`, 'DEPENDS_ON', `db${d}`]);
  }
}
const tree = indexOf(graph(treeNodes, treeEdges));

describe('correlation group report', () => {
  it("a lone incident's candidates are its CI and its providers up to two hops, never further", () => {
    const r = correlate(chain, [inc('I1', 'app')], { registry, topCandidates: 10 });
    expect(r.groups).toHaveLength(1);
    expect(ids(r)[0]).toBe('app');
    expect(new Set(ids(r))).toEqual(new Set(['app', 'vm', 'host']));
  });

  it('reports at most topCandidates candidates, the best first', () => {
    const incidents = [inc('I1', 'app00'), inc('I2', 'app01'), inc('I3', 'app02'), inc('I4', 'app10', 1)];
    const all = correlate(tree, incidents, { registry, topCandidates: 50 });
    const two = correlate(tree, incidents, { registry, topCandidates: 2 });
    for (const g of all.groups) expect(g.candidates.length).toBeGreaterThan(2);
    expect(two.groups.map((g) => g.candidates.length)).toEqual(all.groups.map(() => 2));
    expect(two.groups.map((g) => g.candidates.map((c) => c.id))).toEqual(all.groups.map((g) => g.candidates.slice(0, 2).map((c) => c.id)));
  });

  it('lists every candidate by score, best first, however many there are', () => {
    const incidents = ['app00', 'app01', 'app02', 'app10', 'app11', 'app20'].map((ci, i) => inc(`I${i}`, ci, i));
    const r = correlate(tree, incidents, { registry, topCandidates: 50 });
    for (const g of r.groups) {
      expect(g.candidates.length).toBeGreaterThan(1);
      for (let i = 1; i < g.candidates.length; i++) expect(g.candidates[i - 1]!.score).toBeGreaterThanOrEqual(g.candidates[i]!.score);
    }
    expect(r.groups.reduce((n, g) => n + g.candidates.length, 0)).toBeGreaterThanOrEqual(8);
  });

  it('orders candidates with equal scores by CI id', () => {
    const r = correlate(replicas, [inc('I1', 'app1'), inc('I2', 'app2')], { registry, topCandidates: 10 });
    const order = ids(r).filter((id) => id.startsWith('r-'));
    expect(order).toEqual(['r-a', 'r-b', 'r-c', 'r-d']);
    const scores = r.groups[0]!.candidates.filter((c) => c.id.startsWith('r-')).map((c) => c.score);
    expect(new Set(scores).size).toBe(1);
  });

  it('states a tie between silent replicas behind an alerting one, and keeps them as separate candidates in id order', () => {
    const r = correlate(replicas, [inc('I0', 'r-c'), inc('I1', 'app1', 1), inc('I2', 'app2', 1)], { registry, topCandidates: 10 });
    expect(r.groups).toHaveLength(1);
    const g = r.groups[0]!;
    // The replica that alerted leads; its silent twins cannot be told apart and say so.
    expect(ids(r).slice(0, 4)).toEqual(['r-c', 'r-a', 'r-b', 'r-d']);
    expect(g.ambiguity?.candidates).toEqual(['r-a', 'r-b', 'r-d']);
    expect(g.ambiguity?.note).toContain('same evidence');
    // Without the alert the four lead together: the leaders' closeness is what is stated.
    const silent = correlate(replicas, [inc('I1', 'app1'), inc('I2', 'app2')], { registry, topCandidates: 10 });
    expect(silent.groups[0]!.ambiguity?.candidates).toEqual(['r-a', 'r-b', 'r-c', 'r-d']);
  });

  it('admits a provider only when it explains at least half the group; an incident CI of the group is always a candidate', () => {
    // Four incident CIs: app1 and app2 (both under every replica and vm1 for app1), svc above them, vm1 itself.
    const r = correlate(replicas, [inc('I1', 'app1'), inc('I2', 'app2', 1), inc('I3', 'svc', 2), inc('I4', 'vm1', 2)], {
      registry,
      topCandidates: 50,
    });
    const g = r.groups.find((x) => x.incidents.includes('I1'))!;
    const cands = g.candidates.map((c) => c.id);
    // vm1 explains app1, svc and itself — at least half of the group's CIs.
    expect(g.incidents).toEqual(['I1', 'I2', 'I3', 'I4']);
    expect(cands).toEqual(expect.arrayContaining(['r-a', 'vm1', 'app1', 'app2', 'svc']));
    // svc explains only itself (one of four): a candidate only as the group's own incident CI.
    expect(g.candidates.find((c) => c.id === 'svc')!.explains).toEqual(['I3']);
    // Five applications under three databases on one server: each database explains two or one of
    // five (< half) and is left out; the server explains all; each application is its own incident CI.
    const five = ['app00', 'app01', 'app10', 'app11', 'app20'];
    const t = correlate(
      tree,
      five.map((ci, i) => inc(`J${i}`, ci, i)),
      { registry, topCandidates: 50 },
    );
    expect(t.groups).toHaveLength(1);
    expect(ids(t)[0]).toBe('srv');
    expect(new Set(ids(t))).toEqual(new Set(['srv', ...five]));
  });

  it('counts a CI with several incidents once as evidence and lists each incident once', () => {
    const one = correlate(replicas, [inc('I1', 'app1'), inc('I2', 'app2')], { registry });
    const twice = correlate(replicas, [inc('I1', 'app1'), inc('I1b', 'app1', 1), inc('I2', 'app2')], { registry });
    const cov = (r: CorrelationResult) => r.groups[0]!.candidates[0]!.factors.find((f) => f.signal === 'coverage')!.value;
    expect(cov(twice)).toBe(cov(one));
    expect(cov(twice)).toBe(2);
    expect(twice.groups[0]!.candidates[0]!.explains).toEqual(['I1', 'I1b', 'I2']);
  });

  it('lists a group’s incidents by open time, then id, whatever the input order', () => {
    const incidents = [inc('Z', 'app00', 3), inc('B', 'app01', 1), inc('A', 'app02', 1), inc('M', 'app00', 0)];
    for (const order of [incidents, [...incidents].reverse()]) {
      const r = correlate(tree, order, { registry });
      expect(r.groups[0]!.incidents).toEqual(['M', 'A', 'B', 'Z']);
    }
  });

  it('gives evidence paths nearest first, then by CI id, at most maxPaths, each the full chain of stored relationships', () => {
    const incidents = [inc('I1', 'app'), inc('I2', 'vm', 1), inc('I3', 'host', 2)];
    const r = correlate(chain, incidents, { registry, topCandidates: 10 });
    const rack = r.groups[0]!.candidates.find((c) => c.id === 'rack');
    const host = r.groups[0]!.candidates.find((c) => c.id === 'host')!;
    expect(host.paths.map((p) => p.ci)).toEqual(['host', 'vm', 'app']);
    expect(host.paths[2]).toEqual({
      incidents: ['I1'],
      ci: 'app',
      steps: [
        { from: 'app', type: 'RUNS_ON', to: 'vm' },
        { from: 'vm', type: 'RUNS_ON', to: 'host' },
      ],
    });
    expect(host.paths[0]!.steps).toEqual([]);
    if (rack) expect(rack.paths.map((p) => p.ci)).toEqual(['host', 'vm', 'app']);
    const capped = correlate(chain, incidents, { registry, topCandidates: 10, maxPaths: 2 });
    expect(capped.groups[0]!.candidates.find((c) => c.id === 'host')!.paths.map((p) => p.ci)).toEqual(['host', 'vm']);
    // Same distance: by CI id.
    const tied = correlate(tree, [inc('I1', 'app02'), inc('I2', 'app00', 1), inc('I3', 'app01', 2)], { registry, topCandidates: 10 });
    expect(tied.groups[0]!.candidates.find((c) => c.id === 'db0')!.paths.map((p) => p.ci)).toEqual(['app00', 'app01', 'app02']);
  });

  it("a path names the relationship actually followed when a CI has several providers, and reads a member's edge from the member", () => {
    const g = indexOf(
      graph({ app: 'Application', vm: 'VirtualMachine', db: 'Database', pod: 'Pod', pool: 'Cluster' }, [
        ['app', 'RUNS_ON', 'vm'],
        ['app', 'DEPENDS_ON', 'db'],
        ['pod', 'MEMBER_OF', 'pool'],
        ['app', 'DEPENDS_ON', 'pool'],
      ]),
    );
    const r = correlate(g, [inc('I1', 'app')], { registry, topCandidates: 10 });
    const path = (id: string) => r.groups[0]!.candidates.find((c) => c.id === id)!.paths[0]!.steps;
    expect(path('vm')).toEqual([{ from: 'app', type: 'RUNS_ON', to: 'vm' }]);
    expect(path('db')).toEqual([{ from: 'app', type: 'DEPENDS_ON', to: 'db' }]);
    expect(path('pod')).toEqual([
      { from: 'app', type: 'DEPENDS_ON', to: 'pool' },
      { from: 'pod', type: 'MEMBER_OF', to: 'pool' },
    ]);
  });
});
