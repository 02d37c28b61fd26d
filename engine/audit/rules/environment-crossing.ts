/**
 * `environment-crossing` (compliance): a production CI relies, through a propagating relationship,
 * on a non-production one — a staging database behind a production app is an outage nobody
 * planned for. Reported at the crossing edge: anything further up is the provider's own business.
 */
import { z } from 'zod';
import type { Finding } from '../types.ts';
import { defineBuiltin, forEachReliance, isLive, SeverityParam } from './common.ts';

export const environmentCrossing = defineBuiltin({
  id: 'environment-crossing',
  category: 'compliance',
  description: 'no production CI relies on a non-production CI',
  params: z.object({ severity: SeverityParam.default('warning') }).strict(),
  create: ({ severity }) => ({
    id: 'environment-crossing',
    category: 'compliance',
    description: 'no production CI relies on a non-production CI',
    run({ graph, registry }) {
      const out: Finding[] = [];
      forEachReliance(graph, registry, (rel, step, dependent, provider) => {
        const d = graph.getNodeAttributes(dependent);
        const p = graph.getNodeAttributes(provider);
        if (d.environment !== 'production' || p.environment === 'production' || !isLive(d) || !isLive(p)) return;
        out.push({
          rule: 'environment-crossing',
          relationship: rel,
          severity,
          message: `production "${dependent}" relies on ${p.environment} "${provider}" (${step.type})`,
          evidence: { dependent, provider, providerEnvironment: p.environment, path: [step] },
        });
      });
      return out;
    },
  }),
});
