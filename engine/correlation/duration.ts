/** Durations as the CLI and the API write them: `90s`, `30m`, `2h`, `1d`, or milliseconds as a number. */
import { InputError } from '../errors.ts';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(value: number | string, what = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new InputError(`${what}: ${value} must be a non-negative number of milliseconds`);
    return value;
  }
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
  if (!m) throw new InputError(`${what}: "${value}" is not a duration (e.g. 90s, 30m, 2h, 1d)`);
  return Number(m[1]) * UNIT[m[2]!]!;
}

/** ISO-8601 string, epoch ms or Date → epoch ms; refuses what does not parse. */
export function toMillis(value: string | number | Date, what: string): number {
  const t = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(t)) throw new InputError(`${what}: "${String(value)}" is not a time (ISO-8601 expected)`);
  return t;
}
