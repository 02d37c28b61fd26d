/**
 * `single-point-of-failure` (compliance): a CI whose failure alone takes down a tier-1 business
 * service (criticality ≤ `criticality`), found by engine/impact's singlePointsOfFailure (hard
 * chains and k-of-n groups alike). Only CIs of `classes` are reported — by default physical boxes
 * and the network and power gear that is not internally redundant; logical layers (the service's
 * own application, its VIP) are single by nature, and a storage array is one CI with redundant
 * controllers inside (decisions.md). The finding is on the SPOF (what to fix), naming the service.
 * All services are answered by one batch (singlePointsOfFailureAmong): they share their
 * infrastructure, so a walk per service would repeat it once per service.
 */
import { z } from 'zod';
import { singlePointsOfFailureAmong } from '../../impact/index.ts';
import type { Finding } from '../types.ts';
import { defineBuiltin, SeverityParam } from './common.ts';

export const DEFAULT_SPOF_CLASSES = ['Server', 'Hypervisor', 'KubernetesNode', 'PDU', 'Switch', 'Router', 'Firewall', 'NetworkInterface'];

export const singlePointOfFailure = defineBuiltin({
  id: 'single-point-of-failure',
  category: 'compliance',
  description: 'no tier-1 business service goes down when one box fails',
  params: z
    .object({
      severity: SeverityParam.default('error'),
      /** Business services of this criticality or more critical (1 = tier 1). */
      criticality: z.number().int().min(1).max(4).default(1),
      /** Classes reported as single points of failure (subclasses included). */
      classes: z.array(z.string()).default(DEFAULT_SPOF_CLASSES),
    })
    .strict(),
  create: ({ severity, criticality, classes }) => ({
    id: 'single-point-of-failure',
    category: 'compliance',
    description: 'no tier-1 business service goes down when one box fails',
    run({ graph, index, registry }) {
      const out: Finding[] = [];
      const services: string[] = [];
      graph.forEachNode((id, a) => {
        if (a.status !== 'retired' && a.criticality <= criticality && registry.isA(a.class, 'BusinessService')) services.push(id);
      });
      // Stryker disable next-line MethodExpression: the runner orders findings by subject, then message, which names the service
      services.sort();
      const inScope = new Map<string, boolean>();
      const reported = (cls: string) => {
        let r = inScope.get(cls);
        // Stryker disable next-line ConditionalExpression: a cache; recomputing gives the same answer
        if (r === undefined) inScope.set(cls, (r = classes.some((c) => registry.isA(cls, c))));
        return r;
      };
      const results = singlePointsOfFailureAmong(index, registry, services, reported);
      for (const { ci: svc, spofs } of results) {
        for (const s of spofs) {
          out.push({
            rule: 'single-point-of-failure',
            ci: s.id,
            severity,
            message: `tier-${graph.getNodeAttributes(svc).criticality} service "${svc}" goes down when ${s.class} "${s.id}" fails alone`,
            evidence: { service: svc, kind: s.kind, depth: s.depth, path: s.via },
          });
        }
      }
      return out;
    },
  }),
});
