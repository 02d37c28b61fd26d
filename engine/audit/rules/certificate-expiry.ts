/**
 * `certificate-expiry` (compliance): a live certificate (class Certificate or a subclass) that has
 * expired (error) or expires within `days` days (the rule's severity), with the business services
 * its expiry takes down — the blast radius of the certificate failing, from engine/impact — and the
 * path to the most critical of them. A certificate whose `expiresAt` is missing is the
 * required-attributes rule's business; one that cannot be parsed is reported here.
 */
import { z } from 'zod';
import {
  computeImpact,
  DOWN,
  indexFor,
  resolveOrigins,
  stepOf,
  typeMask,
  type ImpactIndex,
  type ImpactState,
  type PathStep,
} from '../../impact/index.ts';
import type { Registry } from '../../model/registry.ts';
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
      // Every propagating type (blastRadius's default), built once per run rather than per certificate.
      // Stryker disable next-line StringLiteral: equivalent — the rule's name only labels the index and mask for error messages
      const mask = typeMask(indexFor(index, registry, 'certificate-expiry'), undefined, 'certificate-expiry');
      for (const ci of cis) {
        let cert = isCert.get(ci.class);
        // Stryker disable next-line ConditionalExpression: equivalent — a per-class cache; asking the registry again answers the same
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
        const { services, path } = index.idToIndex.has(ci.id)
          ? servicesTakenDown(index, registry, ci.id, mask)
          : // Stryker disable next-line ObjectLiteral,ArrayDeclaration: unreachable — the index holds every CI of the mirror; kept for a CI the caller's lists and graph disagree on
            { services: [], path: [] };
        const down = services.filter((s) => s.state === 'down');
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

interface ServiceHit {
  id: string;
  name: string;
  criticality: number;
  state: ImpactState;
}

/**
 * What blastRadius reports of one certificate going down, cut to what this rule keeps: the business
 * services among the impacted CIs (most critical first, then by id, as the impact report orders
 * them) and the `via` path of the first one down (else the first degraded). The full report would
 * sort every impacted CI and build a path for each — most of this rule's time at 1M CIs, where a
 * certificate under a shared hub impacts a large share of the graph; the cross-check test compares
 * the two.
 */
function servicesTakenDown(
  index: ImpactIndex,
  registry: Registry,
  id: string,
  mask: Uint8Array,
): { services: ServiceHit[]; path: PathStep[] } {
  const core = computeImpact(index, resolveOrigins(index, [{ ci: id, effect: 'down' }]), mask);
  const { order, state, parentPos, parentType, originCount, size } = core;
  const isService = new Map<string, boolean>();
  const hits: { hit: ServiceHit; pos: number }[] = [];
  for (let p = originCount; p < size; p++) {
    const a = index.attrs[order[p]!]!;
    let svc = isService.get(a.class);
    // Stryker disable next-line ConditionalExpression: equivalent — a per-class cache; asking the registry again answers the same
    if (svc === undefined) isService.set(a.class, (svc = registry.isA(a.class, 'BusinessService')));
    if (!svc) continue;
    const hit = {
      id: index.nodeIds[order[p]!]!,
      name: a.name,
      criticality: a.criticality,
      state: (state[p] === DOWN ? 'down' : 'degraded') as ImpactState,
    };
    hits.push({ hit, pos: p });
  }
  // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent — ids are unique, and V8's sort tests only `< 0`, so the `>` branch never decides
  hits.sort((x, y) => x.hit.criticality - y.hit.criticality || (x.hit.id < y.hit.id ? -1 : x.hit.id > y.hit.id ? 1 : 0));
  const first = hits.find((h) => h.hit.state === 'down') ?? hits[0];
  const path: PathStep[] = [];
  for (let q = first?.pos ?? -1; q >= originCount; q = parentPos[q]!)
    path.push(stepOf(index, order[parentPos[q]!]!, order[q]!, parentType[q]!));
  return { services: hits.map((h) => h.hit), path: path.reverse() };
}
