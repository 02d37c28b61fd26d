/**
 * `orphan` (correctness): a live CI with no relationship at all, of any type (audit-only ones
 * count: a CI that is only backed up somewhere is still placed in the estate).
 */
import { z } from 'zod';
import type { Finding } from '../types.ts';
import { defineBuiltin, isLive, SeverityParam } from './common.ts';

export const orphan = defineBuiltin({
  id: 'orphan',
  category: 'correctness',
  description: 'every live CI has at least one relationship',
  params: z.object({ severity: SeverityParam.default('warning') }).strict(),
  create: ({ severity }) => ({
    id: 'orphan',
    category: 'correctness',
    description: 'every live CI has at least one relationship',
    run({ cis, graph }) {
      const out: Finding[] = [];
      for (const ci of cis) {
        if (!isLive(ci) || !graph.hasNode(ci.id) || graph.degree(ci.id) > 0) continue;
        out.push({
          rule: 'orphan',
          ci: ci.id,
          severity,
          message: `${ci.class} "${ci.id}" has no relationship`,
          evidence: { class: ci.class },
        });
      }
      return out;
    },
  }),
});
