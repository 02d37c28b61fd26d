/**
 * `stale` (correctness): a live CI neither verified (attestation's `verifiedAt` attribute) nor
 * updated for more than `days` days, measured from the audit clock. A record nobody has touched or
 * confirmed in half a year is the CMDB's most common lie.
 */
import { z } from 'zod';
import type { Finding } from '../types.ts';
import { defineBuiltin, isLive, SeverityParam } from './common.ts';

const DAY_MS = 86_400_000;

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
      const out: Finding[] = [];
      for (const ci of cis) {
        if (!isLive(ci)) continue;
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
