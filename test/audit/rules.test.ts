/**
 * Each built-in rule on a graph where it passes and one where it fails (STYLE.md #11): the failing
 * graph differs from the passing one by the defect alone, so the finding is the defect's.
 */
import { describe, expect, it } from 'vitest';
import { graphOf, runOnly, subjects, type CiSpec } from './helpers.ts';

const svc = (id: string, extra: Partial<CiSpec> = {}): CiSpec => ({
  id,
  class: 'BusinessService',
  criticality: 1,
  attributes: { serviceLevel: 'gold' },
  ...extra,
});
const app = (id: string, extra: Partial<CiSpec> = {}): CiSpec => ({ id, class: 'Application', attributes: { version: '1' }, ...extra });
const srv = (id: string, serial: string, extra: Partial<CiSpec> = {}): CiSpec => ({
  id,
  class: 'Server',
  attributes: { serialNumber: serial },
  ...extra,
});

describe('required-attributes', () => {
  it('passes when every CI has the attributes its class requires', () => {
    expect(runOnly(graphOf([srv('s1', 'SN1'), app('a1')], ['a1 RUNS_ON s1']), 'required-attributes')).toEqual([]);
  });
  it('names the CI and the missing attribute, and ignores retired CIs', () => {
    const fs = runOnly(
      graphOf([srv('s1', ''), app('a1', { attributes: {} }), { id: 'old', class: 'Server', status: 'retired' }], ['a1 RUNS_ON s1']),
      'required-attributes',
    );
    expect(fs.map((f) => [f.ci, f.evidence.missing])).toEqual([
      ['a1', ['version']],
      ['s1', ['serialNumber']],
    ]);
    expect(fs[1]!.message).toContain('serialNumber');
  });
  it('names only the attributes that are missing when the class requires several', () => {
    const cert = { id: 'c1', class: 'Certificate', attributes: { commonName: 'shop.example.com' } };
    const fs = runOnly(graphOf([cert], []), 'required-attributes');
    expect(fs.map((f) => [f.ci, f.evidence.missing])).toEqual([['c1', ['expiresAt']]]);
  });
});

describe('missing-owner', () => {
  it('passes when every live CI has an owner', () => {
    expect(runOnly(graphOf([app('a1'), app('old', { status: 'retired', owner: undefined })], []), 'missing-owner')).toEqual([]);
  });
  it('reports a live CI without an owner', () => {
    const g = graphOf([app('a1')], []);
    delete (g.cis[0] as { owner?: string }).owner;
    expect(subjects(runOnly(g, 'missing-owner'))).toEqual(['a1']);
  });
});

describe('orphan', () => {
  it('passes when every CI has a relationship, audit-only types included', () => {
    expect(
      runOnly(graphOf([app('a1'), app('a2'), { id: 'bk', class: 'BackupVault' }], ['a1 DEPENDS_ON a2', 'a2 BACKED_UP_BY bk']), 'orphan'),
    ).toEqual([]);
  });
  it('reports a CI with no relationship at all', () => {
    expect(subjects(runOnly(graphOf([app('a1'), app('a2'), app('lonely')], ['a1 DEPENDS_ON a2']), 'orphan'))).toEqual(['lonely']);
  });
});

describe('duplicate', () => {
  it('passes when identification keys differ, and a reused hostname under another serial is two machines', () => {
    const g = graphOf(
      [
        srv('s1', 'SN1', { attributes: { serialNumber: 'SN1', hostname: 'h' } }),
        srv('s2', 'SN2', { attributes: { serialNumber: 'SN2', hostname: 'h' } }),
      ],
      [],
    );
    expect(runOnly(g, 'duplicate')).toEqual([]);
  });
  it('reports the later record of two with one serial number, across the Server family, case-insensitively', () => {
    const g = graphOf(
      [
        srv('s1', 'SN1', { createdAt: '2026-01-01T00:00:00Z' }),
        { id: 'h9', class: 'Hypervisor', attributes: { serialNumber: 'sn1 ' }, createdAt: '2026-02-01T00:00:00Z' },
      ],
      [],
    );
    const fs = runOnly(g, 'duplicate');
    expect(fs.map((f) => [f.ci, f.evidence.original, f.evidence.members])).toEqual([['h9', 's1', ['s1', 'h9']]]);
  });
  it('ignores a retired record sharing the key', () => {
    expect(runOnly(graphOf([srv('s1', 'SN1'), srv('s0', 'SN1', { status: 'retired' })], []), 'duplicate')).toEqual([]);
  });
});

describe('stale', () => {
  it('passes when a CI was updated or verified recently', () => {
    const g = graphOf(
      [app('a1', { updatedAt: '2026-01-01T00:00:00Z', attributes: { version: '1', verifiedAt: '2026-10-01T00:00:00Z' } }), app('a2')],
      [],
    );
    expect(runOnly(g, 'stale', { days: 90 })).toEqual([]);
  });
  it('reports a CI neither updated nor verified within N days, with its age', () => {
    const g = graphOf([app('a1', { updatedAt: '2026-01-01T00:00:00Z' })], []);
    const fs = runOnly(g, 'stale', { days: 90 });
    expect(fs.map((f) => [f.ci, f.evidence.ageDays])).toEqual([['a1', 304]]);
  });
});

describe('retired-dependency', () => {
  it('passes when in-service CIs rely on in-service ones, and a retired CI may rely on a retired one', () => {
    const g = graphOf(
      [app('a1'), app('a2'), app('r1', { status: 'retired' }), app('r2', { status: 'retired' })],
      ['a1 DEPENDS_ON a2', 'r1 DEPENDS_ON r2'],
    );
    expect(runOnly(g, 'retired-dependency')).toEqual([]);
  });
  it('reports each relationship from an in-service CI to a retired or planned one, with the step as path', () => {
    const g = graphOf(
      [
        app('a1'),
        app('r1', { status: 'retired' }),
        app('p1', { status: 'planned' }),
        { id: 'grp', class: 'Cluster' },
        app('m', { status: 'retired' }),
      ],
      ['a1 DEPENDS_ON r1', 'a1 DEPENDS_ON p1', 'a1 BACKED_UP_BY r1', 'm MEMBER_OF grp'],
    );
    const fs = runOnly(g, 'retired-dependency');
    expect(subjects(fs)).toEqual(['a1|DEPENDS_ON|p1', 'a1|DEPENDS_ON|r1', 'm|MEMBER_OF|grp']);
    expect(fs.find((f) => f.relationship === 'm|MEMBER_OF|grp')!.evidence).toMatchObject({
      dependent: 'grp',
      provider: 'm',
      path: [{ from: 'm', type: 'MEMBER_OF', to: 'grp' }],
    });
  });
  it('names each of two relationships of one type between the same pair in its own finding', () => {
    const g = graphOf(
      [app('a1'), app('r1', { status: 'retired' }), { id: 'grp', class: 'Cluster' }, app('m', { status: 'retired' })],
      ['a1 DEPENDS_ON r1 dep-1', 'a1 DEPENDS_ON r1 dep-2', 'm MEMBER_OF grp mem-1', 'm MEMBER_OF grp mem-2'],
    );
    const fs = runOnly(g, 'retired-dependency');
    expect(fs.map((f) => f.relationship).sort()).toEqual(['dep-1', 'dep-2', 'mem-1', 'mem-2']);
  });
});

describe('dependency-cycle', () => {
  it('passes on a diamond (two paths are not a loop)', () => {
    expect(
      runOnly(
        graphOf([app('a'), app('b'), app('c'), app('d')], ['a DEPENDS_ON b', 'a DEPENDS_ON c', 'b DEPENDS_ON d', 'c DEPENDS_ON d']),
        'dependency-cycle',
      ),
    ).toEqual([]);
  });
  it('reports one finding per loop, on its smallest id, with a shortest loop as path', () => {
    const g = graphOf(
      [app('a'), app('b'), app('c'), app('x'), app('y')],
      ['a DEPENDS_ON b', 'b DEPENDS_ON c', 'c DEPENDS_ON a', 'b DEPENDS_ON a', 'x RUNS_ON y', 'y DEPENDS_ON x'],
    );
    const fs = runOnly(g, 'dependency-cycle');
    expect(fs.map((f) => [f.ci, f.evidence.cycle])).toEqual([
      ['a', ['a', 'b', 'c']],
      ['x', ['x', 'y']],
    ]);
    expect(fs[0]!.evidence.path).toEqual([
      { from: 'a', type: 'DEPENDS_ON', to: 'b' },
      { from: 'b', type: 'DEPENDS_ON', to: 'a' },
    ]);
  });
  it('follows only the chosen relationship types', () => {
    const g = graphOf([app('x'), app('y')], ['x RUNS_ON y', 'y DEPENDS_ON x']);
    expect(runOnly(g, 'dependency-cycle', { relationshipTypes: ['DEPENDS_ON'] })).toEqual([]);
  });
});

describe('environment-crossing', () => {
  it('names each of two relationships of one type between the same pair in its own finding', () => {
    const fs = runOnly(
      graphOf([app('p1'), app('s1', { environment: 'staging' })], ['p1 DEPENDS_ON s1 call-1', 'p1 DEPENDS_ON s1 call-2']),
      'environment-crossing',
    );
    expect(fs.map((f) => f.relationship).sort()).toEqual(['call-1', 'call-2']);
  });
  it('passes when production relies on production and staging on production', () => {
    expect(
      runOnly(
        graphOf([app('p1'), app('p2'), app('s1', { environment: 'staging' })], ['p1 DEPENDS_ON p2', 's1 DEPENDS_ON p2']),
        'environment-crossing',
      ),
    ).toEqual([]);
  });
  it('reports production relying on staging', () => {
    const fs = runOnly(graphOf([app('p1'), app('s1', { environment: 'staging' })], ['p1 DEPENDS_ON s1']), 'environment-crossing');
    expect(fs.map((f) => [f.relationship, f.evidence.providerEnvironment])).toEqual([['p1|DEPENDS_ON|s1', 'staging']]);
  });
});

describe('certificate-expiry', () => {
  const cert = (id: string, expiresAt: string): CiSpec => ({ id, class: 'Certificate', attributes: { commonName: id, expiresAt } });
  it('passes when certificates expire after the window', () => {
    expect(runOnly(graphOf([cert('c1', '2027-01-01T00:00:00Z')], []), 'certificate-expiry')).toEqual([]);
  });
  it('reports an expired certificate as an error with the business services its expiry takes down, and one expiring soon as a warning', () => {
    const g = graphOf(
      [
        cert('c-old', '2026-10-01T00:00:00Z'),
        cert('c-soon', '2026-11-20T00:00:00Z'),
        app('api'),
        svc('svc-a'),
        svc('svc-b', { criticality: 2 }),
      ],
      ['api DEPENDS_ON c-old', 'svc-a DEPENDS_ON api', 'svc-b DEPENDS_ON api'],
    );
    const fs = runOnly(g, 'certificate-expiry');
    expect(fs.map((f) => [f.ci, f.severity, f.evidence.daysLeft])).toEqual([
      ['c-old', 'error', -31],
      ['c-soon', 'warning', 19],
    ]);
    expect(fs[0]!.evidence.services).toEqual([
      { id: 'svc-a', name: 'svc-a', criticality: 1, state: 'down' },
      { id: 'svc-b', name: 'svc-b', criticality: 2, state: 'down' },
    ]);
    expect(fs[0]!.evidence.path).toEqual([
      { from: 'api', type: 'DEPENDS_ON', to: 'c-old' },
      { from: 'svc-a', type: 'DEPENDS_ON', to: 'api' },
    ]);
    expect(fs[0]!.message).toContain('takes down svc-a, svc-b');
  });
});

describe('single-point-of-failure', () => {
  it('passes when a tier-1 service sits on two servers of which one suffices', () => {
    const g = graphOf(
      [svc('svc'), app('a1', { redundancy: [{ relationship: 'RUNS_ON', minAvailable: 1 }] }), srv('s1', 'SN1'), srv('s2', 'SN2')],
      ['svc DEPENDS_ON a1', 'a1 RUNS_ON s1', 'a1 RUNS_ON s2'],
    );
    expect(runOnly(g, 'single-point-of-failure')).toEqual([]);
  });
  it('reports the one server a tier-1 service relies on (not the application layer), and nothing for tier 2', () => {
    const g = graphOf(
      [svc('svc'), svc('svc2', { criticality: 2 }), app('a1'), app('a2'), srv('s1', 'SN1'), srv('s2', 'SN2')],
      ['svc DEPENDS_ON a1', 'a1 RUNS_ON s1', 'svc2 DEPENDS_ON a2', 'a2 RUNS_ON s2'],
    );
    const fs = runOnly(g, 'single-point-of-failure');
    expect(fs.map((f) => [f.ci, f.evidence.service, f.evidence.kind])).toEqual([['s1', 'svc', 'hard']]);
    expect(fs[0]!.evidence.path).toEqual([
      { from: 'svc', type: 'DEPENDS_ON', to: 'a1' },
      { from: 'a1', type: 'RUNS_ON', to: 's1' },
    ]);
  });
});

describe('redundancy-underprovisioned', () => {
  it('passes when a group has minAvailable + 1 members', () => {
    const g = graphOf(
      [
        { id: 'cl', class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
        srv('h1', 'A'),
        srv('h2', 'B'),
        srv('h3', 'C'),
      ],
      ['h1 MEMBER_OF cl', 'h2 MEMBER_OF cl', 'h3 MEMBER_OF cl'],
    );
    expect(runOnly(g, 'redundancy-underprovisioned')).toEqual([]);
  });
  it('reports a group one failure breaches (2 of 2, 100%, or no member at all) with its members as path', () => {
    const g = graphOf(
      [
        { id: 'cl', class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
        { id: 'cl2', class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: '100%' }] },
        app('empty', { redundancy: [{ relationship: 'RUNS_ON', minAvailable: 1 }] }),
        srv('h1', 'A'),
        srv('h2', 'B'),
        srv('h3', 'C'),
        srv('h4', 'D'),
      ],
      ['h1 MEMBER_OF cl', 'h2 MEMBER_OF cl', 'h3 MEMBER_OF cl2', 'h4 MEMBER_OF cl2'],
    );
    const fs = runOnly(g, 'redundancy-underprovisioned');
    expect(fs.map((f) => [f.ci, f.evidence.members, f.evidence.required])).toEqual([
      ['cl', 2, 2],
      ['cl2', 2, 2],
      ['empty', 0, 1],
    ]);
    expect(fs[0]!.evidence.path).toEqual([
      { from: 'h1', type: 'MEMBER_OF', to: 'cl' },
      { from: 'h2', type: 'MEMBER_OF', to: 'cl' },
    ]);
  });
});

describe('unsupported', () => {
  const as = (id: string, extra: Partial<CiSpec> = {}): CiSpec => ({ id, class: 'ApplicationService', ...extra });
  it('passes when every production application service supports a business service, transitively', () => {
    const g = graphOf(
      [svc('svc'), as('as1'), as('as2'), as('stg', { environment: 'staging' })],
      ['svc DEPENDS_ON as1', 'as1 DEPENDS_ON as2'],
    );
    expect(runOnly(g, 'unsupported')).toEqual([]);
  });
  it('reports an application service no business service relies on, and widens to other classes on request', () => {
    const g = graphOf(
      [svc('svc'), as('as1'), as('lost'), app('tool')],
      ['svc DEPENDS_ON as1', 'lost DEPENDS_ON as1', 'tool DEPENDS_ON as1'],
    );
    expect(subjects(runOnly(g, 'unsupported'))).toEqual(['lost']);
    expect(subjects(runOnly(g, 'unsupported', { classes: ['ApplicationService', 'Application'] }))).toEqual(['lost', 'tool']);
  });
});
