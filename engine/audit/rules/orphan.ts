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
    run({ cis, graph, index }) {
      const out: Finding[] = [];
      // The graph's nodes without a relationship. The index covers every node of the graph
      // (AuditInput), and a node with an entry in it has a propagating relationship: only the rest
      // (audit-only relationships, or none) are asked of the graph — typed arrays, not a million
      // graph lookups.
      const alone = new Set<string>();
      const { dep, prov, nodeIds } = index;
      // Stryker disable next-line EqualityOperator: equivalent — slot n has no id (undefined), which the graph does not hold
      for (let d = 0; d < index.n; d++) {
        // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent — asking the graph about more nodes gives the same answer (performance only)
        if (dep.end[d]! > dep.start[d]! || prov.end[d]! > prov.start[d]!) continue;
        const id = nodeIds[d]!;
        if (graph.hasNode(id) && graph.degree(id) === 0) alone.add(id);
      }
      // Stryker disable next-line ConditionalExpression: equivalent — with nobody alone the loop below finds nobody (performance only)
      if (alone.size === 0) return out;
      for (const ci of cis) {
        if (!isLive(ci) || !alone.has(ci.id)) continue;
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
