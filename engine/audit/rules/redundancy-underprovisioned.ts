/**
 * `redundancy-underprovisioned` (compliance): a CI declares a redundancy rule but its group has
 * fewer than `minAvailable` + 1 members, so one failure already breaches it — the rule promises
 * redundancy the estate does not have (a group of zero members included). Members are counted per
 * stored relationship through the impact index, as the blast radius counts them.
 */
import { z } from 'zod';
import { forEachNeighbour, requiredAvailable, stepOf, type PathStep } from '../../impact/index.ts';
import type { Finding } from '../types.ts';
import { defineBuiltin, SeverityParam } from './common.ts';

export const redundancyUnderprovisioned = defineBuiltin({
  id: 'redundancy-underprovisioned',
  category: 'compliance',
  description: 'every redundancy group has at least minAvailable + 1 members',
  params: z.object({ severity: SeverityParam.default('error') }).strict(),
  create: ({ severity }) => ({
    id: 'redundancy-underprovisioned',
    category: 'compliance',
    description: 'every redundancy group has at least minAvailable + 1 members',
    run({ graph, index }) {
      const out: Finding[] = [];
      graph.forEachNode((id, a) => {
        if (a.redundancy === undefined || a.status === 'retired') return;
        const node = index.idToIndex.get(id);
        // Stryker disable next-line ConditionalExpression: the index is built over this graph (AuditInput), so every node has an index entry
        if (node === undefined) return;
        for (const rule of a.redundancy) {
          const t = index.typeIndex.get(rule.relationship);
          const members: PathStep[] = [];
          // Stryker disable next-line ConditionalExpression: with t undefined no provider's type equals it, so no member is counted either way
          if (t !== undefined) {
            // Stryker disable next-line StringLiteral: forEachNeighbour reads any direction but 'dependents' as providers
            forEachNeighbour(index, node, 'providers', (p, pt) => {
              if (pt === t) members.push(stepOf(index, p, node, pt));
            });
          }
          const required = requiredAvailable(rule.minAvailable, members.length);
          if (members.length >= required + 1) continue;
          out.push({
            rule: 'redundancy-underprovisioned',
            ci: id,
            severity,
            message: `"${id}" needs ${required} of its ${rule.relationship} group available but has ${members.length} member${members.length === 1 ? '' : 's'}: one failure breaches it`,
            evidence: {
              relationship: rule.relationship,
              minAvailable: rule.minAvailable,
              members: members.length,
              required,
              path: members,
            },
          });
        }
      });
      return out;
    },
  }),
});
