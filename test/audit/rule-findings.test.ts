/**
 * What an auditor reads in each built-in rule's findings, in full: subject, severity, the message
 * as printed, evidence (paths with their direction: each step dependent → provider as stored), and
 * the edges of every parameter and scope — N days exactly, a live CI versus a retired one, the
 * statuses and environments each rule does and does not judge. rules.test.ts holds one passing and
 * one failing graph per rule; this file holds the details those graphs leave open.
 */
import { describe, expect, it } from 'vitest';
import { Mirror } from '../../engine/mirror/mirror.ts';
import { ImpactIndexKeeper } from '../../engine/impact/keeper.ts';
import { graphOf, NOW, registry, runOnly, subjects, type CiSpec } from './helpers.ts';

const DAY = 86_400_000;
const ago = (days: number, ms = 0) => new Date(NOW.getTime() - days * DAY - ms).toISOString();
const app = (id: string, extra: Partial<CiSpec> = {}): CiSpec => ({ id, class: 'Application', attributes: { version: '1' }, ...extra });

describe('required-attributes findings', () => {
  it('name the class and every missing attribute, in the class order, treating null and empty as missing', () => {
    const g = graphOf([{ id: 'acct', class: 'CloudAccount', attributes: { provider: null, accountId: '' } }], []);
    expect(runOnly(g, 'required-attributes')).toEqual([
      {
        rule: 'required-attributes',
        ci: 'acct',
        severity: 'warning',
        message: 'CloudAccount "acct" has no provider, accountId (required for its class)',
        evidence: { class: 'CloudAccount', missing: ['provider', 'accountId'] },
      },
    ]);
  });

  it('judge a subclass by its own list: a KubernetesNode needs no serial number, a Hypervisor does', () => {
    const g = graphOf(
      [
        { id: 'k1', class: 'KubernetesNode', attributes: {} },
        { id: 'h1', class: 'Hypervisor', attributes: {} },
      ],
      [],
    );
    expect(runOnly(g, 'required-attributes').map((f) => [f.ci, f.evidence.missing])).toEqual([['h1', ['serialNumber']]]);
  });

  it('are none for a CI of a class the registry does not declare (nothing is required of it)', () => {
    const g = graphOf([app('a1')], []);
    (g.cis[0] as { class: string }).class = 'Gadget';
    expect(runOnly(g, 'required-attributes')).toEqual([]);
  });

  it('cover planned and maintenance CIs, not retired ones', () => {
    const g = graphOf(
      [
        app('p', { status: 'planned', attributes: {} }),
        app('m', { status: 'maintenance', attributes: {} }),
        app('r', { status: 'retired', attributes: {} }),
      ],
      [],
    );
    expect(subjects(runOnly(g, 'required-attributes'))).toEqual(['m', 'p']);
  });
});

describe('missing-owner findings', () => {
  it('report an absent owner and an empty one, naming the class; a retired CI without owner is history', () => {
    const g = graphOf([app('none'), app('empty'), app('owned'), app('old', { status: 'retired' })], []);
    delete (g.cis[0] as { owner?: string }).owner;
    (g.cis[1] as { owner?: string }).owner = '';
    delete (g.cis[3] as { owner?: string }).owner;
    expect(runOnly(g, 'missing-owner')).toEqual([
      {
        rule: 'missing-owner',
        ci: 'empty',
        severity: 'warning',
        message: 'Application "empty" has no owner',
        evidence: { class: 'Application' },
      },
      {
        rule: 'missing-owner',
        ci: 'none',
        severity: 'warning',
        message: 'Application "none" has no owner',
        evidence: { class: 'Application' },
      },
    ]);
  });
});

describe('orphan findings', () => {
  it('name the class of a live CI with no relationship, and skip a retired one', () => {
    const g = graphOf([app('lonely'), app('old', { status: 'retired' })], []);
    expect(runOnly(g, 'orphan')).toEqual([
      {
        rule: 'orphan',
        ci: 'lonely',
        severity: 'warning',
        message: 'Application "lonely" has no relationship',
        evidence: { class: 'Application' },
      },
    ]);
  });

  it('count a relationship in either direction', () => {
    expect(runOnly(graphOf([app('a'), app('b')], ['a DEPENDS_ON b']), 'orphan')).toEqual([]);
  });

  it('count a relationship of an audit-only type at either end, which the impact index does not hold', () => {
    const g = graphOf([app('a'), { id: 'vault', class: 'BackupVault' }, app('b'), app('c')], ['a BACKED_UP_BY vault', 'b DEPENDS_ON c']);
    expect(g.index.prov.end[g.index.idToIndex.get('a')!]).toBe(g.index.prov.start[g.index.idToIndex.get('a')!]);
    expect(runOnly(g, 'orphan')).toEqual([]);
  });

  it('skip the slot a maintained index keeps for a CI deleted since it was built, and report one left alone by a deletion', () => {
    const g = graphOf([app('a'), app('b'), app('gone')], ['a DEPENDS_ON b', 'b DEPENDS_ON gone']);
    const mirror = new Mirror();
    mirror.applyEvents(
      g.cis.map((ci, i) => ({ seq: i + 1, at: 'x', actor: 't', op: 'create', entity: 'ci', id: ci.id, before: null, after: ci })),
    );
    const rel = {
      id: 'a|DEPENDS_ON|b',
      type: 'DEPENDS_ON',
      from: 'a',
      to: 'b',
      attributes: {},
      version: 1,
      createdAt: 'x',
      updatedAt: 'x',
    };
    const rel2 = { ...rel, id: 'b|DEPENDS_ON|gone', to: 'gone' };
    mirror.applyEvents([
      { seq: 4, at: 'x', actor: 't', op: 'create', entity: 'relationship', id: rel.id, before: null, after: rel },
      { seq: 5, at: 'x', actor: 't', op: 'create', entity: 'relationship', id: rel2.id, before: null, after: rel2 },
    ]);
    const keeper = new ImpactIndexKeeper(mirror.graph, registry);
    keeper.current(mirror.revision);
    mirror.applyEvents([
      { seq: 6, at: 'x', actor: 't', op: 'delete', entity: 'relationship', id: rel.id, before: rel, after: null },
      { seq: 7, at: 'x', actor: 't', op: 'delete', entity: 'relationship', id: rel2.id, before: rel2, after: null },
      { seq: 8, at: 'x', actor: 't', op: 'delete', entity: 'ci', id: 'gone', before: g.cis[2]!, after: null },
    ]);
    const index = keeper.current(mirror.revision);
    expect(index.nodeIds).toContain('gone');
    expect(mirror.graph.hasNode('gone')).toBe(false);
    const fs = runOnly({ ...g, graph: mirror.graph, index }, 'orphan');
    expect(fs.map((f) => f.ci)).toEqual(['a', 'b']);
  });

  it('skip a CI document the graph does not hold (written after the graph was read) instead of failing the run', () => {
    const g = graphOf([app('a'), app('b')], ['a DEPENDS_ON b']);
    const late = graphOf([app('late')], []).cis[0]!;
    expect(runOnly({ ...g, cis: [...g.cis, late] }, 'orphan')).toEqual([]);
  });
});

describe('stale findings', () => {
  it('say how many days ago the CI was last confirmed and the limit, with the instant as evidence', () => {
    const g = graphOf([app('a1', { updatedAt: ago(100, 3_600_000) })], []);
    expect(runOnly(g, 'stale', { days: 90 })).toEqual([
      {
        rule: 'stale',
        ci: 'a1',
        severity: 'warning',
        message: 'Application "a1" was last verified or updated 100 days ago (limit 90)',
        evidence: { lastConfirmed: ago(100, 3_600_000), ageDays: 100, limitDays: 90 },
      },
    ]);
  });

  it('leave a CI confirmed exactly N days ago alone and report one a millisecond older', () => {
    const g = graphOf([app('edge', { updatedAt: ago(90) }), app('older', { updatedAt: ago(90, 1) })], []);
    expect(subjects(runOnly(g, 'stale', { days: 90 }))).toEqual(['older']);
  });

  it('allow 180 days by default', () => {
    const g = graphOf([app('edge', { updatedAt: ago(180) }), app('older', { updatedAt: ago(180, 1) })], []);
    expect(subjects(runOnly(g, 'stale'))).toEqual(['older']);
  });

  it('take the later of the last update and the last verification', () => {
    const g = graphOf(
      [
        app('verified', { updatedAt: ago(400), attributes: { version: '1', verifiedAt: ago(10) } }),
        app('updated', { updatedAt: ago(10), attributes: { version: '1', verifiedAt: ago(400) } }),
        app('both-old', { updatedAt: ago(300), attributes: { version: '1', verifiedAt: ago(200) } }),
      ],
      [],
    );
    expect(runOnly(g, 'stale', { days: 90 }).map((f) => [f.ci, f.evidence.lastConfirmed, f.evidence.ageDays])).toEqual([
      ['both-old', ago(200), 200],
    ]);
  });

  it('fall back to the last update when verifiedAt is not a readable date', () => {
    const g = graphOf(
      [
        app('garbled', { updatedAt: ago(120), attributes: { version: '1', verifiedAt: 'yesterday' } }),
        app('number', { updatedAt: ago(120), attributes: { version: '1', verifiedAt: Date.parse(ago(1)) } }),
      ],
      [],
    );
    expect(runOnly(g, 'stale', { days: 90 }).map((f) => [f.ci, f.evidence.ageDays])).toEqual([
      ['garbled', 120],
      ['number', 120],
    ]);
  });

  it('ignore a verifiedAt that is not a string, even a number that would read as a year', () => {
    const g = graphOf([app('y', { updatedAt: ago(400), attributes: { version: '1', verifiedAt: 2026 } })], []);
    expect(runOnly(g, 'stale', { days: 90 }).map((f) => [f.ci, f.evidence.ageDays])).toEqual([['y', 400]]);
  });

  it('skip retired CIs and CIs whose timestamps cannot be read at all', () => {
    const g = graphOf([app('old', { status: 'retired', updatedAt: ago(999) }), app('blank')], []);
    (g.cis[1] as { updatedAt: string }).updatedAt = 'not a date';
    expect(runOnly(g, 'stale', { days: 1 })).toEqual([]);
  });
});

describe('retired-dependency findings', () => {
  it('name both ends and their statuses, the relationship, and the one step dependent → provider as path', () => {
    const g = graphOf([app('api'), app('legacy', { status: 'retired' })], ['api DEPENDS_ON legacy']);
    expect(runOnly(g, 'retired-dependency')).toEqual([
      {
        rule: 'retired-dependency',
        relationship: 'api|DEPENDS_ON|legacy',
        severity: 'error',
        message: 'in-service "api" relies on retired "legacy" (DEPENDS_ON)',
        evidence: {
          dependent: 'api',
          provider: 'legacy',
          providerStatus: 'retired',
          path: [{ from: 'api', type: 'DEPENDS_ON', to: 'legacy' }],
        },
      },
    ]);
  });

  it('judge CIs in maintenance as active, and leave planned or retired dependents and maintenance providers alone', () => {
    const g = graphOf(
      [
        app('maint', { status: 'maintenance' }),
        app('plan', { status: 'planned' }),
        app('gone', { status: 'retired' }),
        app('next', { status: 'planned' }),
        app('fixing', { status: 'maintenance' }),
        app('live'),
      ],
      ['maint DEPENDS_ON next', 'plan DEPENDS_ON next', 'gone DEPENDS_ON next', 'live DEPENDS_ON fixing', 'plan DEPENDS_ON gone'],
    );
    const fs = runOnly(g, 'retired-dependency');
    expect(fs.map((f) => f.message)).toEqual(['maintenance "maint" relies on planned "next" (DEPENDS_ON)']);
  });

  it('follow the dependency direction of a reversed type: a member provides its group', () => {
    const g = graphOf([{ id: 'grp', class: 'Cluster' }, app('m', { status: 'retired' })], ['m MEMBER_OF grp']);
    expect(runOnly(g, 'retired-dependency').map((f) => [f.message, f.evidence.path])).toEqual([
      ['in-service "grp" relies on retired "m" (MEMBER_OF)', [{ from: 'm', type: 'MEMBER_OF', to: 'grp' }]],
    ]);
  });
});

describe('environment-crossing findings', () => {
  it('name the production dependent, the non-production provider and its environment, with the step as path', () => {
    const g = graphOf([app('shop'), app('db-test', { environment: 'test' })], ['shop DEPENDS_ON db-test']);
    expect(runOnly(g, 'environment-crossing')).toEqual([
      {
        rule: 'environment-crossing',
        relationship: 'shop|DEPENDS_ON|db-test',
        severity: 'warning',
        message: 'production "shop" relies on test "db-test" (DEPENDS_ON)',
        evidence: {
          dependent: 'shop',
          provider: 'db-test',
          providerEnvironment: 'test',
          path: [{ from: 'shop', type: 'DEPENDS_ON', to: 'db-test' }],
        },
      },
    ]);
  });

  it('ignore a crossing where either end is retired, and non-production relying on production or on each other', () => {
    const g = graphOf(
      [
        app('p-old', { status: 'retired' }),
        app('p'),
        app('dev-old', { environment: 'development', status: 'retired' }),
        app('stg', { environment: 'staging' }),
        app('dev', { environment: 'development' }),
      ],
      ['p-old DEPENDS_ON stg', 'p DEPENDS_ON dev-old', 'stg DEPENDS_ON p', 'stg DEPENDS_ON dev'],
    );
    expect(runOnly(g, 'environment-crossing')).toEqual([]);
  });

  it('report a planned production CI relying on a development one (planned is not retired)', () => {
    const g = graphOf(
      [app('p', { status: 'planned' }), app('dev', { environment: 'development', status: 'planned' })],
      ['p DEPENDS_ON dev'],
    );
    expect(subjects(runOnly(g, 'environment-crossing'))).toEqual(['p|DEPENDS_ON|dev']);
  });
});

describe('dependency-cycle findings', () => {
  it('name every member of the loop, sorted, on the smallest id, with a closed path of stored relationships', () => {
    const g = graphOf([app('c'), app('a'), app('b')], ['a DEPENDS_ON b', 'b DEPENDS_ON c', 'c DEPENDS_ON a']);
    expect(runOnly(g, 'dependency-cycle')).toEqual([
      {
        rule: 'dependency-cycle',
        ci: 'a',
        severity: 'warning',
        message: '3 CIs rely on each other in a loop: a, b, c',
        evidence: {
          cycle: ['a', 'b', 'c'],
          path: [
            { from: 'a', type: 'DEPENDS_ON', to: 'b' },
            { from: 'b', type: 'DEPENDS_ON', to: 'c' },
            { from: 'c', type: 'DEPENDS_ON', to: 'a' },
          ],
        },
      },
    ]);
  });

  it('take the shortest way round from the smallest id when the loop has a longer way too', () => {
    const g = graphOf(
      [app('a'), app('b'), app('c'), app('d'), app('e'), app('f')],
      ['a DEPENDS_ON d', 'd DEPENDS_ON e', 'e DEPENDS_ON f', 'f DEPENDS_ON a', 'a DEPENDS_ON b', 'b DEPENDS_ON c', 'c DEPENDS_ON a'],
    );
    const [f] = runOnly(g, 'dependency-cycle');
    expect(f!.evidence.cycle).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(f!.evidence.path).toEqual([
      { from: 'a', type: 'DEPENDS_ON', to: 'b' },
      { from: 'b', type: 'DEPENDS_ON', to: 'c' },
      { from: 'c', type: 'DEPENDS_ON', to: 'a' },
    ]);
  });

  it('quote a reversed type as stored: a group relying on its member shows the member → group relationship', () => {
    const g = graphOf([{ id: 'grp', class: 'Cluster' }, app('m')], ['m MEMBER_OF grp', 'm DEPENDS_ON grp']);
    expect(runOnly(g, 'dependency-cycle').map((f) => [f.ci, f.evidence.path])).toEqual([
      [
        'grp',
        [
          { from: 'm', type: 'MEMBER_OF', to: 'grp' },
          { from: 'm', type: 'DEPENDS_ON', to: 'grp' },
        ],
      ],
    ]);
  });

  it('keep two loops joined one way apart, leave out CIs that only lead into a loop, and merge loops sharing a CI', () => {
    const g = graphOf(
      ['in', 'a', 'b', 'c', 'd', 'x', 'y', 'z', 'tail'].map((id) => app(id)),
      [
        'in DEPENDS_ON a',
        'a DEPENDS_ON b',
        'b DEPENDS_ON a',
        'b DEPENDS_ON c',
        'c DEPENDS_ON d',
        'd DEPENDS_ON c',
        'd DEPENDS_ON tail',
        'x DEPENDS_ON y',
        'y DEPENDS_ON x',
        'y DEPENDS_ON z',
        'z DEPENDS_ON y',
      ],
    );
    expect(runOnly(g, 'dependency-cycle').map((f) => f.evidence.cycle)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['x', 'y', 'z'],
    ]);
  });

  it('find a loop whose back edge reaches past the node the walk entered it by', () => {
    // Depth-first from a: a → b → c → d, then d → b closes {b, c, d} and c → a closes all four.
    const g = graphOf(
      [app('a'), app('b'), app('c'), app('d'), app('e')],
      ['a DEPENDS_ON b', 'b DEPENDS_ON c', 'c DEPENDS_ON d', 'd DEPENDS_ON b', 'c DEPENDS_ON a', 'd DEPENDS_ON e'],
    );
    expect(runOnly(g, 'dependency-cycle').map((f) => f.evidence.cycle)).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('keep a CI that only leads into a loop out of it when the members of the loop are linked twice', () => {
    // v reaches x by two relationships: the second must not make v look like a member of an older part of the walk.
    const g = graphOf([app('u'), app('v'), app('x')], ['u DEPENDS_ON v', 'v DEPENDS_ON x', 'v RUNS_ON x', 'x DEPENDS_ON v']);
    expect(runOnly(g, 'dependency-cycle').map((f) => f.evidence.cycle)).toEqual([['v', 'x']]);
  });

  it('keep the shortest way round when a longer way reaches a member first found by a shorter one', () => {
    const g = graphOf(
      [app('a'), app('b'), app('c'), app('x')],
      ['a DEPENDS_ON b', 'a DEPENDS_ON x', 'x DEPENDS_ON b', 'b DEPENDS_ON c', 'c DEPENDS_ON a'],
    );
    expect(runOnly(g, 'dependency-cycle').map((f) => [f.evidence.cycle, f.evidence.path])).toEqual([
      [
        ['a', 'b', 'c', 'x'],
        [
          { from: 'a', type: 'DEPENDS_ON', to: 'b' },
          { from: 'b', type: 'DEPENDS_ON', to: 'c' },
          { from: 'c', type: 'DEPENDS_ON', to: 'a' },
        ],
      ],
    ]);
  });

  it('close the loop with the relationship stored first when two close it, so a re-run quotes the same path', () => {
    const g = graphOf([app('a'), app('b')], ['a DEPENDS_ON b', 'b DEPENDS_ON a', 'b RUNS_ON a']);
    expect(runOnly(g, 'dependency-cycle').map((f) => f.evidence.path)).toEqual([
      [
        { from: 'a', type: 'DEPENDS_ON', to: 'b' },
        { from: 'b', type: 'DEPENDS_ON', to: 'a' },
      ],
    ]);
  });

  it('ignore a loop through a non-propagating relationship, and refuse an unknown type in the parameters', () => {
    const g = graphOf([app('a'), app('b')], ['a DEPENDS_ON b', 'b BACKED_UP_BY a']);
    expect(runOnly(g, 'dependency-cycle')).toEqual([]);
    expect(() => runOnly(g, 'dependency-cycle', { relationshipTypes: ['LIKES'] })).toThrow(
      'audit dependency-cycle: unknown relationship type "LIKES"',
    );
  });

  it('follow every listed type, and only those', () => {
    const g = graphOf([app('x'), app('y'), app('z')], ['x RUNS_ON y', 'y DEPENDS_ON x', 'y HOSTED_ON z', 'z DEPENDS_ON y']);
    expect(runOnly(g, 'dependency-cycle', { relationshipTypes: ['DEPENDS_ON', 'RUNS_ON'] }).map((f) => f.evidence.cycle)).toEqual([
      ['x', 'y'],
    ]);
    expect(runOnly(g, 'dependency-cycle').map((f) => f.evidence.cycle)).toEqual([['x', 'y', 'z']]);
  });
});

const svc = (id: string, criticality: number, extra: Partial<CiSpec> = {}): CiSpec => ({
  id,
  class: 'BusinessService',
  criticality,
  attributes: { serviceLevel: 'gold' },
  ...extra,
});
const srv = (id: string, extra: Partial<CiSpec> = {}): CiSpec => ({ id, class: 'Server', attributes: { serialNumber: id }, ...extra });

describe('single-point-of-failure findings', () => {
  it('are on the box, naming the tier and the service, with the chain from the service down to the box', () => {
    const g = graphOf([svc('shop', 1), app('web'), srv('box')], ['shop DEPENDS_ON web', 'web RUNS_ON box']);
    expect(runOnly(g, 'single-point-of-failure')).toEqual([
      {
        rule: 'single-point-of-failure',
        ci: 'box',
        severity: 'error',
        message: 'tier-1 service "shop" goes down when Server "box" fails alone',
        evidence: {
          service: 'shop',
          kind: 'hard',
          depth: 2,
          path: [
            { from: 'shop', type: 'DEPENDS_ON', to: 'web' },
            { from: 'web', type: 'RUNS_ON', to: 'box' },
          ],
        },
      },
    ]);
  });

  it('cover services up to the criticality given, that one included, and no retired service', () => {
    const g = graphOf(
      [svc('s1', 1), svc('s2', 2), svc('s3', 3), svc('gone', 1, { status: 'retired' }), srv('b1'), srv('b2'), srv('b3'), srv('b4')],
      ['s1 RUNS_ON b1', 's2 RUNS_ON b2', 's3 RUNS_ON b3', 'gone RUNS_ON b4'],
    );
    expect(runOnly(g, 'single-point-of-failure').map((f) => f.ci)).toEqual(['b1']);
    expect(runOnly(g, 'single-point-of-failure', { criticality: 2 }).map((f) => [f.ci, f.message])).toEqual([
      ['b1', 'tier-1 service "s1" goes down when Server "b1" fails alone'],
      ['b2', 'tier-2 service "s2" goes down when Server "b2" fails alone'],
    ]);
  });

  it('report one finding per service a shared box takes down, services in id order', () => {
    const g = graphOf([svc('zeta', 1), svc('alpha', 1), srv('box')], ['zeta RUNS_ON box', 'alpha RUNS_ON box']);
    expect(runOnly(g, 'single-point-of-failure').map((f) => [f.ci, f.evidence.service])).toEqual([
      ['box', 'alpha'],
      ['box', 'zeta'],
    ]);
  });

  it('report only the classes given, subclasses included', () => {
    const g = graphOf(
      [svc('shop', 1), app('web'), { id: 'hv', class: 'Hypervisor', attributes: { serialNumber: 'H' } }],
      ['shop DEPENDS_ON web', 'web RUNS_ON hv'],
    );
    expect(runOnly(g, 'single-point-of-failure', { classes: ['Server'] }).map((f) => f.ci)).toEqual(['hv']);
    expect(runOnly(g, 'single-point-of-failure', { classes: ['Application'] }).map((f) => f.ci)).toEqual(['web']);
    expect(
      runOnly(g, 'single-point-of-failure', { classes: ['Hypervisor', 'Application'] })
        .map((f) => f.ci)
        .sort(),
    ).toEqual(['hv', 'web']);
  });

  it('report a box holding a whole redundancy group as a group failure', () => {
    const g = graphOf(
      [
        svc('shop', 1),
        app('web', { redundancy: [{ relationship: 'RUNS_ON', minAvailable: 1 }] }),
        { id: 'vm1', class: 'VirtualMachine', attributes: { hostname: 'vm1' } },
        { id: 'vm2', class: 'VirtualMachine', attributes: { hostname: 'vm2' } },
        srv('host'),
      ],
      ['shop DEPENDS_ON web', 'web RUNS_ON vm1', 'web RUNS_ON vm2', 'vm1 HOSTED_ON host', 'vm2 HOSTED_ON host'],
    );
    expect(runOnly(g, 'single-point-of-failure').map((f) => [f.ci, f.evidence.kind, f.evidence.depth])).toEqual([['host', 'group', 3]]);
  });
});

describe('redundancy-underprovisioned findings', () => {
  const cluster = (id: string, minAvailable: number | string, relationship = 'MEMBER_OF'): CiSpec => ({
    id,
    class: 'Cluster',
    redundancy: [{ relationship, minAvailable }],
  });

  it('say what the group needs and has, with each member relationship as stored in the path', () => {
    const g = graphOf([cluster('cl', 2), srv('h1'), srv('h2')], ['h1 MEMBER_OF cl', 'h2 MEMBER_OF cl']);
    expect(runOnly(g, 'redundancy-underprovisioned')).toEqual([
      {
        rule: 'redundancy-underprovisioned',
        ci: 'cl',
        severity: 'error',
        message: '"cl" needs 2 of its MEMBER_OF group available but has 2 members: one failure breaches it',
        evidence: {
          relationship: 'MEMBER_OF',
          minAvailable: 2,
          members: 2,
          required: 2,
          path: [
            { from: 'h1', type: 'MEMBER_OF', to: 'cl' },
            { from: 'h2', type: 'MEMBER_OF', to: 'cl' },
          ],
        },
      },
    ]);
  });

  it('pass at exactly minAvailable + 1 members and fail at minAvailable, in the singular for one member', () => {
    const g = graphOf(
      [cluster('ok', 1), cluster('thin', 1), srv('a'), srv('b'), srv('c')],
      ['a MEMBER_OF ok', 'b MEMBER_OF ok', 'c MEMBER_OF thin'],
    );
    expect(runOnly(g, 'redundancy-underprovisioned').map((f) => f.message)).toEqual([
      '"thin" needs 1 of its MEMBER_OF group available but has 1 member: one failure breaches it',
    ]);
  });

  it('round a percentage up to whole members: 50 % of 3 needs 2 (3 members pass), 100 % never passes', () => {
    const g = graphOf(
      [cluster('half', '50%'), cluster('all', '100%'), srv('a'), srv('b'), srv('c'), srv('d'), srv('e'), srv('f')],
      ['a MEMBER_OF half', 'b MEMBER_OF half', 'c MEMBER_OF half', 'd MEMBER_OF all', 'e MEMBER_OF all', 'f MEMBER_OF all'],
    );
    expect(
      runOnly(g, 'redundancy-underprovisioned').map((f) => [f.ci, f.evidence.minAvailable, f.evidence.required, f.evidence.members]),
    ).toEqual([['all', '100%', 3, 3]]);
  });

  it('count only providers of the rule type, and zero members for a type that does not propagate', () => {
    const g = graphOf(
      [
        app('web', { redundancy: [{ relationship: 'RUNS_ON', minAvailable: 1 }] }),
        app('db', { redundancy: [{ relationship: 'BACKED_UP_BY', minAvailable: 1 }] }),
        srv('h1'),
        srv('h2'),
        app('lib'),
        { id: 'vault', class: 'BackupVault' },
      ],
      ['web RUNS_ON h1', 'web DEPENDS_ON lib', 'h2 DEPENDS_ON web', 'db BACKED_UP_BY vault'],
    );
    expect(runOnly(g, 'redundancy-underprovisioned').map((f) => [f.ci, f.evidence.members, f.message])).toEqual([
      ['db', 0, '"db" needs 1 of its BACKED_UP_BY group available but has 0 members: one failure breaches it'],
      ['web', 1, '"web" needs 1 of its RUNS_ON group available but has 1 member: one failure breaches it'],
    ]);
  });

  it('judge every rule of a CI on its own, and none of a retired CI', () => {
    const g = graphOf(
      [
        {
          id: 'web',
          class: 'Application',
          attributes: { version: '1' },
          redundancy: [
            { relationship: 'RUNS_ON', minAvailable: 1 },
            { relationship: 'DEPENDS_ON', minAvailable: 1 },
          ],
        },
        { ...cluster('old', 3), status: 'retired' },
        srv('h1'),
        srv('h2'),
        app('lib'),
      ],
      ['web RUNS_ON h1', 'web RUNS_ON h2', 'web DEPENDS_ON lib', 'h1 MEMBER_OF old'],
    );
    expect(runOnly(g, 'redundancy-underprovisioned').map((f) => [f.ci, f.evidence.relationship])).toEqual([['web', 'DEPENDS_ON']]);
  });
});

describe('unsupported findings', () => {
  const as = (id: string, extra: Partial<CiSpec> = {}): CiSpec => ({ id, class: 'ApplicationService', ...extra });

  it('name the class of an in-service production application service no business service relies on', () => {
    const g = graphOf([as('lost')], []);
    expect(runOnly(g, 'unsupported')).toEqual([
      {
        rule: 'unsupported',
        ci: 'lost',
        severity: 'warning',
        message: 'ApplicationService "lost" supports no business service',
        evidence: { class: 'ApplicationService' },
      },
    ]);
  });

  it('count support through any depth and through reversed types, and cover subclasses', () => {
    const g = graphOf(
      [
        svc('shop', 3),
        app('web'),
        { id: 'grp', class: 'Cluster' },
        as('deep'),
        as('member'),
        { id: 'idp', class: 'IdentityProvider' },
        { id: 'idp-lost', class: 'IdentityProvider' },
      ],
      ['shop DEPENDS_ON web', 'web DEPENDS_ON grp', 'member MEMBER_OF grp', 'member DEPENDS_ON deep', 'deep DEPENDS_ON idp'],
    );
    expect(subjects(runOnly(g, 'unsupported'))).toEqual(['idp-lost']);
  });

  it('judge only in-service CIs in the environments given', () => {
    const g = graphOf(
      [as('prod'), as('stg', { environment: 'staging' }), as('maint', { status: 'maintenance' }), as('plan', { status: 'planned' })],
      [],
    );
    expect(subjects(runOnly(g, 'unsupported'))).toEqual(['prod']);
    expect(subjects(runOnly(g, 'unsupported', { environments: ['staging'] }))).toEqual(['stg']);
    expect(subjects(runOnly(g, 'unsupported', { environments: ['staging', 'production'] }))).toEqual(['prod', 'stg']);
  });

  it('walk support through a dependency loop below a business service, once', () => {
    const g = graphOf(
      [svc('shop', 1), as('front'), as('back'), as('lost')],
      ['shop DEPENDS_ON front', 'front DEPENDS_ON back', 'back DEPENDS_ON front', 'lost DEPENDS_ON back'],
    );
    expect(subjects(runOnly(g, 'unsupported'))).toEqual(['lost']);
  });

  it('do not count a relationship that does not propagate as support', () => {
    const g = graphOf([svc('shop', 1), as('copy')], ['shop BACKED_UP_BY copy']);
    expect(subjects(runOnly(g, 'unsupported'))).toEqual(['copy']);
  });

  it('do not count a retired business service as support, while one still in service keeps what it shares', () => {
    const g = graphOf(
      [svc('old-shop', 1, { status: 'retired' }), svc('shop', 1), as('legacy'), as('checkout'), as('shared')],
      ['old-shop DEPENDS_ON legacy', 'old-shop DEPENDS_ON shared', 'shop DEPENDS_ON checkout', 'checkout DEPENDS_ON shared'],
    );
    expect(subjects(runOnly(g, 'unsupported'))).toEqual(['legacy']);
  });

  it('count a business service in maintenance or planned as support: only retirement ends it', () => {
    const g = graphOf(
      [svc('fixing', 1, { status: 'maintenance' }), svc('coming', 1, { status: 'planned' }), as('a'), as('b')],
      ['fixing DEPENDS_ON a', 'coming DEPENDS_ON b'],
    );
    expect(runOnly(g, 'unsupported')).toEqual([]);
  });
});
