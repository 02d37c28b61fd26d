/**
 * `reconcile` (engine/audit/reconcile.ts) without a store, one outcome per test: how discovered CIs
 * are matched (id, then the class's keys, root ids across classes), what is drift and what is not,
 * which CMDB CIs are missing (in service, in scope, located in the given sites), and relationship
 * drift. The CMDB here has bystanders that share no key with the scan, so indexing only the CIs a
 * scan could match (the 1M-CI tuning) is checked against the answers a whole index gives.
 */
import { describe, expect, it } from 'vitest';
import { reconcile, type Discovery } from '../../engine/audit/reconcile.ts';
import { discovered, graphOf, registry, scan, type CiSpec } from './helpers.ts';

const srv = (id: string, attributes: Record<string, unknown>, extra: Partial<CiSpec> = {}): CiSpec => ({
  id,
  class: 'Server',
  attributes,
  ...extra,
});
const found = discovered;

const cmdb = graphOf(
  [
    srv('s1', { serialNumber: 'SER-1', hostname: 'one.example' }),
    srv('s2', { serialNumber: 'SER-2', hostname: 'two.example', os: 'Linux' }),
    srv('s3', { serialNumber: 'SER-3' }),
    srv('s4', { serialNumber: 'DUP' }),
    srv('s5', { serialNumber: 'dup' }),
    srv('s6', { serialNumber: 'SER-6' }, { status: 'retired' }),
    srv('s7', { serialNumber: 'SER-7' }, { status: 'maintenance' }),
    { id: 'vm1', class: 'VirtualMachine', attributes: { hostname: 'vm1.example', servicenowSysId: 'SYS-9' } },
    { id: 'app1', class: 'Application', attributes: { version: '1' } },
    { id: 'rack-a', class: 'Rack', attributes: {} },
    { id: 'rack-b', class: 'Rack', attributes: {} },
    { id: 'dc-1', class: 'DataCenter', attributes: {} },
  ],
  [
    's1 LOCATED_IN rack-a',
    's2 LOCATED_IN rack-a',
    's3 LOCATED_IN rack-b',
    'rack-a LOCATED_IN dc-1',
    's1 CONNECTED_TO s2',
    'app1 RUNS_ON vm1',
  ],
);
const run = (d: Discovery) => reconcile(d, cmdb.cis, cmdb.graph, registry);

describe('reconcile', () => {
  it('matches by CMDB id first, then by the strongest key, case and spaces aside, and reports the key used', () => {
    const r = run(
      scan([found({ id: 's1', class: 'Server' }), found({ id: 'x2', class: 'Server', attributes: { serialNumber: ' ser-2 ' } })]),
    );
    expect(r.matched).toEqual([
      { id: 's1', discovered: 's1', key: ['id'] },
      { id: 's2', discovered: 'x2', key: ['serialNumber'] },
    ]);
    expect(r.drift).toEqual([]);
  });

  it('joins two classes on a root id (sys_id) but never on a key only one class declares', () => {
    const r = run(
      scan([
        found({ id: 'h1', class: 'Hypervisor', attributes: { servicenowSysId: 'sys-9' } }),
        found({ id: 'd1', class: 'Database', name: 'app1' }),
      ]),
    );
    expect(r.matched).toEqual([{ id: 'vm1', discovered: 'h1', key: ['servicenowSysId'] }]);
    expect(r.unregistered).toEqual([{ discovered: 'd1', class: 'Database', name: 'app1' }]);
  });

  it('reports drift only on reported fields, strings compared trimmed and case-insensitively, other values exactly', () => {
    const r = run(
      scan([
        found({ id: 'x2', class: 'Server', owner: 'ops', attributes: { serialNumber: 'SER-2', os: ' linux ', cpu: 8 } }, [
          'attributes.serialNumber',
          'attributes.os',
          'attributes.cpu',
        ]),
        found({ id: 'x1', class: 'Server', owner: 'ops', status: 'maintenance', attributes: { serialNumber: 'SER-1' } }, ['status']),
      ]),
    );
    expect(r.drift).toEqual([
      { id: 's1', discovered: 'x1', fields: [{ field: 'status', cmdb: 'in_service', discovered: 'maintenance' }] },
      { id: 's2', discovered: 'x2', fields: [{ field: 'attributes.cpu', cmdb: null, discovered: 8 }] },
    ]);
  });

  it('never merges silently: a scan matching two CMDB CIs names both, and neither is missing', () => {
    const r = run(scan([found({ id: 'x4', class: 'Server', attributes: { serialNumber: 'Dup' } })], { scope: { classes: ['Server'] } }));
    expect(r.duplicates).toEqual([{ discovered: 'x4', candidates: ['s4', 's5'], key: ['serialNumber'] }]);
    expect(r.matched).toEqual([]);
    expect(r.missing.map((m) => m.id)).toEqual(['s1', 's2', 's3']);
  });

  it('lists as missing the in-service CIs of the scanned classes that nothing matched, not retired or maintenance ones', () => {
    const r = run(scan([found({ id: 'x1', class: 'Server', attributes: { serialNumber: 'SER-1' } })]));
    expect(r.missing).toEqual([
      { id: 's2', class: 'Server', name: 's2' },
      { id: 's3', class: 'Server', name: 's3' },
      { id: 's4', class: 'Server', name: 's4' },
      { id: 's5', class: 'Server', name: 's5' },
    ]);
    const wider = run(
      scan([found({ id: 'x1', class: 'Server', attributes: { serialNumber: 'SER-1' } })], { scope: { classes: ['ConfigurationItem'] } }),
    );
    expect(wider.missing.map((m) => m.id)).toEqual(['app1', 'dc-1', 'rack-a', 'rack-b', 's2', 's3', 's4', 's5', 'vm1']);
  });

  it('limits missing to CIs located, transitively, in the given sites', () => {
    const inDc = run(scan([found({ id: 's3', class: 'Server' })], { scope: { classes: ['Server', 'Rack'], locatedIn: ['dc-1'] } }));
    expect(inDc.missing.map((m) => m.id)).toEqual(['rack-a', 's1', 's2']);
    const inRack = run(scan([found({ id: 's1', class: 'Server' })], { scope: { classes: ['Server'], locatedIn: ['rack-b'] } }));
    expect(inRack.missing.map((m) => m.id)).toEqual(['s3']);
  });

  it('reports relationships in CMDB ids: seen but not recorded, and recorded between matched CIs of a reported type but not seen', () => {
    const r = run(
      scan(
        [
          found({ id: 'x1', class: 'Server', attributes: { serialNumber: 'SER-1' } }),
          found({ id: 'x2', class: 'Server', attributes: { serialNumber: 'SER-2' } }),
          found({ id: 'x3', class: 'Server', attributes: { serialNumber: 'SER-3' } }),
          found({ id: 'rack-a', class: 'Rack' }),
          found({ id: 'new', class: 'Server', attributes: { serialNumber: 'NEW' } }),
          found({ id: 'amb', class: 'Server', attributes: { serialNumber: 'DUP' } }),
        ],
        {
          relationships: [
            { type: 'LOCATED_IN', from: 'x1', to: 'rack-a' },
            { type: 'LOCATED_IN', from: 'x3', to: 'rack-a' },
            { type: 'LOCATED_IN', from: 'new', to: 'rack-a' },
            { type: 'LOCATED_IN', from: 'amb', to: 'rack-a' },
          ],
        },
      ),
    );
    expect(r.relationships).toEqual({
      unregistered: [
        { type: 'LOCATED_IN', from: 'new', to: 'rack-a' },
        { type: 'LOCATED_IN', from: 's3', to: 'rack-a' },
      ],
      missing: [{ id: 's2|LOCATED_IN|rack-a', type: 'LOCATED_IN', from: 's2', to: 'rack-a' }],
    });
    expect(r.unregistered).toEqual([{ discovered: 'new', class: 'Server', name: 'new' }]);
  });

  it('refuses a discovered relationship naming a CI the snapshot does not contain', () => {
    expect(() =>
      run(scan([found({ id: 's1', class: 'Server' })], { relationships: [{ type: 'LOCATED_IN', from: 's1', to: 'nowhere' }] })),
    ).toThrow(/names a CI the snapshot does not contain/);
  });

  it('sorts every list by id whatever order the scan came in', () => {
    const r = run(
      scan([
        found({ id: 'z-new', class: 'Server', attributes: { serialNumber: 'Z' } }),
        found({ id: 's3', class: 'Server', owner: 'x' }, ['owner']),
        found({ id: 'a-new', class: 'Server', attributes: { serialNumber: 'A' } }),
        found({ id: 's1', class: 'Server', owner: 'x' }, ['owner']),
      ]),
    );
    expect(r.matched.map((m) => m.id)).toEqual(['s1', 's3']);
    expect(r.drift.map((m) => m.id)).toEqual(['s1', 's3']);
    expect(r.unregistered.map((m) => m.discovered)).toEqual(['a-new', 'z-new']);
  });

  it('announces its steps in order to a phase probe, and answers the same with or without one', () => {
    const d = scan([found({ id: 'x1', class: 'Server', attributes: { serialNumber: 'SER-1' } })]);
    const seen: string[] = [];
    const probed = reconcile(d, cmdb.cis, cmdb.graph, registry, { phase: (p) => seen.push(p) });
    expect(seen).toEqual(['candidates', 'index', 'match', 'missing', 'relationships', 'sort']);
    expect(probed).toEqual(run(d));
  });
});
