/** `missing-owner` (completeness): a live CI names no owning team, so nobody can attest it. */
import { z } from 'zod';
import type { Finding } from '../types.ts';
import { defineBuiltin, isLive, SeverityParam } from './common.ts';

export const missingOwner = defineBuiltin({
  id: 'missing-owner',
  category: 'completeness',
  description: 'every live CI has an owner',
  params: z.object({ severity: SeverityParam.default('warning') }).strict(),
  create: ({ severity }) => ({
    id: 'missing-owner',
    category: 'completeness',
    description: 'every live CI has an owner',
    run({ cis }) {
      const out: Finding[] = [];
      for (const ci of cis) {
        if (!isLive(ci) || (ci.owner !== undefined && ci.owner !== '')) continue;
        out.push({
          rule: 'missing-owner',
          ci: ci.id,
          severity,
          message: `${ci.class} "${ci.id}" has no owner`,
          evidence: { class: ci.class },
        });
      }
      return out;
    },
  }),
});
