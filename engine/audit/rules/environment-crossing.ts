/**
 * `environment-crossing` (compliance): a production CI relies, through a propagating relationship,
 * on a non-production one — a staging database behind a production app is an outage nobody
 * planned for. Reported at the crossing edge: anything further up is the provider's own business.
 */
import { z } from 'zod';
import { CI_STATUSES, ENVIRONMENTS } from '../../model/ci.ts';
import type { Finding } from '../types.ts';
import { defineBuiltin, forEachReliance, nodeColumns, SeverityParam } from './common.ts';

const RETIRED = CI_STATUSES.indexOf('retired');
const PRODUCTION = ENVIRONMENTS.indexOf('production');

export const environmentCrossing = defineBuiltin({
  id: 'environment-crossing',
  category: 'compliance',
  description: 'no production CI relies on a non-production CI',
  params: z.object({ severity: SeverityParam.default('warning') }).strict(),
  create: ({ severity }) => ({
    id: 'environment-crossing',
    category: 'compliance',
    description: 'no production CI relies on a non-production CI',
    run(ctx) {
      const { graph, index } = ctx;
      const out: Finding[] = [];
      // Live production dependents, live non-production providers (an unknown environment is not production).
      const { status, environment } = nodeColumns(ctx);
      const dependents = new Uint8Array(index.n);
      const providers = new Uint8Array(index.n);
      for (let d = 0; d < index.n; d++) {
        if (status[d] === RETIRED) continue;
        if (environment[d] === PRODUCTION) dependents[d] = 1;
        else providers[d] = 1;
      }
      forEachReliance(index, graph, dependents, providers, (rel, step, dependent, provider) => {
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
