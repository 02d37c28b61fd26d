/**
 * The pure parts of conflicts and windows, case by case: overlap of half-open windows, every
 * conflict reason with its message, and freeze / maintenance scopes with their order and edges.
 */
import { describe, expect, it } from 'vitest';
import { detectConflicts, overlap, type ChangeFootprint } from '../../engine/changes/conflicts.ts';
import { freezeHits, maintenanceCheck, scopeCoverage } from '../../engine/changes/windows.ts';
import type { WindowDoc } from '../../engine/changes/model.ts';
import { Registry } from '../../engine/model/registry.ts';
import { graphOf, indexOf, registry } from './helpers.ts';

const T = (h: number) => new Date(Date.UTC(2026, 5, 6, h)).toISOString();
const win = (a: number, b: number) => ({ start: T(a), end: T(b) });

describe('overlap of half-open windows', () => {
  it('is the intersection, whichever window starts first', () => {
    expect(overlap(win(1, 5), win(3, 9))).toEqual(win(3, 5));
    expect(overlap(win(3, 9), win(1, 5))).toEqual(win(3, 5));
    expect(overlap(win(1, 9), win(3, 5))).toEqual(win(3, 5));
    expect(overlap(win(3, 5), win(1, 9))).toEqual(win(3, 5));
  });

  it('is nothing when one ends exactly as the other starts, or either is unplanned', () => {
    expect(overlap(win(1, 3), win(3, 5))).toBeNull();
    expect(overlap(win(3, 5), win(1, 3))).toBeNull();
    expect(overlap(null, win(1, 3))).toBeNull();
    expect(overlap(win(1, 3), null)).toBeNull();
  });
});

function fp(
  id: string,
  window: { start: string; end: string } | null,
  targets: string[],
  radius: string[] = [],
  services: string[] = [],
): ChangeFootprint {
  return {
    id,
    title: `${id} title`,
    state: 'approved',
    window,
    targets,
    radius: new Set([...targets, ...radius]),
    services: new Set(services),
  };
}

describe('conflict reasons', () => {
  const subject = fp('CHG-000010', win(1, 5), ['web', 'db', 'cache'], ['app'], ['shop', 'blog']);

  it('lists every reason with its sorted CIs and a readable message', () => {
    const other = fp('CHG-000020', win(4, 8), ['queue', 'db', 'app', 'cache'], ['web', 'lb'], ['blog', 'shop', 'wiki']);
    const [c, ...rest] = detectConflicts(subject, [other]);
    expect(rest).toEqual([]);
    expect(c).toEqual({
      change: 'CHG-000020',
      title: 'CHG-000020 title',
      state: 'approved',
      overlap: win(4, 5),
      reasons: [
        { kind: 'shared_target', cis: ['cache', 'db'], message: 'CHG-000020 also targets cache, db' },
        {
          kind: 'target_in_blast_radius',
          direction: 'ours_in_theirs',
          cis: ['web'],
          message: 'web lies in the blast radius of CHG-000020',
        },
        {
          kind: 'target_in_blast_radius',
          direction: 'theirs_in_ours',
          cis: ['app'],
          message: "CHG-000020 targets app, in this change's blast radius",
        },
        { kind: 'shared_service', services: ['blog', 'shop'], message: 'both changes impact business service blog, shop' },
      ],
    });
  });

  it('says "lie" for several of our targets in their blast radius, sorted', () => {
    const other = fp('CHG-000030', win(0, 2), ['far'], ['web', 'cache']);
    expect(detectConflicts(subject, [other])[0]!.reasons).toEqual([
      {
        kind: 'target_in_blast_radius',
        direction: 'ours_in_theirs',
        cis: ['cache', 'web'],
        message: 'cache, web lie in the blast radius of CHG-000030',
      },
    ]);
  });

  it('lists several of their targets in our radius sorted', () => {
    const wide = fp('CHG-000011', win(1, 5), ['x'], ['b', 'a']);
    expect(detectConflicts(wide, [fp('CHG-000031', win(1, 2), ['b', 'a'])])[0]!.reasons).toEqual([
      {
        kind: 'target_in_blast_radius',
        direction: 'theirs_in_ours',
        cis: ['a', 'b'],
        message: "CHG-000031 targets a, b, in this change's blast radius",
      },
    ]);
  });

  it('skips the subject itself, changes without an overlap and changes that touch nothing of ours, and sorts by change id', () => {
    const others = [
      fp('CHG-000099', win(2, 3), ['db']),
      subject,
      fp('CHG-000050', win(5, 9), ['db']),
      fp('CHG-000060', win(1, 5), ['elsewhere']),
      fp('CHG-000005', win(2, 3), ['web']),
      fp('CHG-000070', null, ['db']),
      fp('CHG-000040', win(2, 3), ['cache']),
    ];
    expect(detectConflicts(subject, others).map((c) => c.change)).toEqual(['CHG-000005', 'CHG-000040', 'CHG-000099']);
  });
});

describe('freeze and maintenance windows', () => {
  // shop depends on app, app runs on vm; lone has nothing to do with shop.
  const index = indexOf(
    graphOf({ shop: { class: 'BusinessService' }, app: {}, vm: { class: 'VirtualMachine' }, lone: {} }, [
      ['shop', 'DEPENDS_ON', 'app'],
      ['app', 'RUNS_ON', 'vm'],
    ]),
  );
  const doc = (
    id: string,
    kind: 'freeze' | 'maintenance',
    w: { start: string; end: string },
    scope: Partial<WindowDoc['scope']>,
  ): WindowDoc => ({
    id,
    kind,
    name: `${id} name`,
    ...w,
    scope: { global: false, services: [], cis: [], ...scope },
    reason: '',
    createdBy: 'ops',
  });

  it('covers a service and everything it depends on, a named CI as itself, and a deleted service not at all', () => {
    const cov = scopeCoverage({ global: false, services: ['shop', 'gone'], cis: ['app', 'lone'] }, index, registry);
    expect(cov && Object.fromEntries(cov)).toEqual({ app: 'ci', lone: 'ci', shop: 'service:shop', vm: 'service:shop' });
    expect(scopeCoverage({ global: true, services: [], cis: [] }, index, registry)).toBeUndefined();
    expect(() => scopeCoverage({ global: false, services: ['shop'], cis: [] }, index, Registry.load())).toThrow(
      'windows: the impact index was built with another registry',
    );
  });

  it('keeps the first reason a CI is covered for when two services cover it', () => {
    const twoServices = indexOf(
      graphOf({ a: { class: 'BusinessService' }, b: { class: 'BusinessService' }, db: {} }, [
        ['a', 'DEPENDS_ON', 'db'],
        ['b', 'DEPENDS_ON', 'db'],
        ['a', 'DEPENDS_ON', 'b'],
      ]),
    );
    const cov = scopeCoverage({ global: false, services: ['a', 'b'], cis: [] }, twoServices, registry)!;
    expect(Object.fromEntries(cov)).toEqual({ a: 'service:a', b: 'service:a', db: 'service:a' });
  });

  it('lists the freeze windows a change falls into by id, with the covered targets sorted', () => {
    const freezes = [
      doc('FRZ-000009', 'freeze', win(0, 24), { services: ['shop'] }),
      doc('FRZ-000002', 'freeze', win(0, 24), { global: true }),
      doc('FRZ-000005', 'freeze', win(10, 12), { global: true }),
      doc('FRZ-000007', 'freeze', win(0, 24), { cis: ['lone'] }),
    ];
    const hits = freezeHits(win(2, 4), ['vm', 'app', 'lone2'], freezes, index, registry);
    expect(hits).toEqual([
      {
        window: 'FRZ-000002',
        name: 'FRZ-000002 name',
        start: T(0),
        end: T(24),
        global: true,
        cis: [
          { ci: 'app', via: 'global' },
          { ci: 'lone2', via: 'global' },
          { ci: 'vm', via: 'global' },
        ],
      },
      {
        window: 'FRZ-000009',
        name: 'FRZ-000009 name',
        start: T(0),
        end: T(24),
        global: false,
        cis: [
          { ci: 'app', via: 'service:shop' },
          { ci: 'vm', via: 'service:shop' },
        ],
      },
    ]);
    expect(freezeHits(null, ['vm'], freezes, index, registry)).toEqual([]);
    const many = ['FRZ-000008', 'FRZ-000003', 'FRZ-000006', 'FRZ-000001'].map((id) => doc(id, 'freeze', win(0, 24), { global: true }));
    expect(freezeHits(win(2, 4), ['vm'], many, index, registry).map((h) => h.window)).toEqual([
      'FRZ-000001',
      'FRZ-000003',
      'FRZ-000006',
      'FRZ-000008',
    ]);
  });

  it('judges maintenance windows per target: inside one, outside all that apply, or not judged', () => {
    const windows = [
      doc('MW-000003', 'maintenance', win(1, 6), { cis: ['vm'] }),
      doc('MW-000001', 'maintenance', win(20, 22), { cis: ['vm', 'app'] }),
      doc('MW-000002', 'maintenance', win(2, 4), { cis: ['app'] }),
    ];
    // The change window [2, 4) lies inside MW-000003 for vm and exactly on MW-000002's bounds for app.
    expect(maintenanceCheck(win(2, 4), ['vm', 'lone', 'app'], windows, index, registry)).toEqual({
      outside: [],
      inside: [
        { ci: 'app', window: 'MW-000002' },
        { ci: 'vm', window: 'MW-000003' },
      ],
    });
    // [1, 5) starts before MW-000002 and ends after it; for vm it still lies inside MW-000003.
    expect(maintenanceCheck(win(1, 5), ['vm', 'app'], windows, index, registry)).toEqual({
      outside: [{ ci: 'app', windows: ['MW-000001', 'MW-000002'] }],
      inside: [{ ci: 'vm', window: 'MW-000003' }],
    });
    expect(maintenanceCheck(win(3, 5), ['app'], windows, index, registry).outside).toEqual([
      { ci: 'app', windows: ['MW-000001', 'MW-000002'] },
    ]);
    // Listed by id whatever order the windows come in.
    expect(maintenanceCheck(win(3, 5), ['app'], [...windows].reverse(), index, registry).outside).toEqual([
      { ci: 'app', windows: ['MW-000001', 'MW-000002'] },
    ]);
  });

  it('applies a global maintenance window to every target, and judges nothing without a plan or windows', () => {
    const global = [doc('MW-000010', 'maintenance', win(0, 3), { global: true })];
    expect(maintenanceCheck(win(2, 4), ['zz', 'aa'], global, index, registry)).toEqual({
      outside: [
        { ci: 'aa', windows: ['MW-000010'] },
        { ci: 'zz', windows: ['MW-000010'] },
      ],
      inside: [],
    });
    expect(maintenanceCheck(null, ['aa'], global, index, registry)).toEqual({ outside: [], inside: [] });
    expect(maintenanceCheck(win(2, 4), ['aa'], [], index, registry)).toEqual({ outside: [], inside: [] });
  });
});
