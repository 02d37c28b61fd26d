/**
 * `retired-dependency` (correctness): an in-service (or maintenance) CI relies, through a
 * propagating relationship, on a retired or merely planned CI — either the dependency is stale data
 * or production runs on something that should not be there. One finding per relationship.
 */
import { z } from 'zod';
import type { Finding } from '../types.ts';
import { CI_STATUSES } from '../../model/ci.ts';
import { defineBuiltin, forEachReliance, nodeColumns, SeverityParam } from './common.ts';

/** Status codes (nodeColumns): an active dependent, a provider that is not there. */
const ACTIVE = new Set([CI_STATUSES.indexOf('in_service'), CI_STATUSES.indexOf('maintenance')]);
const NOT_THERE = new Set([CI_STATUSES.indexOf('retired'), CI_STATUSES.indexOf('planned')]);

export const retiredDependency = defineBuiltin({
  id: 'retired-dependency',
  category: 'correctness',
  description: 'no in-service CI relies on a retired or planned CI',
  params: z.object({ severity: SeverityParam.default('error') }).strict(),
  create: ({ severity }) => ({
    id: 'retired-dependency',
    category: 'correctness',
    description: 'no in-service CI relies on a retired or planned CI',
    run(ctx) {
      const { graph, index } = ctx;
      const out: Finding[] = [];
      const { status } = nodeColumns(ctx);
      const dependents = new Uint8Array(index.n);
      const providers = new Uint8Array(index.n);
      for (let d = 0; d < index.n; d++) {
        if (ACTIVE.has(status[d]!)) dependents[d] = 1;
        else if (NOT_THERE.has(status[d]!)) providers[d] = 1;
      }
      forEachReliance(index, graph, dependents, providers, (rel, step, dependent, provider) => {
        const d = graph.getNodeAttributes(dependent);
        const p = graph.getNodeAttributes(provider);
        out.push({
          rule: 'retired-dependency',
          relationship: rel,
          severity,
          message: `${d.status.replace('_', '-')} "${dependent}" relies on ${p.status} "${provider}" (${step.type})`,
          evidence: { dependent, provider, providerStatus: p.status, path: [step] },
        });
      });
      return out;
    },
  }),
});
