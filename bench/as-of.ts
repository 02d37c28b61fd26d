/**
 * `npm run bench -- as-of [--cis 100000] [--seed 7] [--runs 3] [--updates 200]`
 *
 * As-of reads on a real SQLite store (engine/verification/past-graphs.ts): a generated CMDB is
 * imported through the write path (one event per CI and relationship), then `--updates` single-CI
 * writes follow. Timed, medians of `--runs`, with os.loadavg() beside each figure:
 *   1. a cold rebuild at a seq near the end (replays the whole log from seq 0, builds the mirror);
 *   2. the same seq when a graph 100 events earlier is kept (the checkpoint case: replays 100 events
 *      on a copy of the kept snapshot, builds the mirror);
 *   3. a kept graph asked again (a cache hit);
 *   4. the impact index of a rebuilt graph (built on the first graph question).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { addImportDocument, emptyImport, importParsed } from '../engine/io/import.ts';
import { PastGraphs } from '../engine/verification/past-graphs.ts';
import { generateGraph } from '../fixtures/generate.ts';

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`;

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cis: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '7' },
      runs: { type: 'string', default: '3' },
      updates: { type: 'string', default: '200' },
    },
  });
  const n = Number(values.cis);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-bench-as-of-'));
  const registry = Registry.load();
  const cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, 'as-of.sqlite')), registry });
  try {
    console.log(`\n=== as-of on SQLite, ${n.toLocaleString('en')} CIs (seed ${values.seed}); load ${load()}`);
    const doc: { cis: unknown[]; relationships: unknown[] } = { cis: [], relationships: [] };
    for (const item of generateGraph({ cis: n, seed: Number(values.seed) })) {
      const { kind, ...row } = item;
      (kind === 'ci' ? doc.cis : doc.relationships).push(row);
    }
    const parsed = emptyImport();
    addImportDocument(parsed, 'generated', doc);
    const [, importMs] = await timed(() => importParsed(cmdb, parsed, { actor: 'bench' }));
    const first = parsed.cis.slice(0, Number(values.updates));
    for (const [i, ci] of first.entries())
      await cmdb.apply([{ op: 'upsertCI', ci: { ...ci, attributes: { ...ci.attributes, benchTouched: i } } }], { actor: 'bench' });
    const last = await cmdb.store.lastSeq();
    console.log(`setup: import ${(importMs / 1000).toFixed(1)} s, then ${first.length} updates; log ends at seq ${last}; load ${load()}`);

    const target = last - 1;
    const cold: number[] = [];
    const warm: number[] = [];
    const hit: number[] = [];
    const index: number[] = [];
    for (let r = 0; r < runs; r++) {
      const fresh = new PastGraphs(cmdb.store, registry);
      const [g, ms] = await timed(() => fresh.graph({ seq: target }));
      cold.push(ms);
      hit.push((await timed(() => fresh.graph({ seq: target })))[1]);
      index.push((await timed(() => g.impactIndex()))[1]);
      const kept = new PastGraphs(cmdb.store, registry);
      await kept.graph({ seq: target - 100 });
      warm.push((await timed(() => kept.graph({ seq: target })))[1]);
      console.log(`  run ${r + 1}: cold ${cold.at(-1)!.toFixed(0)} ms, from kept ${warm.at(-1)!.toFixed(0)} ms; load ${load()}`);
    }
    console.log(`cold rebuild at seq ${target} (replay ${target} events + mirror): ${fmt(cold)}; load ${load()}`);
    console.log(`rebuild from a graph kept 100 events earlier: ${fmt(warm)}; load ${load()}`);
    console.log(`kept graph asked again: ${fmt(hit)}`);
    console.log(`impact index of a rebuilt graph: ${fmt(index)}; load ${load()}`);
  } finally {
    await cmdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
