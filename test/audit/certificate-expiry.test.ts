/**
 * `certificate-expiry` beyond rules.test.ts's pass/fail pair: the window's edges (exactly N days
 * left is reported, a millisecond more is not; expiring this instant is expired), what a value that
 * is not an ISO date reads as, and the services an expiry reaches — down or only degraded (a
 * redundancy group survives it), in impact order, with the path to the first one down.
 */
import { describe, expect, it } from 'vitest';
import { graphOf, NOW, runOnly, type CiSpec } from './helpers.ts';

const DAY = 86_400_000;
const cert = (id: string, expiresAt: unknown): CiSpec => ({ id, class: 'Certificate', attributes: { commonName: id, expiresAt } });
const svc = (id: string, criticality = 1): CiSpec => ({
  id,
  class: 'BusinessService',
  criticality,
  attributes: { serviceLevel: 'gold' },
});
const app = (id: string, extra: Partial<CiSpec> = {}): CiSpec => ({ id, class: 'Application', attributes: { version: '1' }, ...extra });
const iso = (ms: number) => new Date(ms).toISOString();

describe('certificate-expiry: the window', () => {
  it('reports a certificate with exactly N days left and not one a millisecond later', () => {
    const edge = iso(NOW.getTime() + 10 * DAY);
    const g = graphOf([cert('c-edge', edge), cert('c-after', iso(NOW.getTime() + 10 * DAY + 1))], []);
    const fs = runOnly(g, 'certificate-expiry', { days: 10 });
    expect(fs.map((f) => [f.ci, f.severity, f.evidence.daysLeft, f.evidence.expired])).toEqual([['c-edge', 'warning', 10, false]]);
    expect(fs[0]!.message).toBe(`certificate "c-edge" expires on ${edge} (in 10 days)`);
  });

  it('counts a certificate expiring this very instant as expired, an error', () => {
    const fs = runOnly(graphOf([cert('c-now', iso(NOW.getTime()))], []), 'certificate-expiry', { days: 0 });
    expect(fs.map((f) => [f.ci, f.severity, f.evidence.expired, f.message])).toEqual([
      ['c-now', 'error', true, `certificate "c-now" expired on ${iso(NOW.getTime())}`],
    ]);
  });

  it('reads an expiry that is not a date string as unreadable, even a number', () => {
    const fs = runOnly(graphOf([cert('c-num', 20261101), cert('c-text', 'soon'), cert('c-year', 2026)], []), 'certificate-expiry');
    expect(fs.map((f) => [f.ci, f.severity, f.message])).toEqual([
      ['c-num', 'error', 'certificate "c-num" has an unreadable expiresAt 20261101'],
      ['c-text', 'error', 'certificate "c-text" has an unreadable expiresAt "soon"'],
      ['c-year', 'error', 'certificate "c-year" has an unreadable expiresAt 2026'],
    ]);
  });

  it('ignores an expiresAt on a CI that is not a certificate', () => {
    const g = graphOf([{ id: 'a1', class: 'Application', attributes: { version: '1', expiresAt: '2026-10-01T00:00:00Z' } }], []);
    expect(runOnly(g, 'certificate-expiry')).toEqual([]);
  });
});

describe('certificate-expiry: the services an expiry reaches', () => {
  const expired = '2026-10-01T00:00:00Z';

  it('says a service behind a redundancy group the expiry leaves standing is degraded, not down', () => {
    const g = graphOf(
      [
        cert('c1', expired),
        cert('c2', '2027-06-01T00:00:00Z'),
        app('web', { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] }),
        svc('shop'),
        svc('shop-eu'),
      ],
      ['web DEPENDS_ON c1', 'web DEPENDS_ON c2', 'shop DEPENDS_ON web', 'shop-eu DEPENDS_ON web'],
    );
    const [f] = runOnly(g, 'certificate-expiry');
    expect(f!.evidence.services).toEqual([
      { id: 'shop', name: 'shop', criticality: 1, state: 'degraded' },
      { id: 'shop-eu', name: 'shop-eu', criticality: 1, state: 'degraded' },
    ]);
    expect(f!.message).toBe(`certificate "c1" expired on ${expired}; its expiry degrades shop, shop-eu`);
    expect(f!.evidence.path).toEqual([
      { from: 'web', type: 'DEPENDS_ON', to: 'c1' },
      { from: 'shop', type: 'DEPENDS_ON', to: 'web' },
    ]);
  });

  it('lists services most critical first, then by id, and draws the path to the first one down', () => {
    const g = graphOf(
      [
        cert('c1', expired),
        cert('c2', '2027-06-01T00:00:00Z'),
        app('web', { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] }),
        app('batch'),
        svc('gold', 1),
        svc('tier3-z', 3),
        svc('tier3-m', 3),
      ],
      [
        'web DEPENDS_ON c1',
        'web DEPENDS_ON c2',
        'gold DEPENDS_ON web',
        'batch DEPENDS_ON c1',
        'tier3-z DEPENDS_ON batch',
        'tier3-m DEPENDS_ON batch',
      ],
    );
    const [f] = runOnly(g, 'certificate-expiry');
    expect((f!.evidence.services as { id: string; state: string }[]).map((s) => [s.id, s.state])).toEqual([
      ['gold', 'degraded'],
      ['tier3-m', 'down'],
      ['tier3-z', 'down'],
    ]);
    expect(f!.message).toBe(`certificate "c1" expired on ${expired}; its expiry takes down tier3-m, tier3-z`);
    expect(f!.evidence.path).toEqual([
      { from: 'batch', type: 'DEPENDS_ON', to: 'c1' },
      { from: 'tier3-m', type: 'DEPENDS_ON', to: 'batch' },
    ]);
  });

  it('adds nothing to the message and an empty path when no business service relies on the certificate', () => {
    const [f] = runOnly(graphOf([cert('c1', expired), app('web')], ['web DEPENDS_ON c1']), 'certificate-expiry');
    expect(f!.message).toBe(`certificate "c1" expired on ${expired}`);
    expect(f!.evidence).toMatchObject({ services: [], path: [] });
  });
});
