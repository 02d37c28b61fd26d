/**
 * `unsupported` (compliance): an in-service CI that supports no business service — no business
 * service still in use (any status but retired) relies on it, transitively, through propagating
 * relationships (the providers closure of those business services, walked once on the impact
 * index). By default only application services in production are in scope: an addressable
 * capability no business service consumes is a gap in the service map, while infrastructure
 * without a service (an out-of-band switch, a jump host, tooling) is normal estate (decisions.md).
 * Widen `classes` in a rule file to hunt unused capacity.
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
      // Stryker disable next-line ArrayDeclaration: a non-index entry has no neighbours (typed-array reads give undefined), so it adds nothing
      const queue: number[] = [];
      // The index is built over this graph (AuditInput): every node has an entry, each is seen once.
      graph.forEachNode((id, a) => {
        // A retired business service is history (decisions.md): what only it relied on supports nothing.
        if (a.status === 'retired' || !registry.isA(a.class, 'BusinessService')) return;
        const v = index.idToIndex.get(id)!;
        supports[v] = 1;
        queue.push(v);
      });
      // Stryker disable next-line EqualityOperator: queue[length] is undefined, which has no neighbours
      for (let qi = 0; qi < queue.length; qi++) {
        // Stryker disable next-line StringLiteral: forEachNeighbour reads any direction but 'dependents' as providers
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
        // Stryker disable next-line ConditionalExpression: a cache; recomputing gives the same answer
        if (scoped === undefined) inScope.set(a.class, (scoped = classes.some((c) => registry.isA(a.class, c))));
        if (!scoped || supports[index.idToIndex.get(id)!] === 1) return;
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
