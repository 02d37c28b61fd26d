/**
 * The `cmdb` command line. Every command opens the store named by `--store` / `CMDB_STORE`,
 * hydrates the mirror and prints human output, or JSON with `--json`. Long work shows a progress
 * bar on a terminal (stderr), never with `--json` or when stderr is not a TTY.
 */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cmdb } from '../engine/cmdb.ts';
import { CmdbError } from '../engine/errors.ts';
import { Registry } from '../engine/model/registry.ts';
import { openStore, DEFAULT_STORE } from '../engine/store/open.ts';
import { importParsed, readImportFiles, type ImportSummary } from '../engine/io/import.ts';
import { exportCsv, exportJson, exportNdjson, streamSink } from '../engine/io/export.ts';
import { checkMirror } from '../engine/mirror/check.ts';
import type { HydrateProgress } from '../engine/mirror/mirror.ts';
import { tokenCommand } from './token-command.ts';
import { impactCommands } from './commands/impact.ts';
import { changeCommand } from './commands/change.ts';
import { itsmCommands } from './commands/itsm.ts';
import { auditCommands } from './commands/audit.ts';
import { baselineCommand } from './commands/baseline.ts';

export const DEMO_FILE = fileURLToPath(new URL('../fixtures/demo/cmdb.json', import.meta.url));

interface GlobalOptions {
  store: string;
  registry?: string;
}

const program = new Command('cmdb')
  .description('graph-cmdb: a graph CMDB with change-impact analysis')
  .addOption(new Option('--store <spec>', 'sqlite:PATH or bolt://host:port').env('CMDB_STORE').default(DEFAULT_STORE))
  .addOption(new Option('--registry <file>', "organisation registry extending the default catalog").env('CMDB_REGISTRY'))
  .showHelpAfterError();

function globals(): GlobalOptions {
  return program.opts<GlobalOptions>();
}

function wantsBars(json: boolean | undefined): boolean {
  return !json && process.stderr.isTTY === true;
}

/** A progress bar that is a no-op when bars are off. */
function progressBar(enabled: boolean, label: string) {
  if (!enabled) return { update: (_done: number, _total?: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done: number, total?: number) {
      if (!started) {
        bar.start(total ?? done, 0);
        started = true;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export async function openCmdb(opts: { bars?: boolean } = {}): Promise<Cmdb> {
  const { store: spec, registry: registryFile } = globals();
  const registry = Registry.load(registryFile);
  const store = await openStore(spec);
  const bar = progressBar(opts.bars ?? false, 'loading graph');
  try {
    return await Cmdb.open({ store, registry, onProgress: (p: HydrateProgress) => bar.update(p.done) });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  } finally {
    bar.stop();
  }
}

/** Imports files into an open CMDB, with progress bars for the parse and the write. */
export async function importFiles(cmdb: Cmdb, files: string[], actor: string, bars: boolean, changeId?: string): Promise<ImportSummary> {
  const reading = progressBar(bars, 'reading ');
  const parsed = await readImportFiles(files, (rows) => reading.update(rows)).finally(() => reading.stop());
  const writing = progressBar(bars, 'writing ');
  try {
    return await importParsed(cmdb, parsed, { actor, ...(changeId !== undefined ? { changeId } : {}) }, (done, total) => writing.update(done, total));
  } finally {
    writing.stop();
  }
}

program
  .command('import')
  .description('import CIs and relationships from JSON, NDJSON or CSV files, atomically')
  .argument('<files...>', 'files: .json, .ndjson/.jsonl, or .csv (one of CIs, one of relationships)')
  .option('--actor <name>', 'who is importing (recorded in the event log)', process.env.USER ?? 'cli')
  .option('--change <id>', 'the approved change authorising this write (refused unless it targets every CI written)')
  .option('--json', 'machine-readable output')
  .action(async (files: string[], opts: { actor: string; change?: string; json?: boolean }) => {
    const cmdb = await openCmdb({ bars: wantsBars(opts.json) });
    try {
      const summary = await importFiles(cmdb, files, opts.actor, wantsBars(opts.json), opts.change);
      if (opts.json) print(summary);
      else console.log(`imported ${summary.cis} CIs and ${summary.relationships} relationships: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged (seq ${summary.seq})`);
    } finally {
      await cmdb.close();
    }
  });

program
  .command('export')
  .description('export the whole CMDB in an import format')
  .addOption(new Option('--format <format>', 'output format').choices(['json', 'ndjson', 'csv']).default('json'))
  .option('--out <path>', 'output file (json, ndjson; default stdout) or directory (csv: cis.csv + relationships.csv)')
  .action(async (opts: { format: 'json' | 'ndjson' | 'csv'; out?: string }) => {
    const store = await openStore(globals().store);
    await store.init();
    try {
      if (opts.format === 'csv') {
        if (!opts.out) throw new CmdbError('invalid_input', 'export: --format csv writes two files; give a directory with --out DIR');
        await mkdir(opts.out, { recursive: true });
        const cis = createWriteStream(join(opts.out, 'cis.csv'));
        const rels = createWriteStream(join(opts.out, 'relationships.csv'));
        await exportCsv(store, streamSink(cis), streamSink(rels));
        await Promise.all([closeStream(cis), closeStream(rels)]);
      } else {
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        await (opts.format === 'json' ? exportJson : exportNdjson)(store, streamSink(out));
        if (out !== process.stdout) await closeStream(out as ReturnType<typeof createWriteStream>);
      }
    } finally {
      await store.close();
    }
  });

program
  .command('check')
  .description('compare a freshly hydrated mirror with the store, CI by CI and edge by edge')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const cmdb = await openCmdb({ bars: wantsBars(opts.json) });
    try {
      const result = await checkMirror(cmdb.mirror, cmdb.store);
      if (opts.json) print(result);
      else {
        console.log(`${result.consistent ? 'consistent' : 'INCONSISTENT'}: ${result.counts.storeCis} CIs, ${result.counts.storeRelationships} relationships in the store; mirror ${result.counts.mirrorCis} / ${result.counts.mirrorRelationships}; seq ${result.seq.store}`);
        for (const d of result.differences) console.log(`  ${d.kind} ${d.id}: ${d.problem}`);
      }
      if (!result.consistent) process.exitCode = 3;
    } finally {
      await cmdb.close();
    }
  });

program
  .command('serve')
  .description('start the HTTP API (OpenAPI docs at /api/v1/docs/)')
  .addOption(new Option('--port <port>', 'port to listen on').env('PORT').default('8080'))
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--demo', 'load the demo CMDB when the store is empty')
  .option('--no-auth', 'serve without bearer tokens: every request acts as "anonymous" (admin); for demos only')
  .addOption(new Option('--rate-limit <n>', 'requests per minute per token (0: off)').env('CMDB_RATE_LIMIT').default('1200'))
  .action(async (opts: { port: string; host: string; demo?: boolean; auth: boolean; rateLimit: string }) => {
    const { serve } = await import('./serve.ts');
    await serve({ port: Number(opts.port), host: opts.host, demo: opts.demo ?? false, auth: opts.auth, rateLimit: Number(opts.rateLimit) });
  });

program.addCommand(
  tokenCommand(async () => {
    const store = await openStore(globals().store);
    await store.init();
    return store;
  }, print),
);

for (const command of impactCommands(() => openCmdb())) program.addCommand(command);
program.addCommand(changeCommand());
for (const command of itsmCommands()) program.addCommand(command);
for (const command of [...auditCommands(), baselineCommand()]) program.addCommand(command);

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function closeStream(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CmdbError) {
      console.error(`cmdb: ${err.message}`);
      const details = err.details as unknown;
      if (Array.isArray(details) && details.length > 1) for (const d of details.slice(1, 6)) console.error(`  also: ${JSON.stringify(d)}`);
      process.exitCode = 1;
    } else {
      console.error(`cmdb: unexpected error: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 2;
    }
  }
}

export { program, globals };
