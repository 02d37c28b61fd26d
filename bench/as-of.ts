/**
 * `npm run bench -- as-of [--cis 100000] [--seed 7] [--runs 3] [--updates 200] [--rewrites 0]`
 *
 * As-of reads on a real SQLite store (engine/verification/past-graphs.ts): a generated CMDB is
 * imported through the write path (one event per CI and relationship), every CI is rewritten
 * `--rewrites` times (a longer history), then `--updates` single-CI writes follow. Timed, medians of `--runs`, with os.loadavg() beside each figure:
 *   1. a cold rebuild at a seq near the end, no baseline: the documents (replay the whole log from
 *      seq 0) and, apart, the throwaway mirror (built on the first graph question);
 *   2. the same seq when a graph 100 events earlier is kept (replays 100 events on a copy of it);
 *   3. a kept graph asked again (a cache hit);
 *   4. the impact index of a rebuilt graph (built on the first graph question);
 *   5. then a baseline is created 100 events before the seq (its checkpoint written to the store),
 *      and the cold rebuild is timed again: load and verify the checkpoint, replay 100 events.
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
import { BaselineService } from '../engine/verification/baselines.ts';
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
      rewrites: { type: 'string', default: '0' },
    },
  });
  const n = Number(values.cis);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-bench-as-of-'));
  const registry = Registry.load();
  const cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, 'as-of.sqlite')), registry });
  try {
    console.log(`\n=== as-of on SQLite, ${n.toLocaleString('en')} CIs (seed ${values.seed}); load ${load()}`);
    // The generated documents are built in a function so they can be collected before timing:
    // a rebuild's cost is mostly allocation, and a bench holding 100k spare documents skews the GC.
    const setup = async () => {
      const doc: { cis: unknown[]; relationships: unknown[] } = { cis: [], relationships: [] };
      for (const item of generateGraph({ cis: n, seed: Number(values.seed) })) {
        const { kind, ...row } = item;
        (kind === 'ci' ? doc.cis : doc.relationships).push(row);
      }
      const parsed = emptyImport();
      addImportDocument(parsed, 'generated', doc);
      const [, importMs] = await timed(() => importParsed(cmdb, parsed, { actor: 'bench' }));
      // A longer history: every CI rewritten `--rewrites` times (batches of 5,000), one event each.
      for (let k = 0; k < Number(values.rewrites); k++)
        for (let at = 0; at < parsed.cis.length; at += 5_000) {
          const batch = parsed.cis.slice(at, at + 5_000);
          await cmdb.apply(
            batch.map((ci) => ({ op: 'upsertCI' as const, ci: { ...ci, attributes: { ...ci.attributes, benchRewrite: k } } })),
            { actor: 'bench' },
          );
        }
      const first = parsed.cis.slice(0, Number(values.updates));
      for (const [i, ci] of first.entries())
        await cmdb.apply([{ op: 'upsertCI', ci: { ...ci, attributes: { ...ci.attributes, benchTouched: i } } }], { actor: 'bench' });
      return { importMs, updates: first.length };
    };
    const { importMs, updates } = await setup();
    const last = await cmdb.store.lastSeq();
    console.log(
      `setup: import ${(importMs / 1000).toFixed(1)} s, ${values.rewrites} rewrites of every CI, then ${updates} updates; log ends at seq ${last}; load ${load()}`,
    );

    const target = last - 1;
    const cold: number[] = [];
    const coldMirror: number[] = [];
    const warm: number[] = [];
    const hit: number[] = [];
    const index: number[] = [];
    for (let r = 0; r < runs; r++) {
      const fresh = new PastGraphs(cmdb.store, registry);
      const [g, ms] = await timed(() => fresh.graph({ seq: target }));
      cold.push(ms);
      coldMirror.push((await timed(() => g.mirror))[1]);
      hit.push((await timed(() => fresh.graph({ seq: target })))[1]);
      index.push((await timed(() => g.impactIndex()))[1]);
      const kept = new PastGraphs(cmdb.store, registry);
      await kept.graph({ seq: target - 100 });
      warm.push((await timed(() => kept.graph({ seq: target })))[1]);
      console.log(
        `  run ${r + 1}: cold documents ${cold.at(-1)!.toFixed(0)} ms + mirror ${coldMirror.at(-1)!.toFixed(0)} ms, from kept ${warm.at(-1)!.toFixed(0)} ms; load ${load()}`,
      );
    }
    console.log(`cold rebuild at seq ${target}, no baseline (replay ${target} events): ${fmt(cold)}; load ${load()}`);
    console.log(`  + its mirror (first graph question): ${fmt(coldMirror)}`);
    console.log(`rebuild from a graph kept 100 events earlier: ${fmt(warm)}; load ${load()}`);
    console.log(`kept graph asked again: ${fmt(hit)}`);
    console.log(`impact index of a rebuilt graph: ${fmt(index)}; load ${load()}`);

    const [b, createMs] = await timed(() => new BaselineService(cmdb).create('bench', 'bench', { seq: target - 100 }));
    console.log(
      `baseline at seq ${b.seq} created in ${createMs.toFixed(0)} ms; checkpoint ${(b.checkpoint!.bytes / 1e6).toFixed(1)} MB gzip'd in ${b.checkpoint!.parts} parts; load ${load()}`,
    );
    const fromBaseline: number[] = [];
    for (let r = 0; r < runs; r++) {
      const fresh = new PastGraphs(cmdb.store, registry);
      fromBaseline.push((await timed(() => fresh.graph({ seq: target })))[1]);
      if (fresh.stats.checkpointsUsed !== 1) throw new Error(`bench: the checkpoint was not used (${fresh.lastRefusal ?? 'no candidate'})`);
      console.log(`  run ${r + 1}: cold documents from the baseline checkpoint ${fromBaseline.at(-1)!.toFixed(0)} ms; load ${load()}`);
    }
    console.log(
      `cold rebuild at seq ${target} from the baseline 100 events earlier (verify, inflate, replay 100): ${fmt(fromBaseline)}; load ${load()}`,
    );
  } finally {
    await cmdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
