/**
 * `npm run mutate [-- MODULE...] [--concurrency N]`: mutation testing of the engine's pure modules
 * with StrykerJS and its vitest runner. Each module is mutated against the tests that cover it
 * (the table below), never the Neo4j or browser suites, so one module takes minutes. Reports (HTML
 * and JSON) go outside the repo, under $TMPDIR/cmdb-mutation/<module>/; the score table printed at
 * the end is the one docs/testing.md keeps. Not part of .ci/run: too slow for every submission.
 *
 * MODULE is a key of the table (`incidents/states`) or a path (`engine/incidents/states.ts`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './neo4j.ts';

/** The tests pinning correlation's signal processors and learned history: each signal alone, then on graphs. */
const CORRELATION_SIGNAL_TESTS = [
  'test/itsm/correlation-signals.test.ts',
  'test/itsm/correlation.test.ts',
  'test/itsm/correlation-cases.test.ts',
];
/** The built-in audit rules are pinned together: each rule's passing and failing graphs, its parameters' edges. */
const AUDIT_RULE_TESTS = ['test/audit/rules.test.ts', 'test/audit/rule-findings.test.ts', 'test/audit/rule-catalogue.test.ts'];

/** Module (under engine/, without .ts) → the test files that pin its behaviour. */
export const MODULES: Record<string, readonly string[]> = {
  'changes/states': ['test/changes/states.test.ts'],
  'changes/risk': ['test/changes/risk.test.ts', 'test/changes/risk-evidence.test.ts'],
  'changes/conflicts': ['test/changes/conflicts-freezes.test.ts', 'test/changes/windows-overlap.test.ts'],
  'changes/windows': ['test/changes/conflicts-freezes.test.ts', 'test/changes/windows-overlap.test.ts'],
  'incidents/states': ['test/itsm/incident-states.test.ts'],
  'incidents/priority': ['test/itsm/priority-sla.test.ts', 'test/itsm/priority-matrix.test.ts'],
  'sla/timers': ['test/itsm/priority-sla.test.ts', 'test/itsm/sla-timers.test.ts'],
  'impact/spof': ['test/impact/dependencies-spof.test.ts', 'test/impact/paths-and-types.test.ts'],
  'impact/dependencies': ['test/impact/dependencies-spof.test.ts', 'test/impact/paths-and-types.test.ts'],
  'impact/fixpoint': [
    'test/impact/blast-radius.test.ts',
    'test/impact/via-choice.test.ts',
    'test/impact/paths-and-types.test.ts',
    'test/impact/cross-check.test.ts',
    'test/impact/report.test.ts',
  ],
  'impact/report': [
    'test/impact/blast-radius.test.ts',
    'test/impact/via-choice.test.ts',
    'test/impact/report.test.ts',
    'test/impact/paths-and-types.test.ts',
  ],
  'correlation/rank': [
    'test/itsm/correlation-rank.test.ts',
    'test/itsm/correlation-observed.test.ts',
    'test/itsm/correlation.test.ts',
    'test/itsm/correlation-cases.test.ts',
    'test/itsm/correlation-nezha.test.ts',
  ],
  'correlation/observed': [
    'test/itsm/correlation-observed.test.ts',
    'test/itsm/correlation.test.ts',
    'test/itsm/correlation-nezha.test.ts',
  ],
  'correlation/history': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/chronic-noise': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/coverage': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/distance': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/index': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/natural-root': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/own-incident': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/recent-change': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/specificity': CORRELATION_SIGNAL_TESTS,
  'correlation/signals/time-order': CORRELATION_SIGNAL_TESTS,
  'io/import': ['test/io.test.ts', 'test/io-edges.test.ts'],
  'io/export': ['test/io.test.ts', 'test/io-export.test.ts'],
  'records/records': ['test/records/records.test.ts'],
  'importers/kubernetes': [
    'test/importers/kubernetes.test.ts',
    'test/importers/kubernetes-objects.test.ts',
    'test/importers/index.test.ts',
  ],
  'importers/addresses': ['test/importers/addresses.test.ts', 'test/importers/kubernetes.test.ts'],
  'importers/backstage': ['test/importers/backstage.test.ts', 'test/importers/backstage-entities.test.ts'],
  'importers/servicenow': ['test/importers/servicenow.test.ts', 'test/importers/servicenow-csv.test.ts', 'test/importers/index.test.ts'],
  'importers/terraform': ['test/importers/terraform.test.ts', 'test/importers/terraform-state.test.ts', 'test/importers/index.test.ts'],
  'importers/reconcile': ['test/importers/reconcile.test.ts', 'test/importers/source-import.test.ts'],
  'importers/formats': ['test/importers/index.test.ts', 'test/importers/read-inputs.test.ts'],
  'store/replay': ['test/store/replay.test.ts'],
  'audit/hash-chain': ['test/audit/hash-chain.test.ts'],
  'audit/run': ['test/audit/run.test.ts', 'test/audit/scores.test.ts', 'test/audit/rules.test.ts', 'test/audit/cross-check.test.ts'],
  'audit/scores': ['test/audit/scores.test.ts', 'test/audit/cross-check.test.ts'],
  'audit/snapshot': ['test/audit/snapshot.test.ts', 'test/audit/cross-check.test.ts'],
  'audit/reconcile': [
    'test/audit/reconcile.test.ts',
    'test/audit/reconcile-input.test.ts',
    'test/audit/cross-check.test.ts',
    'test/audit/history.test.ts',
  ],
  'audit/rules/duplicate': [...AUDIT_RULE_TESTS, 'test/audit/duplicate.test.ts', 'test/audit/cross-check.test.ts'],
  'audit/rules/certificate-expiry': [...AUDIT_RULE_TESTS, 'test/audit/certificate-expiry.test.ts', 'test/audit/cross-check.test.ts'],
  'audit/rules/common': [...AUDIT_RULE_TESTS, 'test/audit/rule-file.test.ts', 'test/audit/cross-check.test.ts'],
  'audit/rule-file': ['test/audit/rule-file.test.ts', 'test/audit/rule-conditions.test.ts'],
  'audit/authorisation': ['test/audit/change-authorisation.test.ts'],
  'audit/attestation': ['test/audit/attestation-campaign.test.ts'],
  'audit/report': ['test/audit/report-formats.test.ts'],
  'audit/rules/required-attributes': [...AUDIT_RULE_TESTS, 'test/audit/cross-check.test.ts'],
  'audit/rules/missing-owner': AUDIT_RULE_TESTS,
  'audit/rules/orphan': [...AUDIT_RULE_TESTS, 'test/audit/cross-check.test.ts'],
  'audit/rules/retired-dependency': [...AUDIT_RULE_TESTS, 'test/audit/cross-check.test.ts'],
  'audit/rules/environment-crossing': [...AUDIT_RULE_TESTS, 'test/audit/cross-check.test.ts'],
  'audit/rules/dependency-cycle': AUDIT_RULE_TESTS,
  'audit/rules/stale': [...AUDIT_RULE_TESTS, 'test/audit/stale.test.ts', 'test/audit/cross-check.test.ts'],
  'audit/rules/single-point-of-failure': AUDIT_RULE_TESTS,
  'audit/rules/redundancy-underprovisioned': AUDIT_RULE_TESTS,
  'audit/rules/unsupported': AUDIT_RULE_TESTS,
  'model/identification': [
    'test/model/identification.test.ts',
    'test/audit/duplicate.test.ts',
    'test/audit/reconcile.test.ts',
    'test/audit/cross-check.test.ts',
  ],
};

function moduleKey(arg: string): string {
  const key = arg.replace(/^engine\//, '').replace(/\.ts$/, '');
  if (!(key in MODULES)) throw new Error(`mutate: unknown module "${arg}" (known: ${Object.keys(MODULES).join(', ')})`);
  return key;
}

interface Score {
  module: string;
  score: number | null;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  reportDir: string;
}

/** Mutation score as Stryker defines it: detected / (detected + undetected), ignoring errors. */
function scoreOf(reportFile: string): Omit<Score, 'module' | 'reportDir'> {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { files: Record<string, { mutants: { status: string }[] }> };
  const count: Record<string, number> = {};
  for (const file of Object.values(report.files)) for (const m of file.mutants) count[m.status] = (count[m.status] ?? 0) + 1;
  const killed = count.Killed ?? 0;
  const timeout = count.Timeout ?? 0;
  const survived = count.Survived ?? 0;
  const noCoverage = count.NoCoverage ?? 0;
  const detected = killed + timeout;
  const total = detected + survived + noCoverage;
  return { score: total === 0 ? null : (100 * detected) / total, killed, survived, noCoverage, timeout };
}

function run(key: string, concurrency: number, outRoot: string): Score {
  const reportDir = join(outRoot, key.replaceAll('/', '-'));
  mkdirSync(reportDir, { recursive: true });
  const config = {
    $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    testRunner: 'vitest',
    vitest: { configFile: 'scripts/mutation.vitest.config.ts', related: false },
    mutate: [`engine/${key}.ts`],
    coverageAnalysis: 'perTest',
    concurrency,
    reporters: ['html', 'json', 'clear-text'],
    htmlReporter: { fileName: join(reportDir, 'index.html') },
    jsonReporter: { fileName: join(reportDir, 'mutation.json') },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    timeoutMS: 20_000,
  };
  const configFile = join(reportDir, 'stryker.config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  console.error(`\n=== mutate engine/${key}.ts against ${MODULES[key]!.join(', ')}`);
  const res = spawnSync(process.execPath, [resolve(REPO_ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', configFile], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, CMDB_MUTATE_TESTS: MODULES[key]!.join(','), CMDB_SKIP_NEO4J: '1' },
  });
  if (res.status !== 0) throw new Error(`mutate: stryker failed on engine/${key}.ts (exit ${res.status})`);
  return { module: key, reportDir, ...scoreOf(join(reportDir, 'mutation.json')) };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { concurrency: { type: 'string', default: '1' }, out: { type: 'string' } },
});
const keys = positionals.length > 0 ? positionals.map(moduleKey) : Object.keys(MODULES);
const outRoot = values.out ?? join(tmpdir(), 'cmdb-mutation');
const scores = keys.map((k) => run(k, Number(values.concurrency), outRoot));
console.log('\n| module | score | killed | timeout | survived | no coverage |\n| --- | ---: | ---: | ---: | ---: | ---: |');
for (const s of scores)
  console.log(
    `| \`engine/${s.module}.ts\` | ${s.score === null ? '—' : `${s.score.toFixed(1)} %`} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} |`,
  );
console.log(`\nreports: ${outRoot}/<module>/index.html`);
