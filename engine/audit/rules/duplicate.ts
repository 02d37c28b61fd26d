/**
 * `duplicate` (correctness): live CIs that identify as one real thing — the same identification
 * key from the registry, matched by engine/model/identification.ts exactly as the importers and
 * reconciliation match (strongest key first, only keys both classes share). The earliest-created
 * CI of a group is taken as the original (ties: smaller id); every other member gets a finding
 * naming it, so fixing one record clears one finding.
 */
import { z } from 'zod';
import { FirstByHash, IdentificationIndex, identificationKeys, keyHash, signature } from '../../model/identification.ts';
import type { CI } from '../../model/ci.ts';
import type { Registry } from '../../model/registry.ts';
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
      const index = new IdentificationIndex(registry, sharingAKey(cis, registry));
      const out: Finding[] = [];
      for (const group of index.duplicates()) {
        // A group comes in id order and the sort is stable, so creation ties keep the smaller id first.
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — V8's stable sort tests only `< 0`, so what a tie or a later date answers (0 or 1) never moves a CI
        const members = [...group.cis].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
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

/**
 * The live CIs that may share a value under some key of their class with another live CI, in the
 * given order: every CI that does, plus the rare one whose key only hashes like another's. Only
 * the former can be in a duplicate group, and the index over any such superset has the same
 * non-singleton buckets as the index over every CI, so `duplicates()` answers the same. One pass,
 * one hash table of first positions per key (identification.ts's keyHash and FirstByHash): no key
 * string and no Map entry per CI for a million CIs of which a few hundred are duplicates.
 */
export function sharingAKey(cis: readonly CI[], registry: Registry): CI[] {
  const keysOf = new Map<string, { fields: readonly string[]; seen: FirstByHash }[]>();
  const seenOf = new Map<string, FirstByHash>();
  const shared = new Uint8Array(cis.length);
  for (let i = 0; i < cis.length; i++) {
    const ci = cis[i]!;
    if (!isLive(ci)) continue;
    let keys = keysOf.get(ci.class);
    // Stryker disable next-line ConditionalExpression: equivalent — recomputing a class's keys finds the same tables by signature (performance only)
    if (keys === undefined) {
      keys = identificationKeys(registry, ci.class).map(({ fields }) => {
        const sig = signature(fields);
        let seen = seenOf.get(sig);
        if (seen === undefined) seenOf.set(sig, (seen = new FirstByHash()));
        return { fields, seen };
      });
      keysOf.set(ci.class, keys);
    }
    for (const { fields, seen } of keys) {
      const h = keyHash(ci, fields);
      // Stryker disable next-line ConditionalExpression: equivalent — an undefined hash never equals a stored one; stored as 0 it can only add a candidate, which the index then rejects
      if (h === undefined) continue;
      const first = seen.add(h, i);
      if (first >= 0) shared[first] = shared[i] = 1;
    }
  }
  const out: CI[] = [];
  // Stryker disable next-line EqualityOperator: equivalent — `shared[cis.length]` is undefined, never 1
  for (let i = 0; i < cis.length; i++) if (shared[i] === 1) out.push(cis[i]!);
  return out;
}
