/**
 * The correlation bench's `--diagnose` (bench/correlation-diagnose.ts): the per-miss classification
 * must describe exactly the misses the accuracy figures count, and the oracle — the realistic
 * generator's own likelihood, the ceiling of what any method can score on those cases — must rank
 * a specific provider above a broad one and count a tie between identical replicas as a tie.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCases, generatedView, incompleteView, makeRealisticCases, MONITORED } from '../../bench/correlation.ts';
import { diagnoseCases, Oracle, oracleAccuracy } from '../../bench/correlation-diagnose.ts';
import { buildImpactIndex, computeImpact, DOWN, typeMask, type ImpactIndex } from '../../engine/impact/index.ts';
import { graph, indexOf, registry } from './helpers.ts';

// vm-1 runs app-a/b/c; vm-2 runs app-d/e/f; both on esx-1.
const hosts = graph(
  {
    'esx-1': 'Hypervisor',
    'vm-1': 'VirtualMachine',
    'vm-2': 'VirtualMachine',
    'app-a': 'Application',
    'app-b': 'Application',
    'app-c': 'Application',
    'app-d': 'Application',
    'app-e': 'Application',
    'app-f': 'Application',
  },
  [
    ['vm-1', 'HOSTED_ON', 'esx-1'],
    ['vm-2', 'HOSTED_ON', 'esx-1'],
    ['app-a', 'RUNS_ON', 'vm-1'],
    ['app-b', 'RUNS_ON', 'vm-1'],
    ['app-c', 'RUNS_ON', 'vm-1'],
    ['app-d', 'RUNS_ON', 'vm-2'],
    ['app-e', 'RUNS_ON', 'vm-2'],
    ['app-f', 'RUNS_ON', 'vm-2'],
  ],
);

// Four identical caches, each a provider of the same three applications.
const replicas = graph(
  {
    'cache-0': 'Cache',
    'cache-1': 'Cache',
    'cache-2': 'Cache',
    'cache-3': 'Cache',
    'app-a': 'Application',
    'app-b': 'Application',
    'app-c': 'Application',
  },
  ['cache-0', 'cache-1', 'cache-2', 'cache-3'].flatMap((c) =>
    ['app-a', 'app-b', 'app-c'].map((a): [string, string, string] => [a, 'DEPENDS_ON', c]),
  ),
);

const node = (index: ImpactIndex, id: string) => index.idToIndex.get(id)!;

describe('correlation bench oracle', () => {
  it('ranks the virtual machine whose applications alerted above the hypervisor that also hosts them', () => {
    const index = indexOf(hosts);
    const oracle = new Oracle(index, MONITORED);
    const alerts = [node(index, 'app-a'), node(index, 'app-b')];
    expect(oracle.rank(node(index, 'vm-1'), alerts)).toEqual({ top1: 1, top3: 1 });
    // Had the hypervisor been the root, the VM explains the same alerts more specifically.
    expect(oracle.rank(node(index, 'esx-1'), alerts)).toEqual({ top1: 0, top3: 1 });
  });

  it('gives the root of a silent fault no chance when a symptom is outside its blast radius', () => {
    const index = indexOf(hosts);
    const oracle = new Oracle(index, MONITORED);
    // app-d is not under vm-1: only esx-1 explains both, so vm-1 is not even a candidate.
    expect(oracle.rank(node(index, 'vm-1'), [node(index, 'app-a'), node(index, 'app-d')]).top3).toBe(0);
    expect(oracle.rank(node(index, 'esx-1'), [node(index, 'app-a'), node(index, 'app-d')])).toEqual({ top1: 1, top3: 1 });
  });

  it('counts identical replicas as a tie broken at random', () => {
    const index = indexOf(replicas);
    const oracle = new Oracle(index, MONITORED);
    // Four caches with the same likelihood: the root is first with 1/4, in the first three with 3/4.
    expect(oracle.rank(node(index, 'cache-2'), [node(index, 'app-a'), node(index, 'app-b')])).toEqual({ top1: 0.25, top3: 0.75 });
    // When the root alerted itself, its own alert separates it from its silent twins.
    expect(oracle.rank(node(index, 'cache-2'), [node(index, 'cache-2'), node(index, 'app-a')])).toEqual({ top1: 1, top3: 1 });
  });
});

describe('correlation bench diagnosis', () => {
  it('diagnoses exactly the single-fault misses the accuracy figures count, each with a cause', () => {
    const view = generatedView(3_000, 13);
    const truth = buildImpactIndex(view, registry, 1);
    const indexes = new Map<string, ImpactIndex>([
      ['gen', truth],
      ['gen-real', buildImpactIndex(incompleteView(view, 13), registry, 1)],
    ]);
    const cases = makeRealisticCases(truth, 'gen-real', 24, 13);
    const acc = evaluateCases(registry, indexes, cases);
    const misses = diagnoseCases(registry, indexes, cases, () => truth, MONITORED);
    expect(misses.length).toBe(acc.single.ours.faults - acc.single.ours.top3);
    expect(misses.length).toBeGreaterThan(0);
    for (const m of misses) {
      expect(['unreachable', 'split', 'not-candidate', 'rank']).toContain(m.kind);
      // A miss's root is never among the three leaders it reports.
      expect(m.leaders.slice(0, 3)).not.toContain(m.root);
      if (m.kind === 'rank') expect(m.rank).toBeGreaterThanOrEqual(4);
      if (m.kind === 'split') expect(m.groups).toBeGreaterThan(1);
      // Groups of one of its incidents alone are among the groups holding them.
      expect(m.lone).toBeGreaterThanOrEqual(0);
      expect(m.lone).toBeLessThanOrEqual(m.groups);
      expect(m.oracleTop3).toBeGreaterThanOrEqual(0);
      expect(m.oracleTop3).toBeLessThanOrEqual(1);
    }
    const o = oracleAccuracy(cases, () => truth, MONITORED);
    expect(o.faults).toBe(acc.single.ours.faults);
    expect(o.top3).toBeGreaterThanOrEqual(o.top1);
    expect(o.top3).toBeLessThanOrEqual(1);
  });
});

describe('realistic generator: degraded weight', () => {
  // Share of the faults' symptom CIs (not the root) that the fault takes down rather than degrades.
  const downShare = (index: ImpactIndex, cases: ReturnType<typeof makeRealisticCases>) => {
    let down = 0;
    let all = 0;
    for (const c of cases)
      for (const f of c.faults) {
        const core = computeImpact(index, [{ node: index.idToIndex.get(f.ci)!, effect: 'down' }], typeMask(index, undefined, 'test'));
        const state = new Map<number, number>();
        for (let p = 0; p < core.size; p++) state.set(core.order[p]!, core.state[p]!);
        for (const id of f.incidents) {
          const ci = c.incidents.find((i) => i.id === id)!.cis[0]!;
          if (ci === f.ci) continue;
          all++;
          if (state.get(index.idToIndex.get(ci)!) === DOWN) down++;
        }
      }
    return down / all;
  };

  it('draws the same cases by default and mostly down symptoms when degraded CIs rarely alert', () => {
    const index = buildImpactIndex(generatedView(3_000, 17), registry, 1);
    const plain = makeRealisticCases(index, 'gen', 20, 17);
    expect(makeRealisticCases(index, 'gen', 20, 17, 1).map((c) => c.incidents)).toEqual(plain.map((c) => c.incidents));
    const rare = makeRealisticCases(index, 'gen', 20, 17, 0.01);
    expect(downShare(index, rare)).toBeGreaterThan(downShare(index, plain) + 0.2);
  });
});
