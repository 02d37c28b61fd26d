/**
 * `npm run bench -- impact [--cis 100000,1000000] [--seed 7] [--runs 30] [--skip-neo4j]
 *                          [--mirror direct|sqlite] [--neo4j-heap 3g] [--neo4j-batch 50000]
 *                          [--neo4j-budget-min 15] [--series-budget-s 60] [--cypher-member-hops 3]`
 *
 * Blast-radius latency at scale, per graph size, for two origins — a typical CI (the median
 * impact set among 50 sampled VMs / applications) and the biggest shared hub (DNS zone, identity
 * provider or shared database) — measured four ways in the same process:
 *
 *   1. mirror `blastRadius` on the impact index (full report: states, depths, via paths, services);
 *   2. mirror `computeImpact` (the core fixpoint only, no report), and `reportImpact` alone on one
 *      precomputed core (the report only) — the two halves of 1;
 *   3. Cypher on a throwaway Neo4j loaded through `Neo4jStore.apply`: the reachability set of
 *      dependents (see `reachQuery`) — reachability only, no down/degraded states, so a generous
 *      baseline; the counts are checked against the mirror's;
 *   4. `plainImpactStates`: the same two passes walked directly on graphology (the plain approach).
 *
 * Each series is warmed up first, then timed with `performance.now()` for `--runs` runs (fewer if
 * a series exceeds `--series-budget-s`; the count run is printed). p99 is nearest-rank: with 30
 * runs it is the slowest run. GC pauses observed during each series are printed beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import Graph from 'graphology';
import neo4j, { type Driver } from 'neo4j-driver';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import type { CI } from '../engine/model/ci.ts';
import type { Relationship } from '../engine/model/relationship.ts';
import { SharedAttrs } from '../engine/mirror/shared-attrs.ts';
import { useDictionaryAdjacency } from '../engine/mirror/dictionary-adjacency.ts';
import type { EdgeAttrs, MirrorGraph, NodeAttrs } from '../engine/mirror/types.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { Neo4jStore } from '../engine/store/neo4j-store.ts';
import { relType } from '../engine/store/neo4j-cypher.ts';
import { emptyImport, addImportDocument, importParsed, type ParsedImport } from '../engine/io/import.ts';
import type { Mutation } from '../engine/store/port.ts';
import {
  blastRadius,
  buildImpactIndex,
  computeImpact,
  reportImpact,
  resolveOrigins,
  typeMask,
  type ImpactIndex,
  type ImpactOrigin,
} from '../engine/impact/index.ts';
import { generateGraph } from '../fixtures/generate.ts';
import { plainImpactStates } from './plain-impact.ts';
import { startNeo4j, freePort, type RunningNeo4j } from '../scripts/neo4j.ts';
import { printTable } from './load.ts';

const { MultiDirectedGraph } = Graph;

// A forced GC before memory readings; the bench script does not pass --expose-gc.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** GC pauses seen by this process (PerformanceObserver 'gc' entries), summed per series. */
const gcTotals = { count: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcTotals.count++;
    gcTotals.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

/** The classes a "typical" origin is sampled from, and the hub classes (plus the shared databases). */
const TYPICAL_CLASSES = new Set(['VirtualMachine', 'Application']);
const HUB_CLASSES = new Set(['DnsZone', 'IdentityProvider']);
const SHARED_DBS = new Set(['db-000000', 'db-000001', 'db-000002']);
const SAMPLE = 50;
/** A Cypher query slower than this fails the series instead of hanging the benchmark. */
const CYPHER_TIMEOUT_MS = 300_000;

/** Targets (DESIGN.md performance goals), reported against the 1M figures. */
const TARGET_HUB_MS = 150;
const TARGET_TYPICAL_MS = 2;
const TARGET_VS_CYPHER = 50;

interface Options {
  seed: number;
  runs: number;
  skipNeo4j: boolean;
  mirror: 'direct' | 'sqlite';
  neo4jHeap: string;
  neo4jBatch: number;
  neo4jBudgetMs: number;
  seriesBudgetMs: number;
  memberHops: number;
}

interface Series {
  n: number;
  median: number;
  p99: number;
  min: number;
  first: number;
  gcCount: number;
  gcMs: number;
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cis: { type: 'string', default: '100000,1000000' },
      seed: { type: 'string', default: '7' },
      runs: { type: 'string', default: '30' },
      'skip-neo4j': { type: 'boolean', default: false },
      mirror: { type: 'string', default: 'direct' },
      'neo4j-heap': { type: 'string', default: '3g' },
      'neo4j-batch': { type: 'string', default: '50000' },
      'neo4j-budget-min': { type: 'string', default: '15' },
      'series-budget-s': { type: 'string', default: '60' },
      'cypher-member-hops': { type: 'string', default: '3' },
    },
  });
  const sizes = values.cis.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 500))
    throw new Error(`bench impact: --cis "${values.cis}" must be integers ≥ 500, comma-separated`);
  if (values.mirror !== 'direct' && values.mirror !== 'sqlite')
    throw new Error(`bench impact: --mirror "${values.mirror}" must be direct or sqlite`);
  const opts: Options = {
    seed: Number(values.seed),
    runs: Math.max(1, Number(values.runs)),
    skipNeo4j: values['skip-neo4j'],
    mirror: values.mirror,
    neo4jHeap: values['neo4j-heap'],
    neo4jBatch: Math.max(1, Number(values['neo4j-batch'])),
    neo4jBudgetMs: Number(values['neo4j-budget-min']) * 60_000,
    seriesBudgetMs: Number(values['series-budget-s']) * 1000,
    memberHops: Math.max(0, Number(values['cypher-member-hops'])),
  };
  console.log(
    `impact benchmark: sizes ${sizes.map((n) => n.toLocaleString('en')).join(', ')}, seed ${opts.seed}, ${opts.runs} runs, node ${process.version}, ${availableParallelism()} CPUs, load ${loadText()}`,
  );
  for (const cis of sizes) {
    await runSize(cis, opts);
    gc();
  }
}

async function runSize(cis: number, opts: Options): Promise<void> {
  const registry = Registry.load();
  const loadBefore = loadText();
  gc();
  const base = process.memoryUsage();
  console.log(`\n=== ${cis.toLocaleString('en')} CIs (load ${loadBefore}) ===`);

  let t = performance.now();
  let parsed: ParsedImport | undefined = generateParsed(cis, opts.seed);
  const elements = parsed.cis.length + parsed.relationships.length;
  console.log(
    `generated + zod-parsed ${parsed.cis.length.toLocaleString('en')} CIs + ${parsed.relationships.length.toLocaleString('en')} relationships in ${secs(t)}`,
  );

  // (a) the mirror.
  t = performance.now();
  let cmdb: Cmdb | undefined;
  let sqliteDir: string | undefined;
  let graph: MirrorGraph;
  if (opts.mirror === 'sqlite') {
    // The real write path: import into SQLite; the mirror advances from the committed events.
    sqliteDir = mkdtempSync(join(tmpdir(), 'cmdb-bench-impact-'));
    cmdb = await Cmdb.open({ store: new SqliteStore(join(sqliteDir, 'bench.sqlite')), registry });
    await importParsed(cmdb, parsed, { actor: 'bench' });
    graph = cmdb.mirror.graph;
  } else {
    // The graph the mirror hydrates, built with its own attribute mappers and adjacency objects (no
    // store round trip).
    useDictionaryAdjacency();
    graph = new MultiDirectedGraph<NodeAttrs, EdgeAttrs>({ allowSelfLoops: false });
    const attrs = new SharedAttrs();
    for (const ci of parsed.cis) graph.addNode(ci.id, attrs.node(ci as CI));
    for (const r of parsed.relationships) graph.addEdgeWithKey(r.id, r.from, r.to, attrs.edge(r as Relationship));
  }
  console.log(
    `mirror (${opts.mirror === 'sqlite' ? 'SqliteStore import + events' : 'graphology via SharedAttrs'}): ${graph.order.toLocaleString('en')} nodes, ${graph.size.toLocaleString('en')} edges in ${secs(t)}`,
  );

  // (b) Neo4j, loaded before the timings so the mirror figures are taken with Neo4j idle.
  let neo: RunningNeo4j | undefined;
  let driver: Driver | undefined;
  let neoDir: string | undefined;
  let cypherNote = 'skipped (--skip-neo4j)';
  try {
    if (!opts.skipNeo4j) {
      neoDir = mkdtempSync(join(tmpdir(), 'cmdb-bench-impact-neo4j-'));
      t = performance.now();
      neo = await startNeo4j({
        port: await freePort(),
        dataDir: join(neoDir, 'data'),
        runDir: neoDir,
        heap: opts.neo4jHeap,
        detached: false,
      });
      console.log(`neo4j: started on ${neo.uri} (heap ${opts.neo4jHeap}) in ${secs(t)}`);
      const loaded = await loadNeo4j(neo.uri, registry, parsed, opts);
      cypherNote = loaded.note;
      console.log(`neo4j: ${loaded.note}`);
      if (loaded.ok)
        driver = neo4j.driver(neo.uri, undefined, { disableLosslessIntegers: true, logging: { level: 'error', logger: () => undefined } });
    }
    // The parsed rows are no longer needed: drop them before reading memory.
    parsed = undefined;
    if (cmdb) await cmdb.close();
    gc();
    // Built once the parsed rows are gone: with them alive every allocation-triggered full GC
    // marks gigabytes more (at 1M CIs the build then took 28 s instead of a few).
    t = performance.now();
    let index = buildImpactIndex(graph, registry, 1);
    const buildMs = performance.now() - t;
    t = performance.now();
    index = buildImpactIndex(graph, registry, 2, { previous: index });
    const rebuildMs = performance.now() - t;
    console.log(
      `impact index: first build ${ms(buildMs)}, rebuild ${ms(rebuildMs)} (numbering reused); ${index.depTarget.length.toLocaleString('en')} propagating edges, ${index.groupCount.toLocaleString('en')} redundancy groups`,
    );

    const mask = typeMask(index, undefined, 'impact');
    const impactSize = (id: string): number => {
      const core = computeImpact(index, resolveOrigins(index, [{ ci: id, effect: 'down' }]), mask);
      return core.size - core.originCount;
    };
    const typical = pickTypical(index, impactSize);
    const hub = pickHub(index, impactSize);
    console.log(
      `typical origin: ${typical.id} (${index.attrs[index.idToIndex.get(typical.id)!]!.class}), ${typical.impacted.toLocaleString('en')} impacted (median of the ${typical.nonEmpty} non-empty impact sets among ${typical.sampled} sampled VMs / applications)`,
    );
    console.log(
      `hub origin: ${hub.id} (${index.attrs[index.idToIndex.get(hub.id)!]!.class}), ${hub.impacted.toLocaleString('en')} impacted = ${pct(hub.impacted, index.n)} of the graph (largest of ${hub.candidates} hub candidates)${hub.impacted < index.n / 10 ? '  WARNING: below 10%' : ''}`,
    );
    gc();
    const mem = process.memoryUsage();
    const memText = `process RSS ${mb(mem.rss)} (Δ ${mb(mem.rss - base.rss)} over the empty process), JS heap used Δ ${mb(mem.heapUsed - base.heapUsed)}, array buffers Δ ${mb(mem.arrayBuffers - base.arrayBuffers)}`;
    console.log(`mirror memory after GC (graph + index + scratch, parsed rows dropped): ${memText}`);

    const query = reachQuery(registry, opts.memberHops);
    if (driver) console.log(`Cypher:\n${query}`);
    const rows: string[][] = [];
    const ratios: string[][] = [];
    const checks: string[] = [];
    for (const [label, origin] of [
      ['typical', typical],
      ['hub', hub],
    ] as const) {
      const origins: ImpactOrigin[] = [{ ci: origin.id, effect: 'down' }];
      const resolved = resolveOrigins(index, origins);
      const full = await measureSync(() => blastRadius(index, registry, origins).impacted.length, opts.runs, 5, opts.seriesBudgetMs);
      const core = await measureSync(() => computeImpact(index, resolved, mask).size, opts.runs, 5, opts.seriesBudgetMs);
      const fixed = computeImpact(index, resolved, mask);
      const report = await measureSync(
        () => reportImpact(fixed, resolved, registry, undefined).impacted.length,
        opts.runs,
        5,
        opts.seriesBudgetMs,
      );
      const plainCount = plainImpactStates(graph, registry, origins).size - 1;
      const plain = await measureSync(() => plainImpactStates(graph, registry, origins).size, opts.runs, 2, opts.seriesBudgetMs);
      let cypher: Series | undefined;
      let cypherCount: number | undefined;
      if (driver) {
        cypherCount = await cypherReach(driver, query, origin.id);
        cypher = await measureAsync(() => cypherReach(driver!, query, origin.id), opts.runs, 5, opts.seriesBudgetMs);
      }
      const fullCount = blastRadius(index, registry, origins).impacted.length;
      checks.push(
        `${label} ${origin.id}: blastRadius ${fullCount.toLocaleString('en')}, computeImpact ${origin.impacted.toLocaleString('en')}, graphology ${plainCount.toLocaleString('en')}` +
          (cypherCount === undefined ? '' : `, Cypher ${cypherCount.toLocaleString('en')}`) +
          (fullCount === origin.impacted && plainCount === origin.impacted && (cypherCount === undefined || cypherCount === origin.impacted)
            ? '  → counts match'
            : '  → COUNTS DIFFER'),
      );
      const impacted = origin.impacted.toLocaleString('en');
      rows.push(row(label, impacted, 'mirror blastRadius (full report)', full));
      rows.push(row(label, impacted, 'mirror computeImpact (core only)', core));
      rows.push(row(label, impacted, 'mirror reportImpact (report only)', report));
      if (cypher) rows.push(row(label, impacted, 'Neo4j Cypher reachability', cypher));
      rows.push(row(label, impacted, 'graphology plainImpactStates', plain));
      ratios.push([
        label,
        cypher ? `${ratio(cypher.median, full.median)} (${ratio(cypher.p99, full.p99)} p99)` : '—',
        cypher ? ratio(cypher.median, core.median) : '—',
        `${ratio(plain.median, full.median)} (${ratio(plain.p99, full.p99)} p99)`,
        ratio(plain.median, core.median),
      ]);
      const target = label === 'hub' ? TARGET_HUB_MS : TARGET_TYPICAL_MS;
      checks.push(
        `${label} target: blastRadius median ${ms(full.median)} vs ≤ ${target} ms → ${full.median <= target ? 'met' : 'MISSED'}` +
          (cypher
            ? `; vs Cypher ${ratio(cypher.median, full.median)} vs ≥ ${TARGET_VS_CYPHER}× → ${cypher.median / full.median >= TARGET_VS_CYPHER ? 'met' : 'MISSED'}`
            : ''),
      );
    }

    console.log(
      `\nlatency, ${cis.toLocaleString('en')} CIs / ${elements.toLocaleString('en')} elements (load before ${loadBefore}, after ${loadText()}):`,
    );
    printTable(['origin', 'impacted', 'engine', 'median', 'p99', 'min', 'first call', 'runs', 'GC in series'], rows);
    console.log('\nspeed-up of the mirror (baseline median / mirror median):');
    printTable(
      ['origin', 'Cypher / blastRadius', 'Cypher / computeImpact', 'graphology / blastRadius', 'graphology / computeImpact'],
      ratios,
    );
    console.log('');
    for (const c of checks) console.log(c);
    console.log(`index build ${ms(buildMs)} (rebuild ${ms(rebuildMs)}); ${memText}; Cypher: ${cypherNote}`);
  } finally {
    await driver?.close();
    await neo?.stop();
    if (neoDir) rmSync(neoDir, { recursive: true, force: true });
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  }
}

/** Generates the graph and parses every row through the importer's zod schemas, as load.ts does. */
function generateParsed(cis: number, seed: number): ParsedImport {
  const parsed = emptyImport();
  const doc: { cis: unknown[]; relationships: unknown[] } = { cis: [], relationships: [] };
  for (const item of generateGraph({ cis, seed })) {
    const { kind, ...row } = item;
    (kind === 'ci' ? doc.cis : doc.relationships).push(row);
  }
  addImportDocument(parsed, 'generated', doc);
  return parsed;
}

/**
 * Typical origin: 50 VMs / applications evenly spaced in node order (deterministic for a seed),
 * the one with the median impact-set size among those with a non-empty one (ties by id).
 */
function pickTypical(
  index: ImpactIndex,
  impactSize: (id: string) => number,
): { id: string; impacted: number; sampled: number; nonEmpty: number } {
  const pool: string[] = [];
  for (let v = 0; v < index.n; v++) if (TYPICAL_CLASSES.has(index.attrs[v]!.class)) pool.push(index.nodeIds[v]!);
  if (pool.length === 0) throw new Error('bench impact: no VirtualMachine or Application CI to sample');
  const step = Math.max(1, Math.floor(pool.length / SAMPLE));
  const sampled: { id: string; impacted: number }[] = [];
  for (let k = 0; k < SAMPLE && k * step < pool.length; k++) {
    const id = pool[k * step]!;
    sampled.push({ id, impacted: impactSize(id) });
  }
  // Most VMs carry nothing (no process or database on them): an empty impact set says nothing
  // about latency, so the median is taken over the sampled CIs that impact at least one other.
  const nonEmpty = sampled.filter((x) => x.impacted > 0);
  const pool2 = nonEmpty.length > 0 ? nonEmpty : sampled;
  pool2.sort((a, b) => a.impacted - b.impacted || (a.id < b.id ? -1 : 1));
  return { ...pool2[Math.floor((pool2.length - 1) / 2)]!, sampled: sampled.length, nonEmpty: nonEmpty.length };
}

/** Hub origin: the largest impact set among the generator's shared hubs (DNS zones, IdPs, shared databases). */
function pickHub(index: ImpactIndex, impactSize: (id: string) => number): { id: string; impacted: number; candidates: number } {
  let best: { id: string; impacted: number } | undefined;
  let candidates = 0;
  for (let v = 0; v < index.n; v++) {
    const id = index.nodeIds[v]!;
    if (!HUB_CLASSES.has(index.attrs[v]!.class) && !SHARED_DBS.has(id)) continue;
    candidates++;
    const impacted = impactSize(id);
    if (best === undefined || impacted > best.impacted || (impacted === best.impacted && id < best.id)) best = { id, impacted };
  }
  if (best === undefined) throw new Error('bench impact: no hub candidate (DnsZone, IdentityProvider, db-00000[0-2]) in the graph');
  return { ...best, candidates };
}

/**
 * Loads the parsed graph into Neo4j through `Neo4jStore.apply` (the store's own write path, with
 * its event log), in batches of `--neo4j-batch` mutations: CIs first, then relationships. Stops when
 * the projected total exceeds `--neo4j-budget-min`; Cypher is then not measured at this size.
 */
async function loadNeo4j(uri: string, registry: Registry, parsed: ParsedImport, opts: Options): Promise<{ ok: boolean; note: string }> {
  const store = new Neo4jStore({ url: uri, relationshipTypes: registry.relationshipTypes.keys(), maxTransactionRetryTimeMs: 60_000 });
  try {
    await store.init();
    // The import's upserts, CIs first so every relationship's ends exist in an earlier batch.
    const batch: Mutation[] = [];
    for (const ci of parsed.cis) batch.push({ op: 'upsertCI', ci });
    for (const relationship of parsed.relationships) batch.push({ op: 'upsertRelationship', relationship });
    const start = performance.now();
    let done = 0;
    while (done < batch.length) {
      const chunk = batch.slice(done, done + opts.neo4jBatch);
      await store.apply(chunk, { actor: 'bench' });
      done += chunk.length;
      const elapsed = performance.now() - start;
      const projected = (elapsed / done) * batch.length;
      process.stdout.write(
        `\rneo4j import: ${done.toLocaleString('en')} / ${batch.length.toLocaleString('en')} mutations, ${(elapsed / 1000).toFixed(0)} s, projected ${(projected / 60_000).toFixed(1)} min   `,
      );
      if (done < batch.length && projected > opts.neo4jBudgetMs) {
        process.stdout.write('\n');
        return {
          ok: false,
          note: `import stopped after ${done.toLocaleString('en')} of ${batch.length.toLocaleString('en')} mutations in ${(elapsed / 1000).toFixed(0)} s: projected ${(projected / 60_000).toFixed(1)} min > budget ${opts.neo4jBudgetMs / 60_000} min; Cypher not measured at this size`,
        };
      }
    }
    process.stdout.write('\n');
    const seconds = (performance.now() - start) / 1000;
    return {
      ok: true,
      note: `imported ${batch.length.toLocaleString('en')} mutations via Neo4jStore.apply in ${Math.ceil(batch.length / opts.neo4jBatch)} transactions of ≤ ${opts.neo4jBatch.toLocaleString('en')} in ${seconds.toFixed(0)} s (${(batch.length / seconds).toFixed(0)}/s)`,
    };
  } finally {
    await store.close();
  }
}

/**
 * The impacted set in Cypher: every CI reachable from the origin along propagating relationships,
 * walking from provider to dependent. The walking direction differs per type — the provider is the
 * stored `to` end for DEPENDS_ON, RUNS_ON … (walk `<-[:T]-`) and the `from` end for MEMBER_OF (walk
 * `-[:MEMBER_OF]->`) — and Cypher 5 has no union inside a quantified path pattern nor nested
 * quantifiers. Two formulations that do not work (measured on a 5,000-CI graph):
 *   - one undirected QPP hop with `WHERE (r:T AND endNode(r) = a) OR (r:MEMBER_OF AND startNode(r) = a)`:
 *     the direction test cannot be inlined into the search, so Neo4j plans StatefulShortestPath(Into)
 *     over a Cartesian product with every node and filters whole paths afterwards (> 40 s);
 *   - any form without a selector: trail semantics enumerate every path (exponential on a hub).
 * What does work: `SHORTEST 1` over a regular pattern of directed QPPs, "dependents via `<-[:T]-`,
 * then at most one MEMBER_OF hop", repeated `memberHops` times. Neo4j runs it as one
 * breadth-first StatefulShortestPath(All) from the origin (one path per reachable CI). It is exact
 * when no dependency chain needs more than `memberHops` group hops: the benchmark checks its counts
 * against the mirror's. Nothing may constrain `d` (a `WHERE d <> o` makes the planner bind `d`
 * first and fall back to Into), so the zero-length path's `d = o` is subtracted instead.
 * Types and their provider ends come from the registry; names are validated by `relType` before
 * they are inlined (types cannot be parameters in a pattern).
 */
export function reachQuery(registry: Registry, memberHops: number): string {
  const toEnd: string[] = [];
  const fromEnd: string[] = [];
  for (const def of registry.relationshipTypes.values()) {
    if (!def.propagates) continue;
    (def.provider === 'from' ? fromEnd : toEnd).push(relType(def.type, 'bench impact'));
  }
  const down = toEnd.length > 0 ? `(()<-[:${toEnd.join('|')}]-())*` : '';
  const up = fromEnd.length > 0 ? `(()-[:${fromEnd.join('|')}]->()){0,1}` : '';
  const parts = [down];
  if (up !== '') for (let k = 0; k < memberHops; k++) parts.push(up, down);
  return [
    'MATCH (o:CI {id: $id})',
    `MATCH SHORTEST 1 (o) ${parts.filter((p) => p !== '').join(' ')} (d)`,
    // Every node reached, the origin included (length 0), once: minus the origin.
    'RETURN count(DISTINCT d) - 1 AS n',
  ].join('\n');
}

async function cypherReach(driver: Driver, query: string, id: string): Promise<number> {
  const session = driver.session({ defaultAccessMode: neo4j.session.READ });
  try {
    const res = await session.executeRead((tx) => tx.run(query, { id }), { timeout: CYPHER_TIMEOUT_MS });
    return Number(res.records[0]!.get('n'));
  } finally {
    await session.close();
  }
}

async function measureSync(fn: () => unknown, runs: number, warmup: number, budgetMs: number): Promise<Series> {
  const t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  for (let i = 1; i < warmup; i++) fn();
  const samples: number[] = [];
  await flushGcEntries();
  const gc0 = { ...gcTotals };
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
    if (samples.length >= 5 && performance.now() - start > budgetMs) break;
  }
  await flushGcEntries();
  return summarise(samples, first, gc0);
}

async function measureAsync(fn: () => Promise<unknown>, runs: number, warmup: number, budgetMs: number): Promise<Series> {
  const t0 = performance.now();
  await fn();
  const first = performance.now() - t0;
  for (let i = 1; i < warmup; i++) await fn();
  const samples: number[] = [];
  await flushGcEntries();
  const gc0 = { ...gcTotals };
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    if (samples.length >= 5 && performance.now() - start > budgetMs) break;
  }
  await flushGcEntries();
  return summarise(samples, first, gc0);
}

/** GC entries reach the observer asynchronously: let them in before reading the totals. */
function flushGcEntries(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function summarise(samples: number[], first: number, gc0: { count: number; ms: number }): Series {
  const sorted = samples.slice().sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return {
    n: sorted.length,
    median: at(0.5),
    p99: at(0.99),
    min: sorted[0]!,
    first,
    gcCount: gcTotals.count - gc0.count,
    gcMs: gcTotals.ms - gc0.ms,
  };
}

function row(origin: string, impacted: string, engine: string, s: Series): string[] {
  return [origin, impacted, engine, ms(s.median), ms(s.p99), ms(s.min), ms(s.first), String(s.n), `${s.gcCount} (${ms(s.gcMs)})`];
}

function ms(x: number): string {
  if (x < 0.1) return `${(x * 1000).toFixed(1)} µs`;
  return x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`;
}

function ratio(baseline: number, mirror: number): string {
  const r = baseline / mirror;
  return `${r >= 100 ? r.toFixed(0) : r.toFixed(1)}×`;
}

function secs(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

function pct(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1)}%`;
}

function loadText(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}
