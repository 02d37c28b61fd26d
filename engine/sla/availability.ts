/**
 * Monthly availability arithmetic, pure: outage intervals are clipped to the month, overlapping or
 * touching ones merged (two incidents on one outage count once), and
 *   availability % = 100 × (minutes in month − outage minutes) / minutes in month.
 * An interval without an end runs to `now` (or the end of the month, whichever is first).
 */
import { InputError } from '../errors.ts';

export interface Interval {
  start: number;
  end: number;
}

/** `YYYY-MM` → [first instant, first instant of next month) in UTC. */
export function monthBounds(month: string): Interval {
  const m = /^([0-9]{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new InputError(`sla report: month "${month}" must look like YYYY-MM`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { start: Date.UTC(y, mo, 1), end: Date.UTC(y, mo + 1, 1) };
}

/** Sorted, merged (overlapping or touching), clipped to `within`; empty intervals dropped. */
export function mergeIntervals(intervals: readonly Interval[], within?: Interval): Interval[] {
  const clipped = intervals
    .map((i) => (within ? { start: Math.max(i.start, within.start), end: Math.min(i.end, within.end) } : { ...i }))
    .filter((i) => i.end > i.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Interval[] = [];
  for (const i of clipped) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

export interface Availability {
  month: string;
  minutes: number;
  outageMinutes: number;
  /** Percent, rounded to 4 decimals. */
  availability: number;
  target: number;
  met: boolean;
  outages: { start: string; end: string; minutes: number }[];
}

export function monthlyAvailability(month: string, intervals: readonly Interval[], target: number, now?: number): Availability {
  const bounds = monthBounds(month);
  const horizon = now === undefined ? bounds : { start: bounds.start, end: Math.min(bounds.end, Math.max(bounds.start, now)) };
  const merged = mergeIntervals(
    intervals.map((i) => ({ start: i.start, end: Number.isFinite(i.end) ? i.end : horizon.end })),
    bounds,
  );
  const total = (bounds.end - bounds.start) / 60_000;
  const down = merged.reduce((s, i) => s + (i.end - i.start), 0) / 60_000;
  const availability = Math.round(((100 * (total - down)) / total) * 10_000) / 10_000;
  return {
    month,
    minutes: total,
    outageMinutes: Math.round(down * 100) / 100,
    availability,
    target,
    met: availability >= target,
    outages: merged.map((i) => ({
      start: new Date(i.start).toISOString(),
      end: new Date(i.end).toISOString(),
      minutes: Math.round(((i.end - i.start) / 60_000) * 100) / 100,
    })),
  };
}
