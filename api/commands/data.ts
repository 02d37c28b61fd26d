/**
 * `cmdb import | export | check`: moving the whole CMDB in and out, and checking the mirror
 * against the store. Import is a write (it may create the store); export and check are reads.
 */
import { Command, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError } from '../../engine/errors.ts';
import { importParsed, readImportFiles, type ImportSummary } from '../../engine/io/import.ts';
import { exportCsv, exportJson, exportNdjson, streamSink } from '../../engine/io/export.ts';
import { checkMirror } from '../../engine/mirror/check.ts';
import type { CliContext } from './context.ts';
import { refuseSelfAssertedIdentity } from './identity.ts';
import { stage } from './progress.ts';
import { addSourceImportOptions, printSourceImport, sourceImport, type SourceImportFlags } from './convert.ts';

/** Imports files into an open CMDB as `actor`, with a bar for reading rows and one for writing them. */
export async function importFiles(cmdb: Cmdb, files: string[], actor: string, bars: boolean, changeId?: string): Promise<ImportSummary> {
  const reading = stage(bars, 'reading');
  const parsed = await readImportFiles(files, (rows) => reading.update(rows)).finally(() => reading.stop());
  const writing = stage(bars, 'writing');
  try {
    return await importParsed(cmdb, parsed, { actor, ...(changeId !== undefined ? { changeId } : {}) }, (done, total) =>
      writing.update(done, total),
    );
  } finally {
    writing.stop();
  }
}

function closeStream(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

export function dataCommands(ctx: CliContext): Command[] {
  const importCmd = refuseSelfAssertedIdentity(new Command('import'))
    .description('import CIs and relationships from JSON, NDJSON or CSV files, atomically (creates the store if needed)')
    .argument('<files...>', 'files: .json, .ndjson/.jsonl, or .csv (one of CIs, one of relationships); with --from, files or directories')
    .option(
      '--change <id>',
      'the approved change authorising this write (refused unless it is approved or in progress and covers every CI written)',
    )
    .option('--json', 'machine-readable output');
  addSourceImportOptions(importCmd).action(async (files: string[], opts: SourceImportFlags & { change?: string; json?: boolean }) => {
    const bars = ctx.bars(opts.json);
    await ctx.withCmdb({ op: 'import', permission: 'cmdb:import', write: true, bars }, async ({ cmdb, principal }) => {
      if (opts.from || opts.source || opts.prune) {
        // A foreign format, or our own format with a source: identification, precedence and prune (engine/io/source-import.ts).
        const summary = await sourceImport(cmdb, files, { ...opts, actor: principal.name, bars });
        if (opts.json) ctx.json(summary);
        else printSourceImport(summary);
        return;
      }
      const summary = await importFiles(cmdb, files, principal.name, bars, opts.change);
      if (opts.json) ctx.json(summary);
      else
        ctx.print(
          `imported ${summary.cis} CIs and ${summary.relationships} relationships as ${principal.name}: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged (seq ${summary.seq})`,
        );
    });
  });

  const exportCmd = new Command('export')
    .description('export the whole CMDB in an import format')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'ndjson', 'csv']).default('json'))
    .option('--out <path>', 'output file (json, ndjson; default stdout) or directory (csv: cis.csv + relationships.csv)')
    .action(async (opts: { format: 'json' | 'ndjson' | 'csv'; out?: string }) => {
      if (opts.format === 'csv' && !opts.out)
        throw new InputError('export: --format csv writes two files; give a directory with --out DIR', [
          { path: ['out'], code: 'missing', message: 'a directory for cis.csv and relationships.csv' },
        ]);
      await ctx.withStore({ op: 'export', permission: 'cmdb:export' }, async (store) => {
        if (opts.format === 'csv') {
          await mkdir(opts.out!, { recursive: true });
          const cis = createWriteStream(join(opts.out!, 'cis.csv'));
          const rels = createWriteStream(join(opts.out!, 'relationships.csv'));
          await exportCsv(store, streamSink(cis), streamSink(rels));
          await Promise.all([closeStream(cis), closeStream(rels)]);
        } else {
          const out = opts.out ? createWriteStream(opts.out) : process.stdout;
          await (opts.format === 'json' ? exportJson : exportNdjson)(store, streamSink(out));
          if (out !== process.stdout) await closeStream(out as ReturnType<typeof createWriteStream>);
        }
      });
    });

  const check = new Command('check')
    .description('compare a freshly hydrated mirror with the store, CI by CI and edge by edge (exit 3 when they differ)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await ctx.withCmdb({ op: 'check', permission: 'cmdb:read', bars: ctx.bars(opts.json) }, async ({ cmdb }) => {
        const result = await checkMirror(cmdb.mirror, cmdb.store);
        if (opts.json) ctx.json(result);
        else {
          ctx.print(
            `${result.consistent ? 'consistent' : 'INCONSISTENT'}: ${result.counts.storeCis} CIs, ${result.counts.storeRelationships} relationships in the store; mirror ${result.counts.mirrorCis} / ${result.counts.mirrorRelationships}; seq ${result.seq.store}`,
          );
          for (const d of result.differences) ctx.print(`  ${d.kind} ${d.id}: ${d.problem}`);
        }
        if (!result.consistent) process.exitCode = 3;
      });
    });

  return [importCmd, exportCmd, check];
}
