/**
 * Builds the web UI into viz/dist/: one ES module bundle (esbuild, minified, code-split so the
 * views load on demand), the stylesheet and index.html. Run by `npm ci` (prepare) and `npm start`
 * (prestart), so a fresh clone serves the UI with the README's two commands. Fails when the
 * initial JavaScript (the entry chunk and its static imports) is over the 400 KB gzip budget.
 */
import { build, type Metafile } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT = join(here, 'dist');
export const BUDGET_GZIP_BYTES = 400 * 1024;

/**
 * Gzipped bytes a first page load fetches: the entry chunk and its static imports, plus — for the
 * heaviest view (the views are dynamic imports of the shell) — that view's chunk and its static
 * imports. So the budget holds for a shared /impact link opened cold, not only for the shell.
 */
export function initialGzipBytes(meta: Metafile, entry: string): { bytes: number; files: string[]; shell: number } {
  const closure = (start: string, into = new Set<string>()) => {
    const visit = (file: string) => {
      if (into.has(file)) return;
      into.add(file);
      for (const imp of meta.outputs[file]?.imports ?? []) if (imp.kind === 'import-statement') visit(imp.path);
    };
    visit(start);
    return into;
  };
  const size = new Map<string, number>();
  const gz = (f: string) => size.get(f) ?? size.set(f, gzipSync(readFileSync(f), { level: 9 }).length).get(f)!;
  const sum = (files: Set<string>) => [...files].reduce((n, f) => n + gz(f), 0);
  const shellFiles = closure(entry);
  let worst = shellFiles;
  for (const imp of meta.outputs[entry]?.imports ?? []) {
    if (imp.kind !== 'dynamic-import') continue;
    const files = closure(imp.path, new Set(shellFiles));
    if (sum(files) > sum(worst)) worst = files;
  }
  return { bytes: sum(worst), files: [...worst], shell: sum(shellFiles) };
}

export async function buildUi(opts: { quiet?: boolean; out?: string } = {}): Promise<{ initialGzip: number; shellGzip: number }> {
  const out = opts.out ?? DEFAULT_OUT;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: { app: join(here, 'src/main.ts') },
    outdir: join(out, 'assets'),
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    sourcemap: false,
    target: ['chrome110', 'firefox115', 'safari16'],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'src/index.html'), join(out, 'index.html'));
  copyFileSync(join(here, 'src/app.css'), join(out, 'assets/app.css'));
  const entry = Object.keys(result.metafile.outputs).find((f) => result.metafile.outputs[f]?.entryPoint?.endsWith('src/main.ts'));
  if (!entry) throw new Error('viz build: no entry chunk in the metafile');
  const { bytes, files, shell } = initialGzipBytes(result.metafile, entry);
  if (!opts.quiet)
    console.log(
      `viz: built ${relative(process.cwd(), out)} — initial JS ${(bytes / 1024).toFixed(1)} KB gzipped for the heaviest view (${files.length} chunks; shell alone ${(shell / 1024).toFixed(1)} KB; budget ${BUDGET_GZIP_BYTES / 1024} KB)`,
    );
  if (bytes > BUDGET_GZIP_BYTES)
    throw new Error(`viz build: initial JS is ${(bytes / 1024).toFixed(1)} KB gzipped, over the ${BUDGET_GZIP_BYTES / 1024} KB budget`);
  return { initialGzip: bytes, shellGzip: shell };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildUi();
