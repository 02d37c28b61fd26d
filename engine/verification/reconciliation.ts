/**
 * Reconciliation as a service: reads a discovery snapshot file, compares it with the CMDB
 * (engine/audit/reconcile.ts) and, with `apply`, writes the plan in one atomic batch as the source.
 */
import { readFileSync } from 'node:fs';
import type { Cmdb } from '../cmdb.ts';
import { InputError } from '../errors.ts';
import { applyPlan, parseDiscovery, reconcile, type ReconciliationResult } from '../audit/reconcile.ts';
import { AuditService } from './audit-service.ts';

export interface VerifyResult extends ReconciliationResult {
  seq: number;
  at: string | null;
  applied: { seq: number; cis: number; relationships: number } | null;
}

export async function verifyDiscovered(
  cmdb: Cmdb,
  file: string,
  options: { source: string; apply?: boolean; actor?: string },
): Promise<VerifyResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`verify: cannot read discovery snapshot "${file}": ${(err as Error).message}`);
  }
  const discovery = parseDiscovery(raw, options.source, file, cmdb.registry);
  // The command line's --source names who is reconciling; a file's own `source` must agree.
  if (discovery.source !== options.source)
    throw new InputError(`verify: "${file}" says its source is "${discovery.source}", not "${options.source}"`);
  const cis = await new AuditService(cmdb).documents();
  const result = reconcile(discovery, cis, cmdb.mirror.graph, cmdb.registry);
  let applied: VerifyResult['applied'] = null;
  const seq = cmdb.seq;
  if (options.apply) {
    const batch = applyPlan(discovery, result, new Map(cis.map((c) => [c.id, c])));
    const r = await cmdb.apply(batch, { actor: options.actor ?? `discovery:${options.source}` });
    applied = {
      seq: r.seq,
      cis: batch.filter((m) => m.op === 'upsertCI').length,
      relationships: batch.filter((m) => m.op === 'upsertRelationship').length,
    };
  }
  return { seq, at: discovery.at, ...result, applied };
}
