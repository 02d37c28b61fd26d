/**
 * `environment-crossing` (compliance): a production CI relies, through a propagating relationship,
 * on a non-production one — a staging database behind a production app is an outage nobody
 * planned for. Reported at the crossing edge: anything further up is the provider's own business.
 */
import { z } from 'zod';
import type { NodeAttrs } from '../../mirror/types.ts';
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
    run({ graph, index }) {
      const out: Finding[] = [];
      const crossing = (d: NodeAttrs, p: NodeAttrs) =>
        d.environment === 'production' && p.environment !== 'production' && isLive(d) && isLive(p);
      forEachReliance(index, graph, crossing, (rel, step, dependent, provider) => {
        const p = graph.getNodeAttributes(provider);
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
