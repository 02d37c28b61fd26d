/**
 * SLA timers of one incident, as a pure function of its state history and a clock.
 *
 * - Response: runs while the incident is `new`, pauses while `on_hold`, stops at the first move to
 *   any other state (someone took it).
 * - Resolution: runs while `new`, `assigned` or `in_progress`; pauses while `on_hold`; stops when
 *   `resolved` or `closed`; a reopen resumes it with the time already spent.
 * - Status: `breached` once elapsed > target (a timer that stopped exactly on target is met);
 *   `at_risk` once elapsed ≥ atRiskFraction × target; else `within`. Calendar time (24×7).
 */
import type { IncidentDoc } from '../incidents/model.ts';
import type { SlaPolicy } from './policy.ts';

export type SlaStatus = 'within' | 'at_risk' | 'breached';

export interface SlaTimer {
  targetMinutes: number;
  elapsedMinutes: number;
  /** Negative once breached. */
  remainingMinutes: number;
  status: SlaStatus;
  /** `running`, `paused` (on hold) or `stopped` (met or missed for good, unless reopened). */
  clock: 'running' | 'paused' | 'stopped';
  /** When the target was (or will be, if nothing pauses it) exceeded; null when stopped in time. */
  breachAt: string | null;
}

export interface IncidentSla {
  incident: string;
  priority: IncidentDoc['priority'];
  response: SlaTimer;
  resolution: SlaTimer;
}

type History = Pick<IncidentDoc, 'openedAt' | 'transitions' | 'state'>;

/** [start, end, state] intervals from opening to `now`. */
function intervals(inc: History, now: number): { start: number; end: number; state: string }[] {
  const out: { start: number; end: number; state: string }[] = [];
  let state = inc.transitions[0]?.from ?? inc.state;
  let at = Date.parse(inc.openedAt);
  for (const t of inc.transitions) {
    const next = Date.parse(t.at);
    out.push({ start: at, end: Math.max(at, Math.min(next, now)), state });
    state = t.to;
    at = next;
  }
  // Spans that start after `now` come out empty (end = start), so they count no time.
  out.push({ start: at, end: Math.max(at, now), state });
  return out;
}

function timer(
  spans: { start: number; end: number; state: string }[],
  running: (state: string, i: number) => boolean | 'stop',
  targetMinutes: number,
  atRisk: number,
  now: number,
): SlaTimer {
  let elapsed = 0;
  let clock: SlaTimer['clock'] = 'stopped';
  for (let i = 0; i < spans.length; i++) {
    const r = running(spans[i]!.state, i);
    if (r === 'stop') {
      clock = 'stopped';
      break;
    }
    if (r) {
      elapsed += spans[i]!.end - spans[i]!.start;
      clock = 'running';
    } else clock = 'paused';
  }
  const target = targetMinutes * 60_000;
  const status: SlaStatus = elapsed > target ? 'breached' : elapsed >= atRisk * target ? 'at_risk' : 'within';
  let breachAt: string | null = null;
  if (elapsed > target) {
    // Walk the counted time again to find the instant the target was crossed.
    let acc = 0;
    for (let i = 0; i < spans.length; i++) {
      const r = running(spans[i]!.state, i);
      if (r === 'stop') break;
      if (!r) continue;
      const len = spans[i]!.end - spans[i]!.start;
      if (acc + len > target) {
        breachAt = new Date(spans[i]!.start + (target - acc)).toISOString();
        break;
      }
      acc += len;
    }
  } else if (clock === 'running') breachAt = new Date(now + (target - elapsed)).toISOString();
  const minutes = (ms: number) => Math.round((ms / 60_000) * 100) / 100;
  return { targetMinutes, elapsedMinutes: minutes(elapsed), remainingMinutes: minutes(target - elapsed), status, clock, breachAt };
}

export function incidentSla(inc: History & Pick<IncidentDoc, 'id' | 'priority'>, policy: SlaPolicy, now: Date): IncidentSla {
  const t = now.getTime();
  const spans = intervals(inc, t);
  const target = policy.targets[inc.priority];
  // Response: counts in `new`, pauses on hold, stops at the first span in any other state.
  const response = timer(
    spans,
    (state) => (state === 'new' ? true : state === 'on_hold' ? false : 'stop'),
    target.responseMinutes,
    policy.atRiskFraction,
    t,
  );
  // The last span decides whether a resolution clock is stopped now; earlier resolved spans only pause it.
  const resolution = timer(
    spans,
    (state, i) => {
      if (state === 'resolved' || state === 'closed') return i === spans.length - 1 ? 'stop' : false;
      return state !== 'on_hold';
    },
    target.resolutionMinutes,
    policy.atRiskFraction,
    t,
  );
  return { incident: inc.id, priority: inc.priority, response, resolution };
}
