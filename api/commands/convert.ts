/**
 * `cmdb convert --from FORMAT FILE|DIR...` and the `--from` / `--source` side of `cmdb import`.
 * This module owns what the pure converters leave to the command line: reading files and
 * directories (and, for Backstage, the files Location entities point at), printing warnings,
 * progress bars on a terminal, and handing the converted document to the source import.
 * The converters and their parsers are loaded on first use, so other commands start no slower.
 */
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError } from '../../engine/errors.ts';
import { EXTENSIONS, FORMATS, parseFormat, type Format } from '../../engine/importers/formats.ts';
import { where, type Conversion, type ConversionWarning, type ImportDocument, type InputFile } from '../../engine/importers/types.ts';
import { readImportFiles } from '../../engine/io/import.ts';
import type { SourceImportSummary } from '../../engine/io/source-import.ts';

export interface ConvertFlags {
  from?: string;
  mapping?: string;
  cluster?: string;
  externalEndpoints?: boolean;
}

export interface SourceImportFlags extends ConvertFlags {
  source?: string;
  prune?: boolean;
  precedence?: string;
}

/** The options `convert` and `import` share, added to a command. */
export function addConvertOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--from <format>', 'convert from a foreign format first').choices([...FORMATS]))
    .option('--mapping <file>', 'terraform: resource type → class JSON; servicenow: {classes, relationships} JSON')
    .option('--cluster <name>', 'kubernetes: cluster name, recorded on every CI and part of its id')
    .option('--external-endpoints', 'kubernetes: make an ExternalEndpoint CI for every address not in the input');
}

/** The options only `import` has. */
export function addSourceImportOptions(cmd: Command): Command {
  return addConvertOptions(cmd)
    .option('--source <name>', 'record this source on every CI and relationship (default with --from: the format)')
    .option('--prune', "delete this source's CIs and relationships the input no longer has (default: report them)")
    .addOption(
      new Option('--precedence <sources>', 'comma-separated source names, strongest first, for per-field precedence').env(
        'CMDB_SOURCE_PRECEDENCE',
      ),
    );
}

/** A progress bar on stderr, or nothing when bars are off. */
export function bar(enabled: boolean, label: string): { update: (done: number, total: number) => void; stop: () => void } {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const b = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        b.start(total, 0);
        started = true;
      }
      b.setTotal(total);
      b.update(done);
    },
    stop() {
      if (started) b.stop();
    },
  };
}

async function filesUnder(path: string, format: Format): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputError(
      `convert: cannot read "${path}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
    );
  }
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full, format)));
    else if (EXTENSIONS[format].includes(extname(entry.name).toLowerCase())) out.push(full);
  }
  return out;
}

/** Reads files and directories for a format; for Backstage, follows Location targets too. */
export async function readInputs(paths: readonly string[], format: Format): Promise<InputFile[]> {
  const seen = new Set<string>();
  const files: InputFile[] = [];
  const add = async (path: string) => {
    const abs = resolve(path);
    if (seen.has(abs)) return;
    seen.add(abs);
    try {
      files.push({ path, text: await readFile(path, 'utf8') });
    } catch (err) {
      throw new InputError(
        `convert: cannot read "${path}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      );
    }
  };
  for (const p of paths) for (const f of await filesUnder(p, format)) await add(f);
  if (format === 'backstage') {
    const { locationTargets } = await import('../../engine/importers/backstage.ts');
    // Locations may point at more files; read them until nothing new appears.
    for (let before = -1; before !== files.length;) {
      before = files.length;
      for (const target of locationTargets(files)) {
        if (seen.has(target)) continue;
        try {
          await stat(target);
        } catch {
          continue; // reported by the converter as a missing target
        }
        await add(target);
      }
    }
  }
  if (files.length === 0)
    throw new InputError(`convert: no ${format} input in ${paths.join(', ')} (looked for ${EXTENSIONS[format].join(', ')})`);
  return files;
}

export async function convertPaths(paths: readonly string[], flags: ConvertFlags & { bars?: boolean }): Promise<Conversion> {
  const format = parseFormat(flags.from ?? '');
  const files = await readInputs(paths, format);
  let mapping: unknown;
  if (flags.mapping) {
    try {
      mapping = JSON.parse(await readFile(flags.mapping, 'utf8'));
    } catch (err) {
      throw new InputError(`convert: cannot read mapping file "${flags.mapping}": ${(err as Error).message}`);
    }
  }
  const { convert } = await import('../../engine/importers/index.ts');
  const b = bar(flags.bars ?? false, 'converting');
  try {
    return convert(format, files, {
      ...(mapping !== undefined ? { mapping } : {}),
      ...(flags.cluster ? { cluster: flags.cluster } : {}),
      externalEndpoints: flags.externalEndpoints ?? false,
      onProgress: (d, t) => b.update(d, t),
    });
  } finally {
    b.stop();
  }
}

export function printWarnings(warnings: readonly ConversionWarning[], limit = 50): void {
  for (const w of warnings.slice(0, limit)) console.error(`cmdb: warning: ${where(w)}: ${w.message}`);
  if (warnings.length > limit) console.error(`cmdb: … and ${warnings.length - limit} more warnings (--json lists them all)`);
}

export function convertCommand(wantsBars: (json?: boolean) => boolean): Command {
  const cmd = new Command('convert')
    .description('convert Kubernetes, Backstage, Terraform state or ServiceNow exports into the import format')
    .argument('<paths...>', 'files or directories')
    .option('--out <path>', 'write the document here (default stdout)')
    .option('--json', 'print warnings as JSON on stderr too');
  addConvertOptions(cmd);
  cmd.action(async (paths: string[], opts: ConvertFlags & { out?: string; json?: boolean }) => {
    if (!opts.from) throw new InputError(`convert: --from is required (${FORMATS.join(', ')})`);
    const { document, warnings } = await convertPaths(paths, { ...opts, bars: wantsBars(opts.json) });
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (opts.out) await writeFile(opts.out, text);
    else process.stdout.write(text);
    if (opts.json) process.stderr.write(`${JSON.stringify({ warnings })}\n`);
    else printWarnings(warnings);
    if (opts.out && !opts.json)
      console.error(`cmdb: wrote ${document.cis.length} CIs and ${document.relationships.length} relationships to ${opts.out}`);
  });
  return cmd;
}

/** Own-format files as a document (for `import --source` without `--from`). */
async function ownFormat(paths: string[]): Promise<ImportDocument> {
  const parsed = await readImportFiles(paths);
  return { cis: parsed.cis, relationships: parsed.relationships.map(({ type, from, to, attributes }) => ({ type, from, to, attributes })) };
}

/** `cmdb import --from … / --source …`: convert if asked, reconcile with the store, commit atomically. */
export async function sourceImport(
  cmdb: Cmdb,
  paths: string[],
  flags: SourceImportFlags & { actor: string; change?: string; json?: boolean; bars: boolean },
): Promise<SourceImportSummary & { warnings: ConversionWarning[] }> {
  let document: ImportDocument;
  let warnings: ConversionWarning[] = [];
  if (flags.from) ({ document, warnings } = await convertPaths(paths, flags));
  else document = await ownFormat(paths);
  const source = flags.source ?? flags.from;
  if (!source) throw new InputError('import: --prune and --precedence need --source NAME (or --from FORMAT)');
  const precedence = flags.precedence
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const { importFromSource } = await import('../../engine/io/source-import.ts');
  const b = bar(flags.bars, 'writing   ');
  try {
    const summary = await importFromSource(
      cmdb,
      document,
      { actor: flags.actor, ...(flags.change !== undefined ? { changeId: flags.change } : {}) },
      {
        source,
        prune: flags.prune ?? false,
        label: flags.from ?? source,
        ...(precedence ? { precedence } : {}),
        onProgress: (d, t) => b.update(d, t),
      },
    );
    return { ...summary, warnings };
  } finally {
    b.stop();
  }
}

export function printSourceImport(s: SourceImportSummary & { warnings: ConversionWarning[] }): void {
  printWarnings(s.warnings);
  console.log(
    `imported ${s.cis} CIs and ${s.relationships} relationships from source "${s.source}": ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged (seq ${s.seq})`,
  );
  if (s.matched.length > 0)
    console.log(
      `${s.matched.length} CI(s) identified as existing ones: ${s.matched
        .slice(0, 5)
        .map((m) => `${m.incoming} → ${m.stored} (${m.key.join('+')})`)
        .join(', ')}${s.matched.length > 5 ? ', …' : ''}`,
    );
  for (const d of s.candidateDuplicates.slice(0, 20))
    console.log(
      `candidate duplicate: ${d.incoming} and ${d.candidates.join(', ')} share ${d.key.join('+')} (${d.reason.replace(/_/g, ' ')}) — not merged`,
    );
  if (s.pruned.cis + s.pruned.relationships > 0)
    console.log(`pruned ${s.pruned.cis} CI(s) and ${s.pruned.relationships} relationship(s) no longer in source "${s.source}"`);
  else if (s.stale.cis.length + s.stale.relationships.length > 0) {
    console.log(
      `${s.stale.cis.length} CI(s) and ${s.stale.relationships.length} relationship(s) of source "${s.source}" are no longer in the input (--prune removes them): ${s.stale.cis.slice(0, 10).join(', ')}${s.stale.cis.length > 10 ? ', …' : ''}`,
    );
  }
}
