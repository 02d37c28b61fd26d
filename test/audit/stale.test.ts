/**
 * The stale rule's shortcut on its own: `recentByUpdate` says "confirmed at or after the limit"
 * from a string compare of a canonical `updatedAt`, without parsing it. Whenever it says so,
 * Date.parse must agree (or find no date, which the rule skips too), at the limit to the
 * millisecond, across rolled-over and out-of-range fields, and for every form that is not
 * canonical it must leave the answer to the full computation.
 */
import { describe, expect, it } from 'vitest';
import { recentByUpdate } from '../../engine/audit/rules/stale.ts';
import { graphOf, runOnly } from './helpers.ts';

const LIMIT = Date.parse('2026-01-02T00:00:00.000Z');

/** What the rule would decide from updatedAt alone by parsing it: recent, or no date at all. */
const parsedRecent = (s: string) => {
  const t = Date.parse(s);
  return Number.isNaN(t) || t >= LIMIT;
};

describe('recentByUpdate', () => {
  const recent = recentByUpdate(LIMIT);

  it('answers from the string for canonical timestamps at or after the limit, and only for them', () => {
    expect(recent('2026-01-02T00:00:00.000Z')).toBe(true);
    expect(recent('2026-01-02T00:00:00.001Z')).toBe(true);
    expect(recent('2026-06-01T12:30:00.000Z')).toBe(true);
    expect(recent('2026-01-01T23:59:59.999Z')).toBe(false);
    expect(recent('2025-06-01T00:00:00.000Z')).toBe(false);
  });

  it('leaves every non-canonical form to Date.parse, even one that sorts after the limit', () => {
    for (const s of [
      '2026-06-01',
      '2026-06-01T00:00:00Z',
      '2026-06-01T00:00:00.000+00:00',
      '2026-01-02T01:00:00.000+05:00', // after the limit as a string, before it in time
      '2026-06-01T00:00:00.0000Z',
      ' 2026-06-01T00:00:00.000Z',
      '2026-06-01T00:00:00.000z',
      '2026-06-01T00:00:00.000Z ',
      '2026-06-01T00:00:00.000Z[UTC]',
      '2026-06-01 00:00:00.000Z',
      '+002026-06-01T00:00:00.000Z',
      '2026-O6-01T00:00:00.000Z',
      'Mon, 01 Jun 2026 00:00:00 GMT',
      '9',
      '',
    ])
      expect(recent(s), s).toBe(false);
  });

  it('never says recent where Date.parse finds a date before the limit, across rolled-over and out-of-range fields', () => {
    const forms: string[] = [];
    for (const [y, m, d] of [
      ['2026', '01', '01'],
      ['2026', '01', '02'],
      ['2026', '01', '03'],
      ['2025', '12', '31'],
      ['2025', '02', '30'],
      ['2025', '02', '31'],
      ['2026', '00', '05'],
      ['2026', '13', '01'],
      ['2026', '01', '32'],
      ['2026', '01', '00'],
      ['9999', '12', '31'],
      ['0000', '01', '01'],
    ])
      for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '24:00:00.001', '23:60:00.000', '23:59:60.000', '25:00:00.000'])
        forms.push(`${y}-${m}-${d}T${time}Z`);
    let shortcuts = 0;
    for (const s of forms) {
      if (!recent(s)) continue;
      shortcuts++;
      expect(parsedRecent(s), s).toBe(true);
    }
    expect(shortcuts).toBeGreaterThan(20);
    // Around the limit to the millisecond, every canonical timestamp is decided as parsing decides it.
    for (let dt = -3000; dt <= 3000; dt += 7) {
      const s = new Date(LIMIT + dt).toISOString();
      expect(recent(s), s).toBe(Date.parse(s) >= LIMIT);
    }
  });

  it('takes no shortcut when the limit itself has no canonical form (a year past 9999 or before 0)', () => {
    expect(recentByUpdate(Date.parse('+010000-01-01T00:00:00.000Z'))('9999-12-31T23:59:59.999Z')).toBe(false);
    expect(recentByUpdate(Date.parse('-000001-01-01T00:00:00.000Z'))('2026-01-01T00:00:00.000Z')).toBe(false);
    expect(recentByUpdate(Number.NaN)('2026-01-01T00:00:00.000Z')).toBe(false);
  });
});

describe('stale, with updatedAt in forms the shortcut leaves alone', () => {
  it('reports a CI updated before the limit in a non-canonical form that sorts after it, and not one whose recent verifiedAt confirms it', () => {
    const now = new Date('2026-07-01T00:00:00Z');
    const g = graphOf(
      [
        { id: 'offset', class: 'Application', updatedAt: '2026-01-02T01:00:00.000+05:00' },
        { id: 'date-only', class: 'Application', updatedAt: '2025-06-01' },
        { id: 'verified', class: 'Application', updatedAt: '2025-06-01T00:00:00.000Z', attributes: { verifiedAt: '2026-06-01T00:00:00Z' } },
        { id: 'recent', class: 'Application', updatedAt: '2026-06-01T00:00:00.000Z', attributes: { verifiedAt: 'never' } },
        { id: 'rolled', class: 'Application', updatedAt: '2026-02-30T00:00:00.000Z' },
        { id: 'unreadable', class: 'Application', updatedAt: '2025-13-01T00:00:00.000Z' },
        // Exactly at the limit, through the full computation: not stale.
        { id: 'at-limit', class: 'Application', updatedAt: '2026-01-02T00:00:00Z' },
        {
          id: 'verified-at-limit',
          class: 'Application',
          updatedAt: '2025-01-01T00:00:00.000Z',
          attributes: { verifiedAt: '2026-01-02T00:00:00.000Z' },
        },
      ],
      [],
      now,
    );
    expect(runOnly(g, 'stale').map((f) => [f.ci, f.evidence.ageDays])).toEqual([
      ['date-only', 395],
      ['offset', 180],
    ]);
  });
});
