/**
 * `duplicate` (correctness): live CIs that identify as one real thing — the same identification
 * key from the registry, matched by engine/model/identification.ts exactly as the importers and
 * reconciliation match (strongest key first, only keys both classes share). The earliest-created
 * CI of a group is taken as the original (ties: smaller id); every other member gets a finding
 * naming it, so fixing one record clears one finding.
 */
import { z } from 'zod';
import { IdentificationIndex } from '../../model/identification.ts';
import type { Finding } from '../types.ts';
import { defineBuiltin, isLive, SeverityParam } from './common.ts';

export const duplicate = defineBuiltin({
  id: 'duplicate',
  category: 'correctness',
  description: 'no two live CIs share an identification key (registry)',
  params: z.object({ severity: SeverityParam.default('error') }).strict(),
  create: ({ severity }) => ({
    id: 'duplicate',
    category: 'correctness',
    description: 'no two live CIs share an identification key (registry)',
    run({ cis, registry }) {
      const index = new IdentificationIndex(registry, cis.filter(isLive));
      const out: Finding[] = [];
      for (const group of index.duplicates()) {
        const members = [...group.cis].sort((a, b) =>
          a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
        );
        const original = members[0]!;
        // The original's values as recorded (the index compares them normalised).
        const key = Object.fromEntries(
          group.key.map((k) => [k, k === 'id' || k === 'name' || k === 'environment' ? original[k] : original.attributes[k]]),
        );
        const ids = members.map((m) => m.id);
        for (const m of members.slice(1)) {
          out.push({
            rule: 'duplicate',
            ci: m.id,
            severity,
            message: `${m.class} "${m.id}" duplicates "${original.id}" (same ${group.key.join(' + ')})`,
            evidence: { original: original.id, key, members: ids },
          });
        }
      }
      return out;
    },
  }),
});
