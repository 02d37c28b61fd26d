/**
 * `retired-dependency` (correctness): an in-service (or maintenance) CI relies, through a
 * propagating relationship, on a retired or merely planned CI — either the dependency is stale data
 * or production runs on something that should not be there. One finding per relationship.
 */
import { z } from 'zod';
import type { Finding } from '../types.ts';
import { defineBuiltin, forEachReliance, SeverityParam } from './common.ts';

const ACTIVE = new Set(['in_service', 'maintenance']);
const NOT_THERE = new Set(['retired', 'planned']);

export const retiredDependency = defineBuiltin({
  id: 'retired-dependency',
  category: 'correctness',
  description: 'no in-service CI relies on a retired or planned CI',
  params: z.object({ severity: SeverityParam.default('error') }).strict(),
  create: ({ severity }) => ({
    id: 'retired-dependency',
    category: 'correctness',
    description: 'no in-service CI relies on a retired or planned CI',
    run({ graph, index }) {
      const out: Finding[] = [];
      forEachReliance(
        index,
        graph,
        (d, p) => ACTIVE.has(d.status) && NOT_THERE.has(p.status),
        (rel, step, dependent, provider) => {
          const d = graph.getNodeAttributes(dependent);
          const p = graph.getNodeAttributes(provider);
          out.push({
            rule: 'retired-dependency',
            relationship: rel,
            severity,
            message: `${d.status.replace('_', '-')} "${dependent}" relies on ${p.status} "${provider}" (${step.type})`,
            evidence: { dependent, provider, providerStatus: p.status, path: [step] },
          });
        },
      );
      return out;
    },
  }),
});
