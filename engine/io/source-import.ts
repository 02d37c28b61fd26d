/**
 * Importing a document on behalf of a named source (`cmdb import --source NAME`, the importers):
 * reads what the store holds, reconciles the document with it (engine/importers/reconcile.ts:
 * identification, per-field source precedence, stale detection), validates the merged document
 * with the same zod schemas as every import, and commits it as one atomic batch — upserts with
 * the stored versions expected (a concurrent writer makes it fail cleanly), then, with `prune`,
 * the deletions.
 */
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import type { Cmdb } from '../cmdb.ts';
import type { Mutation, WriteContext } from '../store/port.ts';
import { addImportDocument, emptyImport, importBatch, type ImportSummary } from './import.ts';
import { reconcile, type CandidateDuplicate, type MatchedCI } from '../importers/reconcile.ts';
import type { ImportDocument } from '../importers/types.ts';

export interface SourceImportOptions {
  source: string;
  /** Source names, strongest first, for per-field precedence. */
  precedence?: readonly string[];
  /** Delete this source's CIs and relationships the document no longer has (default: report them). */
  prune?: boolean;
  /** Names the document in error messages (`kubernetes`, a file name). */
  label?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface SourceImportSummary extends ImportSummary {
  source: string;
  matched: MatchedCI[];
  candidateDuplicates: CandidateDuplicate[];
  /** This source's CIs and relationships the input no longer has. */
  stale: { cis: string[]; relationships: string[] };
  pruned: { cis: number; relationships: number };
}

export async function readStored(cmdb: Cmdb): Promise<{ cis: CI[]; relationships: Relationship[] }> {
  const cis: CI[] = [];
  for await (const page of cmdb.store.streamCIs()) cis.push(...page);
  const relationships: Relationship[] = [];
  for await (const page of cmdb.store.streamRelationships()) relationships.push(...page);
  return { cis, relationships };
}

export async function importFromSource(
  cmdb: Cmdb,
  document: ImportDocument,
  ctx: WriteContext,
  options: SourceImportOptions,
): Promise<SourceImportSummary> {
  const stored = await readStored(cmdb);
  const plan = reconcile({
    registry: cmdb.registry,
    source: options.source,
    document,
    stored,
    ...(options.precedence ? { precedence: options.precedence } : {}),
    prune: options.prune ?? false,
  });
  const parsed = emptyImport();
  addImportDocument(parsed, options.label ?? options.source, plan.document);
  const { mutations, describe } = importBatch(parsed);
  const batch: Mutation[] = mutations.map((m) => {
    if (m.op !== 'upsertCI') return m;
    const v = plan.expectedVersions.get(m.ci.id);
    return v === undefined ? m : { ...m, expectedVersion: v };
  });
  for (const id of plan.deleteRelationships) batch.push({ op: 'deleteRelationship', id });
  for (const id of plan.deleteCIs) batch.push({ op: 'deleteCI', id });
  const result = await cmdb.apply(batch, ctx, {
    describe: (i) => (i < mutations.length ? describe(i) : `import: prune of source "${options.source}"`),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const created = result.events.filter((e) => e.op === 'create').length;
  const updated = result.events.filter((e) => e.op === 'update').length;
  const deleted = result.events.filter((e) => e.op === 'delete').length;
  return {
    seq: result.seq,
    cis: parsed.cis.length,
    relationships: parsed.relationships.length,
    created,
    updated,
    unchanged: batch.length - created - updated - deleted,
    source: options.source,
    matched: plan.matched,
    candidateDuplicates: plan.candidateDuplicates,
    stale: plan.stale,
    pruned: { cis: plan.deleteCIs.length, relationships: plan.deleteRelationships.length },
  };
}
