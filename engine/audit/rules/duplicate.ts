/**
 * `duplicate` (correctness): live CIs of one class family with the same identification key
 * (identity.ts). The earliest-created CI of a group is taken as the original (ties: smaller id);
 * every other member gets a finding naming it, so fixing one record clears one finding.
 */
import { z } from 'zod';
import type { CI } from '../../model/ci.ts';
import { classFamily, identify } from '../identity.ts';
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
      const families = new Map<string, string>();
      const groups = new Map<string, CI[]>();
      for (const ci of cis) {
        if (!isLive(ci)) continue;
        let family = families.get(ci.class);
        if (family === undefined) families.set(ci.class, (family = classFamily(registry, ci.class)));
        const id = identify(ci, registry, family);
        if (id === undefined) continue;
        const g = groups.get(id.text);
        if (g === undefined) groups.set(id.text, [ci]);
        else g.push(ci);
      }
      const out: Finding[] = [];
      for (const members of groups.values()) {
        if (members.length < 2) continue;
        members.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const original = members[0]!;
        const id = identify(original, registry)!;
        const key = Object.fromEntries(id.key.map((k) => [k, k === 'name' ? original.name : original.attributes[k]]));
        const ids = members.map((m) => m.id);
        for (const m of members.slice(1)) {
          out.push({
            rule: 'duplicate',
            ci: m.id,
            severity,
            message: `${m.class} "${m.id}" duplicates "${original.id}" (same ${id.key.join(' + ')})`,
            evidence: { original: original.id, key, members: ids },
          });
        }
      }
      return out;
    },
  }),
});
