/**
 * `unsupported` (compliance): an in-service CI that supports no business service — no business
 * service relies on it, transitively, through propagating relationships (the providers closure of
 * every business service, walked once on the impact index). By default only application services
 * in production are in scope: an addressable capability no business service consumes is a gap in
 * the service map, while infrastructure without a service (an out-of-band switch, a jump host,
 * tooling) is normal estate (decisions.md). Widen `classes` in a rule file to hunt unused capacity.
 */
import { z } from 'zod';
import { forEachNeighbour } from '../../impact/index.ts';
import type { Finding } from '../types.ts';
import { defineBuiltin, SeverityParam } from './common.ts';

export const unsupported = defineBuiltin({
  id: 'unsupported',
  category: 'compliance',
  description: 'every in-service application service supports a business service',
  params: z
    .object({
      severity: SeverityParam.default('warning'),
      classes: z.array(z.string()).default(['ApplicationService']),
      environments: z.array(z.string()).default(['production']),
    })
    .strict(),
  create: ({ severity, classes, environments }) => ({
    id: 'unsupported',
    category: 'compliance',
    description: 'every in-service application service supports a business service',
    run({ graph, index, registry }) {
      const supports = new Uint8Array(index.n);
      const queue: number[] = [];
      graph.forEachNode((id, a) => {
        if (!registry.isA(a.class, 'BusinessService')) return;
        const v = index.idToIndex.get(id);
        if (v !== undefined && supports[v] === 0) {
          supports[v] = 1;
          queue.push(v);
        }
      });
      for (let qi = 0; qi < queue.length; qi++) {
        forEachNeighbour(index, queue[qi]!, 'providers', (p) => {
          if (supports[p] === 0) {
            supports[p] = 1;
            queue.push(p);
          }
        });
      }
      const inScope = new Map<string, boolean>();
      const out: Finding[] = [];
      graph.forEachNode((id, a) => {
        if (a.status !== 'in_service' || !environments.includes(a.environment)) return;
        let scoped = inScope.get(a.class);
        if (scoped === undefined) inScope.set(a.class, (scoped = classes.some((c) => registry.isA(a.class, c))));
        const v = index.idToIndex.get(id);
        if (!scoped || v === undefined || supports[v] === 1) return;
        out.push({
          rule: 'unsupported',
          ci: id,
          severity,
          message: `${a.class} "${id}" supports no business service`,
          evidence: { class: a.class },
        });
      });
      return out;
    },
  }),
});
