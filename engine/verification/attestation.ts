/**
 * Attestation: owners confirm their CIs still exist as recorded (`attributes.verifiedAt`,
 * `attributes.verifiedBy`, written as an ordinary CI update so it is in the log and bumps the
 * version), and the campaign of what to attest, most consequential first (engine/audit/attestation.ts).
 */
import type { Cmdb } from '../cmdb.ts';
import { NotFoundError } from '../errors.ts';
import type { CIData } from '../model/ci.ts';
import { attestationCampaign, type AttestationItem } from '../audit/attestation.ts';
import { AuditService } from './audit-service.ts';

export class AttestationService {
  constructor(
    private readonly cmdb: Cmdb,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Marks each CI verified now by `actor`, in one atomic batch (an unknown id refuses the batch). */
  async attest(ids: readonly string[], actor: string): Promise<{ seq: number; attested: string[]; verifiedAt: string }> {
    const verifiedAt = this.clock().toISOString();
    const batch = [];
    for (const id of ids) {
      const ci = await this.cmdb.store.getCI(id);
      if (!ci) throw new NotFoundError(`attest: CI "${id}" not found`, { id });
      const { version, createdAt: _c, updatedAt: _u, ...data } = ci;
      const next: CIData = { ...data, attributes: { ...data.attributes, verifiedAt, verifiedBy: actor } };
      batch.push({ op: 'upsertCI' as const, ci: next, expectedVersion: version });
    }
    const r = await this.cmdb.apply(batch, { actor });
    return { seq: r.seq, attested: [...ids], verifiedAt };
  }

  async campaign(options: { days?: number } = {}): Promise<{ seq: number; days: number; items: AttestationItem[] }> {
    const cis = await new AuditService(this.cmdb, this.clock).documents();
    const items = attestationCampaign(
      { graph: this.cmdb.mirror.graph, index: this.cmdb.impactIndex(), registry: this.cmdb.registry, cis, now: this.clock() },
      options,
    );
    return { seq: this.cmdb.seq, days: options.days ?? 90, items };
  }
}
