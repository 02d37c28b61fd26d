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
      for (const ci of cis) {
        if (!isLive(ci)) continue;
        const required = registry.classDef(ci.class)?.requiredAttributes ?? [];
        const missing = required.filter((a) => !hasValue(ci.attributes[a]));
        if (missing.length === 0) continue;
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
