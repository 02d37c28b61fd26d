/**
 * Redundancy-aware specificity (engine/correlation/alert-reach.ts, signals/specificity.ts): the
 * report tells the CIs a candidate's failure takes down or deprives of a direct provider (they may
 * alert) from those it only degrades through them (still served), and scores the two with two rates.
 */
import { describe, expect, it } from 'vitest';
import { correlate, type CorrelationIncident } from '../../engine/correlation/index.ts';
import { alertReachLowerBounds, alertReachOf, alertUp, hasAbsorbingGroups } from '../../engine/correlation/alert-reach.ts';
import { reachOf } from '../../engine/correlation/reach.ts';
import { specificityLogLikelihood, specificityTwoRates } from '../../engine/correlation/signals/specificity.ts';
import type { MirrorGraph } from '../../engine/mirror/types.ts';
import { at, graph, indexOf, registry } from './helpers.ts';

/**
 * srv-1 and srv-2 are fed by pdu-a and pdu-b (one suffices) and both depend on net-sw-1 (no
 * redundancy); each hosts five VMs. pdu-a's failure deprives the servers of a feed and leaves the
 * VMs served; net-sw-1's takes all twelve down. Both have the same plain reach (13).
 */
function rack(redundant: boolean): MirrorGraph {
  const nodes: Record<string, string> = { 'pdu-a': 'PDU', 'pdu-b': 'PDU', 'net-sw-1': 'Switch', 'srv-1': 'Server', 'srv-2': 'Server' };
  const edges: [string, string, string][] = [];
  for (const srv of ['srv-1', 'srv-2']) {
    edges.push([srv, 'POWERED_BY', 'pdu-a'], [srv, 'POWERED_BY', 'pdu-b'], [srv, 'CONNECTED_TO', 'net-sw-1']);
    for (let i = 1; i <= 5; i++) {
      nodes[`vm-${srv}-${i}`] = 'VirtualMachine';
      edges.push([`vm-${srv}-${i}`, 'HOSTED_ON', srv]);
    }
  }
  const g = graph(nodes, edges);
  if (redundant)
    for (const srv of ['srv-1', 'srv-2']) g.mergeNodeAttributes(srv, { redundancy: [{ relationship: 'POWERED_BY', minAvailable: 1 }] });
  return g;
}

const incidents: CorrelationIncident[] = [
  { id: 'INC-1', cis: ['srv-1'], openedAt: at(1), signal: 'availability' },
  { id: 'INC-2', cis: ['srv-2'], openedAt: at(2), signal: 'availability' },
];

describe('alert reach', () => {
  it('counts what a PDU takes down or deprives of a feed, not what runs on the servers it only degrades', () => {
    const index = indexOf(rack(true));
    const node = (id: string) => index.idToIndex.get(id)!;
    expect(hasAbsorbingGroups(index)).toBe(true);
    expect(reachOf(index, node('pdu-a'), 16)).toBe(13);
    expect(alertReachOf(index, node('pdu-a'), 16, 50_000)).toBe(3);
    expect(alertReachOf(index, node('net-sw-1'), 16, 50_000)).toBe(13);
    // Its lower bounds: itself and its direct dependents, and what a dependent it takes down reaches.
    const lower = alertReachLowerBounds(index, 16);
    expect(lower[node('pdu-a')]).toBe(3);
    expect(lower[node('srv-1')]).toBe(6);
    expect(lower[node('net-sw-1')]).toBe(6);
    for (let v = 0; v < index.n; v++) expect(lower[v]).toBeLessThanOrEqual(alertReachOf(index, v, 16, 50_000));
  });

  it('walks up from a VM to its server and the switch that takes the server down, never to a PDU the server can lose', () => {
    const index = indexOf(rack(true));
    const names = (ids: Int32Array) => [...ids].map((v) => index.nodeIds[v]).sort();
    expect(names(alertUp(index, index.idToIndex.get('vm-srv-1-1')!, 16, 4096))).toEqual(['net-sw-1', 'srv-1', 'vm-srv-1-1']);
    // From the server itself every direct provider counts: losing one feed is what it alerts on.
    expect(names(alertUp(index, index.idToIndex.get('srv-1')!, 16, 4096))).toEqual(['net-sw-1', 'pdu-a', 'pdu-b', 'srv-1']);
  });

  it('sees no absorbing redundancy where none is declared, and then equals the plain reach', () => {
    const index = indexOf(rack(false));
    expect(hasAbsorbingGroups(index)).toBe(false);
    expect(alertReachOf(index, index.idToIndex.get('pdu-a')!, 16, 50_000)).toBe(reachOf(index, index.idToIndex.get('pdu-a')!, 16));
  });
});

describe('specificity with two rates', () => {
  it('scores two alerting CIs of three a PDU can make alert far above two of its thirteen dependents', () => {
    const one = specificityLogLikelihood(2, 13);
    const two = specificityTwoRates(2, 13, { k: 2, reach: 3, exact: true });
    expect(two).toBeGreaterThan(one + 2);
  });

  it('keeps the one-rate figure when the CIs it only degrades alert at least as often as the ones it deprives', () => {
    // 1 of 3 deprived, 5 of 10 degraded: a higher second rate is not the model, so one rate.
    expect(specificityTwoRates(6, 13, { k: 1, reach: 3, exact: true })).toBe(specificityLogLikelihood(6, 13));
    // Nothing it could make alert did: one rate too.
    expect(specificityTwoRates(2, 13, { k: 0, reach: 3, exact: true })).toBe(specificityLogLikelihood(2, 13));
    // The alert set is the whole reach (no redundancy below): one rate.
    expect(specificityTwoRates(2, 13, { k: 2, reach: 13, exact: true })).toBe(specificityLogLikelihood(2, 13));
  });

  it('gives an upper bound of the exact figure while the alert reach is only a lower bound', () => {
    const exact = specificityTwoRates(3, 400, { k: 3, reach: 9, exact: true });
    expect(specificityTwoRates(3, 400, { k: 3, reach: 4, exact: false })).toBeGreaterThanOrEqual(exact);
    expect(specificityTwoRates(3, 300, { k: 3, reach: 9, exact: false })).toBeGreaterThanOrEqual(exact);
  });
});

describe('correlate on an estate with redundancy', () => {
  it('ranks the PDUs both alerting servers lost a feed from above the switch whose failure would have taken their VMs down too', () => {
    const result = correlate(indexOf(rack(true)), incidents, { registry, window: '30m' });
    expect(result.groups).toHaveLength(1);
    const ids = result.groups[0]!.candidates.map((c) => c.id);
    expect(ids.indexOf('pdu-a')).toBeLessThan(ids.indexOf('net-sw-1'));
    expect(ids.indexOf('pdu-b')).toBeLessThan(ids.indexOf('net-sw-1'));
  });

  it('ranks them as the plain reach does when no redundancy is declared (the switch first, by id, on a tie)', () => {
    const result = correlate(indexOf(rack(false)), incidents, { registry, window: '30m' });
    const ids = result.groups[0]!.candidates.map((c) => c.id);
    expect(ids.indexOf('net-sw-1')).toBeLessThan(ids.indexOf('pdu-a'));
  });
});
