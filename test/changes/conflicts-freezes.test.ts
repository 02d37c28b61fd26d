/** Conflict reasons and freeze / maintenance windows, as pure functions on tiny graphs. */
import { describe, expect, it } from 'vitest';
import { changeImpact } from '../../engine/changes/assessment.ts';
import { detectConflicts, footprint, overlap } from '../../engine/changes/conflicts.ts';
import { freezeHits, maintenanceCheck, scopeCoverage } from '../../engine/changes/windows.ts';
import type { ChangeTarget, TimeWindow, WindowDoc } from '../../engine/changes/model.ts';
import { graphOf, indexOf, registry, W } from './helpers.ts';

// shop → app → db, shop → cache; report → db2. svc-b → db2.
const g = graphOf(
  {
    shop: { class: 'BusinessService', criticality: 1 },
    app: {},
    db: { class: 'Database' },
    cache: { class: 'Cache' },
    db2: { class: 'Database' },
    other: { class: 'BusinessService' },
    lone: {},
  },
  [
    ['shop', 'DEPENDS_ON', 'app'],
    ['app', 'DEPENDS_ON', 'db'],
    ['shop', 'DEPENDS_ON', 'cache'],
    ['other', 'DEPENDS_ON', 'db2'],
  ],
);

const sat = W('2026-12-05T22:00:00Z', '2026-12-06T02:00:00Z');
const sun = W('2026-12-06T22:00:00Z', '2026-12-07T02:00:00Z');

function fp(id: string, targets: ChangeTarget[], window: TimeWindow | null = sat) {
  return footprint({ id, title: `${id} title`, state: 'approved', window, targets }, changeImpact(indexOf(g), registry, targets));
}

describe('conflict detection', () => {
  it('reports a shared target when windows overlap', () => {
    const c = detectConflicts(fp('CHG-000001', [{ ci: 'db', effect: 'down' }]), [fp('CHG-000002', [{ ci: 'db', effect: 'degraded' }])]);
    expect(c).toEqual([
      {
        change: 'CHG-000002',
        title: 'CHG-000002 title',
        state: 'approved',
        overlap: sat,
        reasons: [
          { kind: 'shared_target', cis: ['db'], message: 'CHG-000002 also targets db' },
          { kind: 'shared_service', services: ['shop'], message: 'both changes impact business service shop' },
        ],
      },
    ]);
  });

  it("reports the other change's target inside this change's blast radius, and the reverse from the other side", () => {
    const a = fp('CHG-000001', [{ ci: 'db', effect: 'down' }]);
    const b = fp('CHG-000002', [{ ci: 'app', effect: 'none' }]);
    expect(detectConflicts(a, [b])[0]!.reasons).toEqual([
      {
        kind: 'target_in_blast_radius',
        direction: 'theirs_in_ours',
        cis: ['app'],
        message: "CHG-000002 targets app, in this change's blast radius",
      },
    ]);
    expect(detectConflicts(b, [a])[0]!.reasons).toEqual([
      { kind: 'target_in_blast_radius', direction: 'ours_in_theirs', cis: ['app'], message: 'app lies in the blast radius of CHG-000001' },
    ]);
  });

  it('reports a business service both blast radii reach', () => {
    const c = detectConflicts(fp('CHG-000001', [{ ci: 'db', effect: 'down' }]), [fp('CHG-000002', [{ ci: 'cache', effect: 'degraded' }])]);
    expect(c[0]!.reasons).toEqual([{ kind: 'shared_service', services: ['shop'], message: 'both changes impact business service shop' }]);
  });

  it('reports nothing when windows do not overlap, touch end to start, or nothing is shared', () => {
    const a = fp('CHG-000001', [{ ci: 'db', effect: 'down' }]);
    expect(detectConflicts(a, [fp('CHG-000002', [{ ci: 'db', effect: 'down' }], sun)])).toEqual([]);
    expect(detectConflicts(a, [fp('CHG-000003', [{ ci: 'db', effect: 'down' }], W(sat.end, '2026-12-06T05:00:00Z'))])).toEqual([]);
    expect(detectConflicts(a, [fp('CHG-000004', [{ ci: 'db2', effect: 'down' }])])).toEqual([]);
    expect(detectConflicts(a, [fp('CHG-000005', [{ ci: 'db', effect: 'down' }], null)])).toEqual([]);
    expect(detectConflicts(a, [a])).toEqual([]);
  });

  it('computes the overlap of two windows', () => {
    expect(overlap(W('2026-12-05T22:00:00Z', '2026-12-06T02:00:00Z'), W('2026-12-06T01:00:00Z', '2026-12-06T03:00:00Z'))).toEqual(
      W('2026-12-06T01:00:00Z', '2026-12-06T02:00:00Z'),
    );
  });
});

function win(id: string, window: TimeWindow, scope: Partial<WindowDoc['scope']>, kind: WindowDoc['kind'] = 'freeze'): WindowDoc {
  return {
    id,
    kind,
    name: `${id} name`,
    ...window,
    scope: { global: false, services: [], cis: [], ...scope },
    reason: '',
    createdBy: 'carol',
  };
}

// checkout → api → orders-db → vm → esx; esx MEMBER_OF cluster is irrelevant here.
const infra = graphOf(
  {
    checkout: { class: 'BusinessService', criticality: 1 },
    api: {},
    'orders-db': { class: 'Database' },
    vm: { class: 'VirtualMachine' },
    esx: { class: 'Hypervisor' },
    backup: {},
    unrelated: {},
  },
  [
    ['checkout', 'DEPENDS_ON', 'api'],
    ['api', 'DEPENDS_ON', 'orders-db'],
    ['orders-db', 'RUNS_ON', 'vm'],
    ['vm', 'HOSTED_ON', 'esx'],
    ['orders-db', 'BACKED_UP_BY', 'backup'],
  ],
);

describe('freeze windows', () => {
  it('a global freeze applies to every change whose window overlaps it', () => {
    const f = win('FRZ-000001', W('2026-12-01T00:00:00Z', '2026-12-31T00:00:00Z'), { global: true });
    expect(freezeHits(sat, ['unrelated'], [f], indexOf(infra), registry)).toEqual([
      {
        window: 'FRZ-000001',
        name: 'FRZ-000001 name',
        start: f.start,
        end: f.end,
        global: true,
        cis: [{ ci: 'unrelated', via: 'global' }],
      },
    ]);
    expect(freezeHits(W('2027-01-02T00:00:00Z', '2027-01-03T00:00:00Z'), ['unrelated'], [f], indexOf(infra), registry)).toEqual([]);
  });

  it('a service-scoped freeze covers the service and everything it depends on, transitively', () => {
    const f = win('FRZ-000002', sat, { services: ['checkout'] });
    const coverage = scopeCoverage(f.scope, indexOf(infra), registry)!;
    expect([...coverage.keys()].sort()).toEqual(['api', 'checkout', 'esx', 'orders-db', 'vm']);
    expect(freezeHits(sat, ['esx', 'unrelated'], [f], indexOf(infra), registry)[0]!.cis).toEqual([{ ci: 'esx', via: 'service:checkout' }]);
    // BACKED_UP_BY does not propagate: the backup vault is not something checkout needs to run.
    expect(freezeHits(sat, ['backup'], [f], indexOf(infra), registry)).toEqual([]);
    expect(freezeHits(sat, ['unrelated'], [f], indexOf(infra), registry)).toEqual([]);
  });

  it('a CI-scoped freeze covers only the CIs it names', () => {
    const f = win('FRZ-000003', sat, { cis: ['vm'] });
    expect(freezeHits(sat, ['vm', 'esx'], [f], indexOf(infra), registry)[0]!.cis).toEqual([{ ci: 'vm', via: 'ci' }]);
  });

  it('maintenance windows: a change inside its target window is fine, outside is reported, unscoped targets are not judged', () => {
    const mw = win('MW-000001', W('2026-12-05T20:00:00Z', '2026-12-06T06:00:00Z'), { cis: ['vm'] }, 'maintenance');
    expect(maintenanceCheck(sat, ['vm', 'unrelated'], [mw], indexOf(infra), registry)).toEqual({
      outside: [],
      inside: [{ ci: 'vm', window: 'MW-000001' }],
    });
    expect(maintenanceCheck(sun, ['vm', 'unrelated'], [mw], indexOf(infra), registry)).toEqual({
      outside: [{ ci: 'vm', windows: ['MW-000001'] }],
      inside: [],
    });
  });
});
