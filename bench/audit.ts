/**
 * `npm run bench -- audit [--sizes 100000,1000000] [--seed 7] [--runs 3] [--parts rules,diff,reconcile]`
 * (`--cis` is the same option as `--sizes`; `--parts` runs only the named steps, default all three)
 *
 * The auditor's heavy operations on a generated CMDB (fixtures/generate.ts), on the mirror built
 * with the mirror's own attribute mappers (no store round trip, as `bench impact --mirror direct`):
 *   1. `runAudit` with every built-in rule (default parameters): a cold first run and `--runs` warm
 *      ones; then the same work step by step — each rule with the context runAudit builds
 *      (auditContext), and runAudit's own overhead (per-rule sorts, health scores, severity counts);
 *   2. a baseline diff: `diffSnapshots` between the graph and a copy where 1% of CIs changed an
 *      attribute, 0.1% were deleted and 0.1% added (the pure diff; rebuilding snapshots from the
 *      event log is a store scan, measured by `bench load` as hydration), cold and warm, then its
 *      CI and relationship halves apart, and (outside the total) the CI diff where no document
 *      is shared — two baselines each loaded from its own checkpoint;
 *   3. a reconciliation: `reconcile` of a discovery snapshot of every 10th CI of the server
 *      family (1% of those drifted, 0.5% unknown to the CMDB), scope = those classes, cold and
 *      warm, with each of its steps timed apart through its `phase` probe.
 * Medians of `--runs` runs, with os.loadavg() printed beside each figure (the machine is shared)
 * and the process's CPU time (user + system, GC threads included) beside the wall clock: on a
 * loaded machine the CPU time is the steadier figure;
 * the last line is the target's figure: the three warm medians together (≤ 15 s at 1M; with
 * `--parts`, the parts run).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import Graph from 'graphology';
import { Registry } from '../engine/model/registry.ts';
import type { CI } from '../engine/model/ci.ts';
import type { Relationship } from '../engine/model/relationship.ts';
import { SharedAttrs } from '../engine/mirror/shared-attrs.ts';
import { useDictionaryAdjacency } from '../engine/mirror/dictionary-adjacency.ts';
import type { EdgeAttrs, MirrorGraph, NodeAttrs } from '../engine/mirror/types.ts';
import { emptyImport, addImportDocument } from '../engine/io/import.ts';
import { buildImpactIndex, type ImpactIndex } from '../engine/impact/index.ts';
import { compileRuleSet, healthScores, runAudit, type AuditInput, type Finding } from '../engine/audit/index.ts';
import { auditContext, compareFindings, severityCounts } from '../engine/audit/run.ts';
import { diffEntities, diffSnapshots, type Snapshot } from '../engine/audit/snapshot.ts';
import { reconcile, type Discovery, type ReconcilePhase } from '../engine/audit/reconcile.ts';
import { generateGraph } from '../fixtures/generate.ts';

const { MultiDirectedGraph } = Graph;
const STAMP = '2026-06-01T00:00:00.000Z';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cis: { type: 'string', default: '100000,1000000' },
      sizes: { type: 'string' },
      seed: { type: 'string', default: '7' },
      runs: { type: 'string', default: '3' },
      parts: { type: 'string', default: 'rules,diff,reconcile' },
    },
  });
  const sizes = (values.sizes ?? values.cis).split(',').map(Number);
  const runs = Number(values.runs);
  const parts = new Set(values.parts.split(','));
  for (const p of parts) if (!['rules', 'diff', 'reconcile'].includes(p)) throw new Error(`bench audit: unknown part "${p}"`);
  for (const n of sizes) await runSize(n, Number(values.seed), runs, parts);
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sec = (x: number) => `${(x / 1000).toFixed(2)} s`;
const ms = (x: number) => `${x.toFixed(0).padStart(7)} ms`;

/** CPU time (user + system, ms) of this process: on a loaded machine it says more than the wall clock. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}

/** Wall-clock and CPU time of `fn`. */
function timeBoth<T>(fn: () => T): [T, number, number] {
  const c = cpuMs();
  const [r, wall] = time(fn);
  return [r, wall, cpuMs() - c];
}

async function runSize(n: number, seed: number, runs: number, parts: ReadonlySet<string>): Promise<void> {
  const registry = Registry.load();
  console.log(`\n=== ${n.toLocaleString('en')} CIs (seed ${seed}); load ${load()}`);
  const t = performance.now();
  const parsed = emptyImport();
  const doc: { cis: unknown[]; relationships: unknown[] } = { cis: [], relationships: [] };
  for (const item of generateGraph({ cis: n, seed })) {
    const { kind, ...row } = item;
    (kind === 'ci' ? doc.cis : doc.relationships).push(row);
  }
  addImportDocument(parsed, 'generated', doc);
  const cis: CI[] = parsed.cis.map((c) => ({ ...c, version: 1, createdAt: STAMP, updatedAt: STAMP }));
  const rels: Relationship[] = parsed.relationships.map((r) => ({ ...r, version: 1, createdAt: STAMP, updatedAt: STAMP }));
  useDictionaryAdjacency();
  const graph: MirrorGraph = new MultiDirectedGraph<NodeAttrs, EdgeAttrs>({ allowSelfLoops: false });
  const attrs = new SharedAttrs();
  for (const ci of cis) graph.addNode(ci.id, attrs.node(ci));
  for (const r of rels) graph.addEdgeWithKey(r.id, r.from, r.to, attrs.edge(r));
  // The impact index is the rules' input only: built when they run (it is part of the setup time).
  const index = parts.has('rules') ? buildImpactIndex(graph, registry) : undefined;
  console.log(
    `setup (generate, mirror${index ? ', impact index' : ''}): ${((performance.now() - t) / 1000).toFixed(1)} s; ${graph.order} nodes, ${graph.size} edges`,
  );
  const figures: { wall: number; cpu: number }[] = [];
  if (index) figures.push(benchRules(cis, graph, index, registry, runs));
  if (parts.has('diff')) figures.push(benchDiff(n, cis, rels, graph, runs));
  if (parts.has('reconcile')) figures.push(benchReconcile(cis, graph, registry, runs));
  const total = figures.reduce((s, f) => s + f.wall, 0);
  const totalCpu = figures.reduce((s, f) => s + f.cpu, 0);
  console.log(
    `TOTAL (${[...parts].join(' + ')}, warm medians): ${sec(total)} (CPU ${sec(totalCpu)}) at ${n.toLocaleString('en')} CIs${n === 1_000_000 && parts.size === 3 ? ` (target ≤ 15 s: ${total <= 15_000 ? 'met' : 'not met'})` : ''}; load ${load()}`,
  );
}

/** 1. every built-in rule: runAudit itself (cold first run, then warm runs), then the same work
 * step by step with the context runAudit builds (auditContext), so per-rule figures are what the
 * rules cost inside runAudit and its own overhead (sorts, scores, counts) shows apart. */
function benchRules(cis: CI[], graph: MirrorGraph, index: ImpactIndex, registry: Registry, runs: number): { wall: number; cpu: number } {
  const input: AuditInput = { graph, index, registry, cis, now: new Date('2026-07-01T00:00:00Z') };
  const set = compileRuleSet(undefined, registry);
  const totals: number[] = [];
  const cpus: number[] = [];
  let findings = 0;
  for (let i = 0; i <= runs; i++) {
    const [result, ms, cpu] = timeBoth(() => runAudit(input, set));
    totals.push(ms);
    cpus.push(cpu);
    findings = result.findings.length;
    console.log(`  runAudit run ${i}${i === 0 ? ' (cold)' : ''}: ${sec(ms)} (CPU ${sec(cpu)}); load ${load()}`);
  }
  const warm = totals.slice(1);
  console.log(
    `audit, all rules: warm median ${sec(median(warm))} over ${runs} runs (${warm.map(sec).join(', ')}), CPU ${sec(median(cpus.slice(1)))}, cold ${sec(totals[0]!)}; ${findings} findings; load ${load()}`,
  );
  const perRule = new Map<string, number[]>();
  const perRuleCpu = new Map<string, number[]>();
  const overhead = { sorts: [] as number[], scores: [] as number[], counts: [] as number[] };
  for (let i = 0; i < runs; i++) {
    // runAudit's own context: the id map only on demand, tables several rules share built by the first that asks.
    const ctx = auditContext(input);
    const all: Finding[] = [];
    let sortMs = 0;
    for (const rule of set.rules) {
      const [found, rms, rcpu] = timeBoth(() => rule.run(ctx));
      perRuleCpu.set(rule.id, [...(perRuleCpu.get(rule.id) ?? []), rcpu]);
      const [, sms] = time(() => found.sort(compareFindings));
      sortMs += sms;
      all.push(...found);
      const l = perRule.get(rule.id) ?? [];
      l.push(rms);
      perRule.set(rule.id, l);
    }
    overhead.sorts.push(sortMs);
    const category = new Map(set.rules.map((r) => [r.id, r.category]));
    overhead.scores.push(time(() => healthScores(cis, all, (r) => category.get(r) ?? 'compliance'))[1]);
    overhead.counts.push(time(() => severityCounts(all))[1]);
  }
  console.log(`  step by step (medians of ${runs}; load ${load()}):`);
  for (const [id, l] of perRule) console.log(`    rule ${id.padEnd(28)} ${ms(median(l))} (CPU ${ms(median(perRuleCpu.get(id)!))})`);
  for (const [step, l] of Object.entries(overhead)) console.log(`    runAudit ${step.padEnd(24)} ${ms(median(l))}`);

  return { wall: median(warm), cpu: median(cpus.slice(1)) };
}

/** 2. baseline diff. */
function benchDiff(n: number, cis: CI[], rels: Relationship[], graph: MirrorGraph, runs: number): { wall: number; cpu: number } {
  const t = performance.now();
  const a: Snapshot = { seq: 1, cis: new Map(cis.map((c) => [c.id, c])), relationships: new Map(rels.map((r) => [r.id, r])) };
  const b: Snapshot = { seq: 2, cis: new Map(a.cis), relationships: new Map(a.relationships) };
  let k = 0;
  for (const c of cis) {
    k++;
    if (k % 100 === 0) b.cis.set(c.id, { ...c, attributes: { ...c.attributes, benchTouched: k }, version: 2 });
    else if (k % 1000 === 1 && !graph.degree(c.id)) b.cis.delete(c.id);
  }
  for (let i = 0; i < n / 1000; i++) b.cis.set(`bench-new-${i}`, { ...cis[0]!, id: `bench-new-${i}` });
  console.log(`  (baseline copies prepared in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const diffs: number[] = [];
  const diffCpus: number[] = [];
  let changed = 0;
  for (let i = 0; i <= runs; i++) {
    const [d, ms, cpu] = timeBoth(() => diffSnapshots(a, b));
    diffs.push(ms);
    diffCpus.push(cpu);
    changed = d.cis.changed.length + d.cis.added.length + d.cis.removed.length;
  }
  console.log(
    `baseline diff: warm median ${sec(median(diffs.slice(1)))} (${diffs.slice(1).map(sec).join(', ')}), CPU ${sec(median(diffCpus.slice(1)))}, cold ${sec(diffs[0]!)}; ${changed} CIs differ; load ${load()}`,
  );
  // Its two halves apart (diffSnapshots is one diffEntities per map), medians of `runs`.
  for (const [name, x, y] of [
    ['CIs', a.cis, b.cis],
    ['relationships', a.relationships, b.relationships],
  ] as const) {
    const w: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < runs; i++) {
      const [, ms, cpu] = timeBoth(() => diffEntities<object>(x, y));
      w.push(ms);
      c.push(cpu);
    }
    console.log(`    diff ${name.padEnd(27)} ${ms(median(w))} (CPU ${ms(median(c))})`);
  }
  // Not in the total: the same diff where no CI document is shared (two baselines each loaded from
  // its own checkpoint, so every unchanged CI is an equal copy, not the same object).
  const u: Snapshot = { seq: 2, cis: new Map<string, CI>(), relationships: b.relationships };
  for (const [id, c] of b.cis) u.cis.set(id, JSON.parse(JSON.stringify(c)) as CI);
  const uw: number[] = [];
  const uc: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [d, ms, cpu] = timeBoth(() => diffEntities(a.cis, u.cis));
    if (d.changed.length + d.added.length + d.removed.length !== changed) throw new Error('bench diff: unshared copies answer differently');
    uw.push(ms);
    uc.push(cpu);
  }
  console.log(`    diff CIs, no document shared  ${ms(median(uw))} (CPU ${ms(median(uc))}); load ${load()}`);

  return { wall: median(diffs.slice(1)), cpu: median(diffCpus.slice(1)) };
}

/** 3. reconciliation. */
function benchReconcile(cis: CI[], graph: MirrorGraph, registry: Registry, runs: number): { wall: number; cpu: number } {
  const family = new Set(['Server', 'Hypervisor', 'KubernetesNode', 'VirtualMachine']);
  const discovered: Discovery = { source: 'bench', at: null, scope: { classes: [...family] }, cis: [], relationships: [] };
  let m = 0;
  for (const c of cis) {
    if (!family.has(c.class) || m++ % 10 !== 0) continue;
    const { version: _v, createdAt: _c, updatedAt: _u, ...data } = c;
    const drifted = m % 100 === 1 ? { ...data, attributes: { ...data.attributes, memoryGb: 4096 } } : data;
    discovered.cis.push({ data: drifted, reported: Object.keys(drifted.attributes).map((x) => `attributes.${x}`) });
    if (m % 200 === 1)
      discovered.cis.push({
        data: {
          ...data,
          id: `bench-unknown-${m}`,
          name: `unknown ${m}`,
          attributes: { serialNumber: `BENCH${m}`, hostname: `bench-${m}.example` },
        },
        reported: [],
      });
  }
  const recs: number[] = [];
  const recCpus: number[] = [];
  // Per warm run, wall and CPU time of each of reconcile's steps (its `phase` probe marks where each begins).
  const steps = new Map<string, { wall: number[]; cpu: number[] }>();
  let summary = '';
  for (let i = 0; i <= runs; i++) {
    let current: [string, number, number] | undefined;
    const close = () => {
      if (!current || i === 0) return;
      const s = steps.get(current[0]) ?? { wall: [], cpu: [] };
      s.wall.push(performance.now() - current[1]);
      s.cpu.push(cpuMs() - current[2]);
      steps.set(current[0], s);
    };
    const phase = (name: ReconcilePhase) => {
      close();
      current = [name, performance.now(), cpuMs()];
    };
    const [r, ms, cpu] = timeBoth(() => {
      const result = reconcile(discovered, cis, graph, registry, { phase });
      close();
      return result;
    });
    recs.push(ms);
    recCpus.push(cpu);
    summary = `${r.matched.length} matched, ${r.drift.length} drifted, ${r.unregistered.length} unregistered, ${r.missing.length} missing, ${r.duplicates.length} duplicates`;
  }
  console.log(
    `reconciliation of ${discovered.cis.length} discovered CIs: warm median ${sec(median(recs.slice(1)))} (${recs.slice(1).map(sec).join(', ')}), CPU ${sec(median(recCpus.slice(1)))}, cold ${sec(recs[0]!)}; ${summary}; load ${load()}`,
  );
  for (const [name, s] of steps) console.log(`    reconcile ${name.padEnd(22)} ${ms(median(s.wall))} (CPU ${ms(median(s.cpu))})`);
  return { wall: median(recs.slice(1)), cpu: median(recCpus.slice(1)) };
}
