/**
 * Attestation campaigns: which CIs their owners should confirm (`verifiedAt` missing or older than
 * N days), most consequential first — the CIs whose failure alone takes down the most critical
 * business services (engine/impact's single points of failure per service), then those whose
 * failure reaches the most critical services at all (their dependencies closure), then by id.
 * One SPOF search and one closure per business service, not a blast radius per CI: it scales with
 * the number of services, not with the CMDB.
 */
import { dependencies, singlePointsOfFailure } from '../impact/index.ts';
import type { AuditInput } from './types.ts';

const DAY_MS = 86_400_000;

export interface AttestationItem {
  id: string;
  class: string;
  name: string;
  owner: string | null;
  verifiedAt: string | null;
  verifiedBy: string | null;
  /** Business services its failure alone takes down, most critical first. */
  takesDown: { id: string; criticality: number }[];
  /** Business services relying on it at all (down or degraded), most critical first. */
  supports: { id: string; criticality: number }[];
}

export function attestationCampaign({ graph, index, registry, cis, now }: AuditInput, options: { days?: number } = {}): AttestationItem[] {
  const days = options.days ?? 90;
  const limit = now.getTime() - days * DAY_MS;
  const services: { id: string; criticality: number }[] = [];
  graph.forEachNode((id, a) => {
    if (a.status !== 'retired' && registry.isA(a.class, 'BusinessService')) services.push({ id, criticality: a.criticality });
  });
  // Stryker disable next-line EqualityOperator: ids are unique, so `<=` never sees equal ones
  services.sort((a, b) => a.criticality - b.criticality || (a.id < b.id ? -1 : 1));
  const takesDown = new Map<string, { id: string; criticality: number }[]>();
  const supports = new Map<string, { id: string; criticality: number }[]>();
  const push = (m: Map<string, { id: string; criticality: number }[]>, ci: string, s: { id: string; criticality: number }) => {
    const l = m.get(ci);
    if (l) l.push(s);
    else m.set(ci, [s]);
  };
  for (const s of services) {
    push(takesDown, s.id, s);
    push(supports, s.id, s);
    for (const x of singlePointsOfFailure(index, registry, s.id).spofs) push(takesDown, x.id, s);
    for (const d of dependencies(index, registry, s.id).dependencies) push(supports, d.id, s);
  }
  const items: AttestationItem[] = [];
  for (const ci of cis) {
    if (ci.status === 'retired') continue;
    const v = ci.attributes.verifiedAt;
    const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (!Number.isNaN(t) && t >= limit) continue;
    const by = ci.attributes.verifiedBy;
    items.push({
      id: ci.id,
      class: ci.class,
      name: ci.name,
      owner: ci.owner ?? null,
      verifiedAt: typeof v === 'string' ? v : null,
      verifiedBy: typeof by === 'string' ? by : null,
      takesDown: takesDown.get(ci.id) ?? [],
      supports: supports.get(ci.id) ?? [],
    });
  }
  // Lexicographic on the criticality profile: one tier-1 outage outranks any number of tier-2 ones.
  const profile = (l: { criticality: number }[]) => [1, 2, 3, 4].map((c) => l.filter((s) => s.criticality === c).length);
  const cmpProfile = (a: number[], b: number[]) => {
    // Stryker disable next-line EqualityOperator: one more turn compares undefined with undefined and returns nothing
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i]! - a[i]!;
    return 0;
  };
  const keyed = items.map((it) => ({ it, down: profile(it.takesDown), reach: profile(it.supports) }));
  // CI ids are unique: the last key never ties.
  // Stryker disable next-line EqualityOperator: ids are unique, so `<=` never sees equal ones
  keyed.sort((a, b) => cmpProfile(a.down, b.down) || cmpProfile(a.reach, b.reach) || (a.it.id < b.it.id ? -1 : 1));
  return keyed.map((k) => k.it);
}
