/**
 * `npm run bench -- load --cis 100000 [--seed 7] [--stores sqlite,neo4j] [--check]`
 *
 * For each store: import throughput of a generated graph through the same path as `cmdb import`
 * (zod parse + registry checks + one atomic batch), hydration time and mirror memory (RSS delta,
 * measured in a fresh child process so import garbage does not blur it), and seq consistency
 * (store seq = mirror seq = number of elements written).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { openStore } from '../engine/store/open.ts';
import { emptyImport, importParsed, addImportDocument } from '../engine/io/import.ts';
import { generateGraph } from '../fixtures/generate.ts';
import { startNeo4j, freePort } from '../scripts/neo4j.ts';

const HYDRATE_CHILD = fileURLToPath(new URL('./hydrate-child.ts', import.meta.url));
const RUN_TS = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));

export interface HydrateFigures {
  seconds: number;
  rssDeltaMb: number;
  heapUsedMb: number;
  cis: number;
  relationships: number;
  mirrorSeq: number;
  storeSeq: number;
  consistent: boolean | null;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cis: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '7' },
      stores: { type: 'string', default: 'sqlite,neo4j' },
      check: { type: 'boolean', default: false },
      'neo4j-heap': { type: 'string', default: '2g' },
    },
  });
  const cis = Number(values.cis);
  const seed = Number(values.seed);
  const stores = values.stores.split(',');
  const registry = Registry.load();

  console.log(`load benchmark: ${cis.toLocaleString('en')} CIs, seed ${seed}, node ${process.version}`);
  let t = performance.now();
  const parsed = emptyImport();
  // Rows go through the importer's own row parser, exactly like a file would.
  const doc: { cis: unknown[]; relationships: unknown[] } = { cis: [], relationships: [] };
  for (const item of generateGraph({ cis, seed })) {
    const { kind, ...row } = item;
    (kind === 'ci' ? doc.cis : doc.relationships).push(row);
  }
  const generated = (performance.now() - t) / 1000;
  t = performance.now();
  addImportDocument(parsed, 'generated', doc);
  const parseSeconds = (performance.now() - t) / 1000;
  const elements = parsed.cis.length + parsed.relationships.length;
  console.log(
    `generated ${parsed.cis.length.toLocaleString('en')} CIs + ${parsed.relationships.length.toLocaleString('en')} relationships in ${generated.toFixed(1)} s; zod parse ${parseSeconds.toFixed(1)} s (${rate(elements, parseSeconds)}/s)`,
  );

  const rows: string[][] = [];
  for (const kind of stores) {
    const dir = mkdtempSync(join(tmpdir(), `cmdb-bench-${kind}-`));
    let stopNeo4j: (() => Promise<void>) | undefined;
    try {
      let spec: string;
      if (kind === 'sqlite') spec = `sqlite:${join(dir, 'bench.sqlite')}`;
      else if (kind === 'neo4j') {
        const neo = await startNeo4j({
          port: await freePort(),
          dataDir: join(dir, 'data'),
          runDir: dir,
          heap: values['neo4j-heap'],
          detached: false,
        });
        stopNeo4j = neo.stop;
        spec = neo.uri;
      } else throw new Error(`unknown store "${kind}"`);

      const cmdb = await Cmdb.open({ store: await openStore(spec), registry });
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const summary = await importParsed(cmdb, parsed, { actor: 'bench' });
      const importSeconds = (performance.now() - start) / 1000;
      // CPU time (all of this process's threads) beside the wall time: closer to an idle machine's figure when the cores are shared.
      const cpu = process.cpuUsage(cpuStart);
      const importCpuSeconds = (cpu.user + cpu.system) / 1e6;
      const storeSeq = await cmdb.store.lastSeq();
      await cmdb.close();

      const hydrate = JSON.parse(
        execFileSync(
          process.execPath,
          ['--expose-gc', '--max-old-space-size=8192', RUN_TS, HYDRATE_CHILD, spec, values.check ? 'check' : 'nocheck'],
          { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
        ),
      ) as HydrateFigures;
      const seqOk =
        storeSeq === elements && hydrate.mirrorSeq === storeSeq && hydrate.storeSeq === storeSeq && summary.created === elements;
      rows.push([
        kind,
        `${rate(elements, importSeconds)}/s`,
        `${importSeconds.toFixed(1)} s`,
        `${hydrate.seconds.toFixed(1)} s`,
        `${hydrate.rssDeltaMb.toFixed(0)} MB`,
        `${hydrate.heapUsedMb.toFixed(0)} MB`,
        seqOk ? `ok (${storeSeq.toLocaleString('en')})` : `MISMATCH store ${storeSeq} mirror ${hydrate.mirrorSeq} elements ${elements}`,
        hydrate.consistent === null ? 'not run' : hydrate.consistent ? 'consistent' : 'INCONSISTENT',
      ]);
      console.log(
        `${kind}: import ${importSeconds.toFixed(1)} s (${rate(elements, importSeconds)} elements/s; CPU ${importCpuSeconds.toFixed(1)} s), 1-min load ${loadavg()[0]!.toFixed(1)}, hydration ${hydrate.seconds.toFixed(1)} s, mirror RSS +${hydrate.rssDeltaMb.toFixed(0)} MB`,
      );
    } finally {
      await stopNeo4j?.();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  printTable(['store', 'import rate', 'import time', 'hydration', 'mirror RSS Δ', 'mirror heap', 'seq', 'check'], rows);
  if (rows.length === 2) {
    const [a, b] = rows.map((r) => Number(r[1]!.replace(/[^0-9.]/g, '')) * (r[1]!.includes('k/s') ? 1000 : 1));
    console.log(`sqlite / neo4j import-rate ratio: ${(a! / b!).toFixed(1)}×`);
  }
}

export function rate(n: number, seconds: number): string {
  const r = n / seconds;
  return r >= 1000 ? `${(r / 1000).toFixed(1)}k` : r.toFixed(0);
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
}
