/**
 * `stale` (correctness): a live CI neither verified (attestation's `verifiedAt` attribute) nor
 * updated for more than `days` days, measured from the audit clock. A record nobody has touched or
 * confirmed in half a year is the CMDB's most common lie.
 */
import { z } from 'zod';
import type { Finding } from '../types.ts';
import { defineBuiltin, isLive, SeverityParam } from './common.ts';

const DAY_MS = 86_400_000;

/** The form `Date.prototype.toISOString` writes (years 0000–9999), which the store writes too. */
const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * A test answering, for most CIs without parsing a date, that `updatedAt` alone proves the CI
 * confirmed at or after `limit`: a canonical timestamp at or after the limit's own. In that form
 * string order is time order (fixed-width fields, most significant first), and what Date.parse
 * makes of an out-of-range field is NaN (month 13, hour 25: the rule skips the CI anyway) or a
 * later instant (February 30th rolls into March), never an earlier one; and when `updatedAt` is at
 * or after the limit, so is the later of it and `verifiedAt`. False means "not shown": the caller
 * computes lastConfirmed. test/audit/stale.test.ts pins the edges against Date.parse.
 */
export function recentByUpdate(limit: number): (updatedAt: string) => boolean {
  const d = new Date(limit);
  // Stryker disable next-line StringLiteral: equivalent — any stand-in for an invalid limit fails the canonical test below
  const iso = Number.isNaN(d.getTime()) ? '' : d.toISOString();
  if (!CANONICAL.test(iso)) return () => false;
  return (updatedAt) => updatedAt >= iso && CANONICAL.test(updatedAt);
}

/** The last time anyone confirmed the record: the later of `attributes.verifiedAt` and `updatedAt`. */
export function lastConfirmed(ci: { updatedAt: string; attributes: Record<string, unknown> }): number {
  const updated = Date.parse(ci.updatedAt);
  const v = ci.attributes.verifiedAt;
  const verified = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(verified) ? updated : Math.max(updated, verified);
}

export const stale = defineBuiltin({
  id: 'stale',
  category: 'correctness',
  description: 'every live CI was verified or updated within the last N days',
  params: z.object({ severity: SeverityParam.default('warning'), days: z.number().int().min(1).default(180) }).strict(),
  create: ({ severity, days }) => ({
    id: 'stale',
    category: 'correctness',
    description: `every live CI was verified or updated within the last ${days} days`,
    run({ cis, now }) {
      const limit = now.getTime() - days * DAY_MS;
      const recent = recentByUpdate(limit);
      const out: Finding[] = [];
      for (const ci of cis) {
        if (!isLive(ci) || recent(ci.updatedAt)) continue;
        const last = lastConfirmed(ci);
        if (Number.isNaN(last) || last >= limit) continue;
        const age = Math.floor((now.getTime() - last) / DAY_MS);
        out.push({
          rule: 'stale',
          ci: ci.id,
          severity,
          message: `${ci.class} "${ci.id}" was last verified or updated ${age} days ago (limit ${days})`,
          evidence: { lastConfirmed: new Date(last).toISOString(), ageDays: age, limitDays: days },
        });
      }
      return out;
    },
  }),
});
