/**
 * `required-attributes` (completeness): a live CI lacks an attribute its class requires. The list
 * comes from the registry and is the class's own (a subclass declares its own list: KubernetesNode
 * is a Server without a serial number to require), never checked at import (DESIGN.md).
 */
import { z } from 'zod';
import type { Finding } from '../types.ts';
import { defineBuiltin, hasValue, isLive, SeverityParam } from './common.ts';

export const requiredAttributes = defineBuiltin({
  id: 'required-attributes',
  category: 'completeness',
  description: 'every live CI has the attributes its class requires (registry)',
  params: z.object({ severity: SeverityParam.default('warning') }).strict(),
  create: ({ severity }) => ({
    id: 'required-attributes',
    category: 'completeness',
    description: 'every live CI has the attributes its class requires (registry)',
    run({ cis, registry }) {
      const out: Finding[] = [];
      // The class's list, looked up once per class; a CI with every attribute allocates nothing.
      const requiredOf = new Map<string, readonly string[]>();
      for (const ci of cis) {
        if (!isLive(ci)) continue;
        let required = requiredOf.get(ci.class);
        if (required === undefined) requiredOf.set(ci.class, (required = registry.classDef(ci.class)?.requiredAttributes ?? []));
        let complete = true;
        for (let i = 0; complete && i < required.length; i++) complete = hasValue(ci.attributes[required[i]!]);
        if (complete) continue;
        const missing = required.filter((a) => !hasValue(ci.attributes[a]));
        out.push({
          rule: 'required-attributes',
          ci: ci.id,
          severity,
          message: `${ci.class} "${ci.id}" has no ${missing.join(', ')} (required for its class)`,
          evidence: { class: ci.class, missing },
        });
      }
      return out;
    },
  }),
});
