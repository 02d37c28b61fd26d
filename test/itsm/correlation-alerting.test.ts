/**
 * The realistic correlation generator's alerting rule (bench/correlation-alerting.ts, the lead's
 * decision in docs/decisions.md): a CI the fault degrades alerts only where it lost a direct
 * provider; a CI degraded only through degraded providers is fully served and never alerts. The
 * oracle must follow the same rule, or its ceiling describes another generator.
 */
import { describe, expect, it } from 'vitest';
import { generatedView, makeRealisticCases, MONITORED } from '../../bench/correlation.ts';
import { impactKinds } from '../../bench/correlation-alerting.ts';
import { Oracle } from '../../bench/correlation-diagnose.ts';
import { buildImpactIndex, computeImpact, typeMask, type ImpactIndex } from '../../engine/impact/index.ts';
import { graph, indexOf, registry } from './helpers.ts';

// srv-1 is fed by two PDUs (one suffices); vm-1 runs on srv-1, app-1 and app-2 on vm-1.
const fed = (() => {
  const g = graph(
    { 'pdu-a': 'PDU', 'pdu-b': 'PDU', 'srv-1': 'Server', 'vm-1': 'VirtualMachine', 'app-1': 'Application', 'app-2': 'Application' },
    [
      ['srv-1', 'POWERED_BY', 'pdu-a'],
      ['srv-1', 'POWERED_BY', 'pdu-b'],
      ['vm-1', 'HOSTED_ON', 'srv-1'],
      ['app-1', 'RUNS_ON', 'vm-1'],
      ['app-2', 'RUNS_ON', 'vm-1'],
    ],
  );
  g.mergeNodeAttributes('srv-1', { redundancy: [{ relationship: 'POWERED_BY', minAvailable: 1 }] });
  return g;
})();

const kindsOf = (index: ImpactIndex, root: string): Map<string, number> => {
  const mask = typeMask(index, undefined, 'test');
  const core = computeImpact(index, [{ node: index.idToIndex.get(root)!, effect: 'down' }], mask);
  const kinds = impactKinds(index, core, mask);
  return new Map(Array.from(core.order, (v, p) => [index.nodeIds[v]!, kinds[p]!]));
};

describe('realistic generator: which degraded CIs alert', () => {
  it('marks the server that lost one of its two feeds as directly degraded and what runs on it as transitively degraded', () => {
    const index = indexOf(fed);
    expect(kindsOf(index, 'pdu-a')).toEqual(
      new Map([
        ['pdu-a', 2],
        ['srv-1', 1],
        ['vm-1', 0],
        ['app-1', 0],
        ['app-2', 0],
      ]),
    );
    // Without redundancy left the whole chain is down.
    expect([...kindsOf(index, 'srv-1').values()]).toEqual([2, 2, 2, 2]);
  });

  it('never raises an alert on a transitively degraded CI, and does raise some on directly degraded ones', () => {
    const index = buildImpactIndex(generatedView(3_000, 17), registry, 1);
    const mask = typeMask(index, undefined, 'test');
    const count = (cases: ReturnType<typeof makeRealisticCases>) => {
      const seen = [0, 0, 0];
      for (const c of cases)
        for (const f of c.faults) {
          const core = computeImpact(index, [{ node: index.idToIndex.get(f.ci)!, effect: 'down' }], mask);
          const kinds = impactKinds(index, core, mask);
          const kindOf = new Map(Array.from(core.order, (v, p) => [v, kinds[p]!]));
          for (const id of f.incidents) {
            const v = index.idToIndex.get(c.incidents.find((i) => i.id === id)!.cis[0]!)!;
            if (v !== index.idToIndex.get(f.ci)) seen[kindOf.get(v)!]!++;
          }
        }
      return seen;
    };
    const [transitive, direct, down] = count(makeRealisticCases(index, 'gen', 40, 17));
    expect(transitive).toBe(0);
    expect(direct).toBeGreaterThan(0);
    expect(down).toBeGreaterThan(0);
    // The generator before the decision (`all`) draws transitively degraded symptoms on the same graph.
    expect(count(makeRealisticCases(index, 'gen', 40, 17, 1, 'all'))[0]).toBeGreaterThan(0);
  });

  it('gives the oracle no explanation through a transitively degraded CI, unless told every degraded CI alerts', () => {
    const index = indexOf(fed);
    const node = (id: string) => index.idToIndex.get(id)!;
    // Two applications alerting: under `direct` only vm-1 (or srv-1, which takes it down) explains them, not a PDU.
    const direct = new Oracle(index, MONITORED, { degradedWeight: 1, degradedAlerts: 'direct' });
    const alerts = [node('app-1'), node('app-2')];
    expect(direct.rank(node('pdu-a'), alerts)).toEqual({ top1: 0, top3: 0 });
    const all = new Oracle(index, MONITORED, { degradedWeight: 1, degradedAlerts: 'all' });
    expect(all.rank(node('pdu-a'), alerts).top3).toBeGreaterThan(0);
  });
});
