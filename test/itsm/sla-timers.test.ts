/**
 * SLA timers beyond the basics of priority-sla.test.ts: the response clock on hold, a closed
 * incident's clocks, where a breach lands once pauses are taken out, and the answer's shape.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentDoc } from '../../engine/incidents/index.ts';
import { defaultSlaPolicy, incidentSla } from '../../engine/sla/index.ts';
import { at, T0 } from './helpers.ts';

const policy = defaultSlaPolicy(); // P2: response 30 min, resolution 480 min; at risk at 75 %

type Move = [IncidentDoc['state'], IncidentDoc['state'], number];
function inc(moves: Move[], state: IncidentDoc['state'], priority: IncidentDoc['priority'] = 'P2') {
  return {
    id: 'INC-000009',
    priority,
    openedAt: at(0),
    state,
    transitions: moves.map(([from, to, m]) => ({ from, to, at: at(m), by: 'desk' })),
  };
}
const now = (m: number) => new Date(T0 + m * 60_000);

describe('SLA response timer', () => {
  it('pauses while an untouched incident is on hold', () => {
    // new 0–10, then on hold: only the 10 minutes in new count, and no breach is forecast while paused.
    const held = incidentSla(inc([['new', 'on_hold', 10]], 'on_hold'), policy, now(500));
    expect(held.response).toMatchObject({ elapsedMinutes: 10, remainingMinutes: 20, clock: 'paused', status: 'within', breachAt: null });
  });

  it('stops at the first move after a hold, counting only the time in new', () => {
    const s = incidentSla(
      inc(
        [
          ['new', 'on_hold', 10],
          ['on_hold', 'assigned', 200],
        ],
        'assigned',
      ),
      policy,
      now(300),
    );
    expect(s.response).toMatchObject({ elapsedMinutes: 10, clock: 'stopped', status: 'within', breachAt: null });
  });

  it('reports the instant a still-running response timer will breach', () => {
    const s = incidentSla(inc([], 'new'), policy, now(12));
    expect(s.response).toMatchObject({ elapsedMinutes: 12, remainingMinutes: 18, clock: 'running', breachAt: at(30) });
  });

  it('forecasts the breach at the very instant a running timer reaches its target', () => {
    expect(incidentSla(inc([], 'new'), policy, now(30)).response).toMatchObject({
      elapsedMinutes: 30,
      status: 'at_risk',
      clock: 'running',
      breachAt: at(30),
    });
  });

  it('keeps the target of the incident priority', () => {
    const p1 = incidentSla(inc([], 'new', 'P1'), policy, now(1));
    expect(p1.priority).toBe('P1');
    expect(p1.incident).toBe('INC-000009');
    expect(p1.response.targetMinutes).toBe(policy.targets.P1.responseMinutes);
    expect(p1.resolution.targetMinutes).toBe(policy.targets.P1.resolutionMinutes);
  });
});

describe('SLA resolution timer', () => {
  it('stays stopped once an incident is closed, however late it is read', () => {
    const closed = inc(
      [
        ['new', 'in_progress', 5],
        ['in_progress', 'resolved', 120],
        ['resolved', 'closed', 600],
      ],
      'closed',
    );
    for (const m of [601, 10_000, 100_000]) {
      expect(incidentSla(closed, policy, now(m)).resolution).toMatchObject({
        elapsedMinutes: 120,
        clock: 'stopped',
        status: 'within',
        breachAt: null,
      });
    }
  });

  it('places the breach after the pause, not at opening + target', () => {
    // counted 0–100, on hold 100–400, counted again from 400: 480 minutes are reached at 780.
    const doc = inc(
      [
        ['new', 'in_progress', 0],
        ['in_progress', 'on_hold', 100],
        ['on_hold', 'in_progress', 400],
      ],
      'in_progress',
    );
    const s = incidentSla(doc, policy, now(900));
    expect(s.resolution).toMatchObject({
      elapsedMinutes: 600,
      remainingMinutes: -120,
      status: 'breached',
      clock: 'running',
      breachAt: at(780),
    });
  });

  it('dates a breach to the resumption when the pause began exactly on target', () => {
    // 480 counted minutes end at 480 (met, not yet breached); the clock only exceeds the target when work resumes at 600.
    const doc = inc(
      [
        ['new', 'in_progress', 0],
        ['in_progress', 'on_hold', 480],
        ['on_hold', 'in_progress', 600],
      ],
      'in_progress',
    );
    expect(incidentSla(doc, policy, now(700)).resolution).toMatchObject({ elapsedMinutes: 580, status: 'breached', breachAt: at(600) });
  });

  it('keeps a breach that happened before a hold when read during the hold', () => {
    const doc = inc(
      [
        ['new', 'in_progress', 0],
        ['in_progress', 'on_hold', 500],
      ],
      'on_hold',
    );
    expect(incidentSla(doc, policy, now(700)).resolution).toMatchObject({
      elapsedMinutes: 500,
      status: 'breached',
      clock: 'paused',
      breachAt: at(480),
    });
  });

  it('is met when resolved exactly on target, and at risk from three quarters of it', () => {
    const onTarget = inc(
      [
        ['new', 'in_progress', 0],
        ['in_progress', 'resolved', 480],
      ],
      'resolved',
    );
    expect(incidentSla(onTarget, policy, now(1000)).resolution).toMatchObject({ status: 'at_risk', clock: 'stopped', breachAt: null });
    const early = inc(
      [
        ['new', 'in_progress', 0],
        ['in_progress', 'resolved', 359],
      ],
      'resolved',
    );
    expect(incidentSla(early, policy, now(1000)).resolution.status).toBe('within');
    const risky = inc(
      [
        ['new', 'in_progress', 0],
        ['in_progress', 'resolved', 360],
      ],
      'resolved',
    );
    expect(incidentSla(risky, policy, now(1000)).resolution.status).toBe('at_risk');
  });

  it('counts nothing before opening when read at the opening instant', () => {
    const s = incidentSla(inc([], 'new'), policy, now(0));
    expect(s.resolution).toMatchObject({ elapsedMinutes: 0, remainingMinutes: 480, status: 'within', clock: 'running', breachAt: at(480) });
  });
});
