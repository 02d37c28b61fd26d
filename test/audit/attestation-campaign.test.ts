/**
 * The attestation campaign (engine/audit/attestation.ts) as an owner reads it: which CIs to confirm
 * (never verified, or verified before the window — the boundary instant exactly), what each one's
 * failure takes down and supports, and the order — one tier-1 outage outranks any number of tier-2
 * ones, then reach, then id.
 */
import { describe, expect, it } from 'vitest';
import { attestationCampaign } from '../../engine/audit/attestation.ts';
import { graphOf, NOW, type CiSpec } from './helpers.ts';

const svc = (id: string, criticality: number, extra: Partial<CiSpec> = {}): CiSpec => ({
  id,
  class: 'BusinessService',
  criticality,
  attributes: { serviceLevel: 'gold' },
  ...extra,
});
const app = (id: string, extra: Partial<CiSpec> = {}): CiSpec => ({ id, class: 'Application', attributes: { version: '1' }, ...extra });
const DAY = 86_400_000;
const daysAgo = (d: number, ms = 0) => new Date(NOW.getTime() - d * DAY - ms).toISOString();

describe('attestation campaign', () => {
  it('ranks what takes down a tier-1 service above what takes down two tier-2 ones, above one, then by reach, then by id', () => {
    const g = graphOf(
      [
        svc('gold', 1),
        svc('silver-a', 2),
        svc('silver-b', 2),
        app('t1-app'),
        app('t2-app'),
        // Redundant pair behind gold: neither takes it down alone, both reach it.
        app('pool', { redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] }),
        app('r1'),
        app('r2'),
        app('lonely-b'),
        app('lonely-a'),
      ],
      [
        'gold DEPENDS_ON t1-app',
        'silver-a DEPENDS_ON t2-app',
        'silver-b DEPENDS_ON t2-app',
        't1-app DEPENDS_ON pool',
        'pool DEPENDS_ON r1',
        'pool DEPENDS_ON r2',
      ],
    );
    const items = attestationCampaign(g);
    expect(items.map((i) => i.id)).toEqual([
      'gold',
      'pool',
      't1-app',
      't2-app',
      'silver-a',
      'silver-b',
      'r1',
      'r2',
      'lonely-a',
      'lonely-b',
    ]);
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get('t2-app')!.takesDown).toEqual([
      { id: 'silver-a', criticality: 2 },
      { id: 'silver-b', criticality: 2 },
    ]);
    expect(byId.get('r1')!.takesDown).toEqual([]);
    expect(byId.get('r1')!.supports).toEqual([{ id: 'gold', criticality: 1 }]);
    expect(byId.get('gold')!.takesDown).toEqual([{ id: 'gold', criticality: 1 }]);
    expect(byId.get('lonely-a')).toMatchObject({ takesDown: [], supports: [] });
  });

  it('lists services most critical first in what a shared CI takes down and supports', () => {
    const g = graphOf(
      [svc('b-tier3', 3), svc('a-tier2', 2), svc('c-tier1', 1), app('shared')],
      ['b-tier3 DEPENDS_ON shared', 'a-tier2 DEPENDS_ON shared', 'c-tier1 DEPENDS_ON shared'],
    );
    const shared = attestationCampaign(g).find((i) => i.id === 'shared')!;
    const order = [
      { id: 'c-tier1', criticality: 1 },
      { id: 'a-tier2', criticality: 2 },
      { id: 'b-tier3', criticality: 3 },
    ];
    expect(shared.takesDown).toEqual(order);
    expect(shared.supports).toEqual(order);
  });

  it('orders services of one criticality by id', () => {
    const g = graphOf([svc('s-b', 1), svc('s-a', 1), app('x')], ['s-b DEPENDS_ON x', 's-a DEPENDS_ON x']);
    expect(
      attestationCampaign(g)
        .find((i) => i.id === 'x')!
        .takesDown.map((s) => s.id),
    ).toEqual(['s-a', 's-b']);
  });

  it('leaves out a CI verified exactly N days ago, and lists one verified a millisecond earlier', () => {
    const g = graphOf(
      [
        app('edge', { attributes: { version: '1', verifiedAt: daysAgo(30), verifiedBy: 'ann' } }),
        app('older', { attributes: { version: '1', verifiedAt: daysAgo(30, 1), verifiedBy: 'bob' } }),
      ],
      [],
    );
    expect(attestationCampaign(g, { days: 30 }).map((i) => i.id)).toEqual(['older']);
  });

  it('uses a 90-day window by default', () => {
    const g = graphOf(
      [
        app('in', { attributes: { version: '1', verifiedAt: daysAgo(90) } }),
        app('out', { attributes: { version: '1', verifiedAt: daysAgo(91) } }),
      ],
      [],
    );
    expect(attestationCampaign(g).map((i) => i.id)).toEqual(['out']);
  });

  it('says who last verified a CI and when, and null for a CI never verified or without an owner', () => {
    const g = graphOf(
      [
        app('seen', { owner: 'team-x', attributes: { version: '1', verifiedAt: daysAgo(200), verifiedBy: 'ann' } }),
        app('never', { attributes: { version: '1', verifiedAt: 12345, verifiedBy: 7 } }),
        app('garbled', { attributes: { version: '1', verifiedAt: 'last tuesday' } }),
      ],
      [],
    );
    delete (g.cis[1] as { owner?: string }).owner;
    const items = attestationCampaign(g);
    expect(items).toEqual([
      {
        id: 'garbled',
        class: 'Application',
        name: 'garbled',
        owner: 'team-a',
        verifiedAt: 'last tuesday',
        verifiedBy: null,
        takesDown: [],
        supports: [],
      },
      { id: 'never', class: 'Application', name: 'never', owner: null, verifiedAt: null, verifiedBy: null, takesDown: [], supports: [] },
      {
        id: 'seen',
        class: 'Application',
        name: 'seen',
        owner: 'team-x',
        verifiedAt: daysAgo(200),
        verifiedBy: 'ann',
        takesDown: [],
        supports: [],
      },
    ]);
  });

  it('skips retired CIs, and a retired business service counts for nothing', () => {
    const g = graphOf([svc('old-svc', 1, { status: 'retired' }), app('a'), app('gone', { status: 'retired' })], ['old-svc DEPENDS_ON a']);
    expect(attestationCampaign(g)).toEqual([
      { id: 'a', class: 'Application', name: 'a', owner: 'team-a', verifiedAt: null, verifiedBy: null, takesDown: [], supports: [] },
    ]);
  });
});
