/** Priority matrix, SLA timers (pause, breach, at-risk boundary) and availability arithmetic. */
import { describe, expect, it } from 'vitest';
import { ITIL_MATRIX, priorityOf, type IncidentDoc } from '../../engine/incidents/index.ts';
import { defaultSlaPolicy, incidentSla, mergeIntervals, monthBounds, monthlyAvailability } from '../../engine/sla/index.ts';
import { at, T0 } from './helpers.ts';

describe('priority matrix', () => {
  it('maps impact × urgency to P1–P5 with the ITIL 3×3 table', () => {
    expect(priorityOf('high', 'high')).toBe('P1');
    expect(priorityOf('high', 'medium')).toBe('P2');
    expect(priorityOf('medium', 'high')).toBe('P2');
    expect(priorityOf('high', 'low')).toBe('P3');
    expect(priorityOf('medium', 'medium')).toBe('P3');
    expect(priorityOf('low', 'high')).toBe('P3');
    expect(priorityOf('medium', 'low')).toBe('P4');
    expect(priorityOf('low', 'medium')).toBe('P4');
    expect(priorityOf('low', 'low')).toBe('P5');
  });

  it('uses an organisation matrix when given', () => {
    const m = { ...ITIL_MATRIX, low: { high: 'P2', medium: 'P4', low: 'P5' } } as const;
    expect(priorityOf('low', 'high', m)).toBe('P2');
  });
});

const policy = defaultSlaPolicy(); // P2: response 30 min, resolution 480 min; at risk at 75 %

function inc(
  transitions: [string, string, number][],
  state: IncidentDoc['state'],
): Pick<IncidentDoc, 'id' | 'priority' | 'openedAt' | 'transitions' | 'state'> {
  return {
    id: 'INC-000001',
    priority: 'P2',
    openedAt: at(0),
    state,
    transitions: transitions.map(([from, to, m]) => ({
      from: from as IncidentDoc['state'],
      to: to as IncidentDoc['state'],
      at: at(m),
      by: 't',
    })),
  };
}
const now = (m: number) => new Date(T0 + m * 60_000);

describe('SLA timers', () => {
  it('runs the response timer while new and stops it at the first move', () => {
    const s = incidentSla(inc([['new', 'assigned', 10]], 'assigned'), policy, now(100));
    expect(s.response).toMatchObject({ elapsedMinutes: 10, status: 'within', clock: 'stopped', breachAt: null });
  });

  it('puts a timer at risk exactly at 75 % of the target, not a minute before', () => {
    expect(incidentSla(inc([], 'new'), policy, now(22.49)).response.status).toBe('within');
    expect(incidentSla(inc([], 'new'), policy, now(22.5)).response.status).toBe('at_risk');
  });

  it('is met exactly on target and breached past it, with the breach instant', () => {
    expect(incidentSla(inc([], 'new'), policy, now(30)).response.status).toBe('at_risk');
    const late = incidentSla(inc([], 'new'), policy, now(31));
    expect(late.response).toMatchObject({ status: 'breached', remainingMinutes: -1, breachAt: at(30) });
  });

  it('pauses the resolution timer while on hold and resumes it afterwards', () => {
    const doc = inc(
      [
        ['new', 'in_progress', 5],
        ['in_progress', 'on_hold', 100],
        ['on_hold', 'in_progress', 400],
      ],
      'in_progress',
    );
    const s = incidentSla(doc, policy, now(500));
    // counted: 0–100 and 400–500 → 200 of 480 minutes
    expect(s.resolution).toMatchObject({
      elapsedMinutes: 200,
      remainingMinutes: 280,
      status: 'within',
      clock: 'running',
      breachAt: at(780),
    });
    const paused = incidentSla(
      inc(
        [
          ['new', 'in_progress', 5],
          ['in_progress', 'on_hold', 100],
        ],
        'on_hold',
      ),
      policy,
      now(5000),
    );
    expect(paused.resolution).toMatchObject({ elapsedMinutes: 100, clock: 'paused', status: 'within' });
  });

  it('stops at resolution and resumes on reopen without counting the resolved time', () => {
    const resolved = inc(
      [
        ['new', 'in_progress', 0],
        ['in_progress', 'resolved', 300],
      ],
      'resolved',
    );
    expect(incidentSla(resolved, policy, now(2000)).resolution).toMatchObject({ elapsedMinutes: 300, clock: 'stopped', status: 'within' });
    const reopened = inc(
      [
        ['new', 'in_progress', 0],
        ['in_progress', 'resolved', 300],
        ['resolved', 'in_progress', 1000],
      ],
      'in_progress',
    );
    const s = incidentSla(reopened, policy, now(1200));
    expect(s.resolution).toMatchObject({ elapsedMinutes: 500, status: 'breached', breachAt: at(1180) });
  });
});

describe('availability arithmetic', () => {
  it('merges overlapping and touching intervals and clips them to the month', () => {
    const m = monthBounds('2026-03');
    const merged = mergeIntervals(
      [
        { start: m.start - 60_000 * 30, end: m.start + 60_000 * 30 }, // 30 min inside March
        { start: m.start + 60_000 * 100, end: m.start + 60_000 * 160 },
        { start: m.start + 60_000 * 150, end: m.start + 60_000 * 200 }, // overlaps the previous
        { start: m.start + 60_000 * 200, end: m.start + 60_000 * 210 }, // touches it
      ],
      m,
    );
    expect(merged.map((i) => [(i.start - m.start) / 60_000, (i.end - m.start) / 60_000])).toEqual([
      [0, 30],
      [100, 210],
    ]);
  });

  it('computes a 31-day month: 44,640 minutes, 140 down → 99.6864 %', () => {
    const m = monthBounds('2026-03');
    const a = monthlyAvailability(
      '2026-03',
      [
        { start: m.start, end: m.start + 60_000 * 30 },
        { start: m.start + 60_000 * 100, end: m.start + 60_000 * 210 },
      ],
      99.9,
    );
    expect(a.minutes).toBe(44_640);
    expect(a.outageMinutes).toBe(140);
    expect(a.availability).toBe(99.6864);
    expect(a.met).toBe(false);
    expect(monthlyAvailability('2026-02', [], 99.9)).toMatchObject({ minutes: 40_320, availability: 100, met: true });
  });

  it('runs an open outage to now within the month', () => {
    const m = monthBounds('2026-03');
    const a = monthlyAvailability('2026-03', [{ start: m.start + 60_000 * 60, end: Number.POSITIVE_INFINITY }], 99, m.start + 60_000 * 90);
    expect(a.outageMinutes).toBe(30);
  });

  it('refuses a malformed month', () => {
    expect(() => monthBounds('2026-13')).toThrow(/YYYY-MM/);
  });
});
