/**
 * What an auditor reads in each built-in rule's findings, in full: subject, severity, the message
 * as printed, evidence (paths with their direction: each step dependent → provider as stored), and
 * the edges of every parameter and scope — N days exactly, a live CI versus a retired one, the
 * statuses and environments each rule does and does not judge. rules.test.ts holds one passing and
 * one failing graph per rule; this file holds the details those graphs leave open.
 */
import { describe, expect, it } from 'vitest';
import { graphOf, NOW, runOnly, subjects, type CiSpec } from './helpers.ts';

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
