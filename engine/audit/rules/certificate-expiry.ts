/**
 * `certificate-expiry` (compliance): a live certificate (class Certificate or a subclass) that has
 * expired (error) or expires within `days` days (the rule's severity), with the business services
 * its expiry takes down — the blast radius of the certificate failing, from engine/impact — and the
 * path to the most critical of them. A certificate whose `expiresAt` is missing is the
 * required-attributes rule's business; one that cannot be parsed is reported here.
 */
import { z } from 'zod';
import { blastRadius } from '../../impact/index.ts';
import type { Finding } from '../types.ts';
import { defineBuiltin, hasValue, isLive, SeverityParam } from './common.ts';

const DAY_MS = 86_400_000;

export const certificateExpiry = defineBuiltin({
  id: 'certificate-expiry',
  category: 'compliance',
  description: 'no live certificate has expired or expires within N days',
  params: z.object({ severity: SeverityParam.default('warning'), days: z.number().int().min(0).default(30) }).strict(),
  create: ({ severity, days }) => ({
    id: 'certificate-expiry',
    category: 'compliance',
    description: `no live certificate has expired or expires within ${days} days`,
    run({ cis, registry, index, now }) {
      const out: Finding[] = [];
      const isCert = new Map<string, boolean>();
      for (const ci of cis) {
        let cert = isCert.get(ci.class);
        if (cert === undefined) isCert.set(ci.class, (cert = registry.isA(ci.class, 'Certificate')));
        if (!cert || !isLive(ci) || !hasValue(ci.attributes.expiresAt)) continue;
        const raw = ci.attributes.expiresAt;
        const at = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
        if (Number.isNaN(at)) {
          out.push({
            rule: 'certificate-expiry',
            ci: ci.id,
            severity: 'error',
            message: `certificate "${ci.id}" has an unreadable expiresAt ${JSON.stringify(raw)}`,
            evidence: { expiresAt: raw },
          });
          continue;
        }
        const daysLeft = Math.floor((at - now.getTime()) / DAY_MS);
        if (at > now.getTime() + days * DAY_MS) continue;
        const expired = at <= now.getTime();
        const impact = index.idToIndex.has(ci.id) ? blastRadius(index, registry, [{ ci: ci.id, effect: 'down' }]) : undefined;
        const services = (impact?.services ?? [])
          .filter((s) => s.id !== ci.id)
          .map((s) => ({ id: s.id, name: s.name, criticality: s.criticality, state: s.state }));
        const down = services.filter((s) => s.state === 'down');
        const first = down[0] ?? services[0];
        const path = first ? (impact!.impacted.find((c) => c.id === first.id)?.via ?? []) : [];
        const takes =
          down.length > 0
            ? `; its expiry takes down ${down.map((s) => s.id).join(', ')}`
            : services.length > 0
              ? `; its expiry degrades ${services.map((s) => s.id).join(', ')}`
              : '';
        out.push({
          rule: 'certificate-expiry',
          ci: ci.id,
          severity: expired ? 'error' : severity,
          message: `certificate "${ci.id}" ${expired ? `expired on ${raw as string}` : `expires on ${raw as string} (in ${daysLeft} days)`}${takes}`,
          evidence: { expiresAt: raw, daysLeft, expired, services, path },
        });
      }
      return out;
    },
  }),
});
