/**
 * The auditor's commands: `cmdb audit run|report|trend|rules`, `cmdb log verify`, `cmdb history ID`.
 * Each opens the CMDB (openCmdb of api/cli.ts unless another opener is given), calls the audit
 * service (engine/verification) and prints human output or JSON with `--json`. A verification
 * that finds a problem (`--fail-on` exceeded, a broken hash chain) exits 3, like `cmdb check`.
 */
import { Command, Option } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError } from '../../engine/errors.ts';
import { failsOn, parseRuleFile, type RuleFile } from '../../engine/audit/index.ts';
import { REPORT_FORMATS, type ReportFormat } from '../../engine/audit/report.ts';
import { AuditService, type AuditRun } from '../../engine/verification/audit-service.ts';
import { entityHistory, verifyLog } from '../../engine/verification/log.ts';
import { findUnauthorised } from '../../engine/verification/unauthorised.ts';
import { AttestationService } from '../../engine/verification/attestation.ts';
import { verifyDiscovered } from '../../engine/verification/reconciliation.ts';

type Opener = () => Promise<Cmdb>;
const defaultOpen: Opener = async () => {
  throw new Error('audit commands: no CMDB opener given (api/cli.ts passes one)');
};

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function readRuleFile(path: string | undefined): RuleFile | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`audit: cannot read rule file "${path}": ${(err as Error).message}`);
  }
  return parseRuleFile(text, path);
}

export function parseClock(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new InputError(`audit: --clock "${value}" is not an ISO date or timestamp`);
  return d;
}

async function withCmdb<T>(open: Opener, fn: (cmdb: Cmdb) => Promise<T>): Promise<T> {
  const cmdb = await open();
  try {
    return await fn(cmdb);
  } finally {
    await cmdb.close();
  }
}

const actorOption = (c: Command) => c.option('--actor <name>', 'who runs it (recorded in the event log)', process.env.USER ?? 'cli');

function printRun(run: AuditRun): void {
  const s = run.summary;
  console.log(
    `audit ${run.id ?? '(not stored)'} at seq ${run.seq}: score ${s.score} (completeness ${s.completeness}, correctness ${s.correctness}, compliance ${s.compliance}) over ${s.cis} CIs`,
  );
  console.log(
    `${s.findings} findings: ${s.bySeverity.error} errors, ${s.bySeverity.warning} warnings, ${s.bySeverity.info} info; rule set ${run.ruleSetHash.slice(0, 12)}…`,
  );
  for (const f of run.findings) console.log(`  ${f.severity.padEnd(7)} ${f.rule.padEnd(28)} ${f.message}`);
}

export function auditCommands(open: Opener = defaultOpen): Command[] {
  const audit = new Command('audit').description('configuration audit: rules, health scores, reports');
  actorOption(
    audit
      .command('run')
      .description('run the audit rules over the CMDB; the run is stored (trend)')
      .option('--rules <file>', 'rule file (YAML or JSON); default the stored rules, else the built-in defaults')
      .addOption(new Option('--fail-on <level>', 'exit 3 when findings of this severity (or worse) exist').choices(['error', 'warning']))
      .option('--clock <iso>', 'audit as of this time for stale and expiry rules (default now)')
      .option('--no-store', 'do not store the run')
      .option('--json', 'machine-readable output'),
  ).action(
    async (opts: { rules?: string; failOn?: 'error' | 'warning'; clock?: string; store: boolean; json?: boolean; actor: string }) => {
      const rules = readRuleFile(opts.rules);
      const now = parseClock(opts.clock);
      await withCmdb(open, async (cmdb) => {
        const run = await new AuditService(cmdb).run({
          actor: opts.actor,
          ...(rules ? { rules, rulesSource: opts.rules } : {}),
          ...(now ? { now } : {}),
          store: opts.store,
        });
        if (opts.json) print(run);
        else printRun(run);
        if (failsOn(run, opts.failOn)) process.exitCode = 3;
      });
    },
  );
  actorOption(
    audit
      .command('report')
      .description('run the audit and write a report (HTML self-contained and printable, CSV or JSON)')
      .addOption(new Option('--format <format>', 'report format').choices([...REPORT_FORMATS]).default('html'))
      .requiredOption('--out <path>', 'file to write')
      .option('--rules <file>', 'rule file (YAML or JSON)')
      .option('--run <id>', 'render a stored run instead of running now')
      .option('--clock <iso>', 'audit as of this time (default now)')
      .option('--json', 'machine-readable output'),
  ).action(
    async (opts: { format: ReportFormat; out: string; rules?: string; run?: string; clock?: string; json?: boolean; actor: string }) => {
      const rules = readRuleFile(opts.rules);
      const now = parseClock(opts.clock);
      await withCmdb(open, async (cmdb) => {
        const service = new AuditService(cmdb);
        const run = opts.run
          ? await service.getRun(opts.run)
          : await service.run({ actor: opts.actor, ...(rules ? { rules, rulesSource: opts.rules } : {}), ...(now ? { now } : {}) });
        const { document, content } = service.report(run, opts.format);
        writeFileSync(opts.out, content);
        const sha256 = createHash('sha256').update(content).digest('hex');
        // sha256sum's format, so `sha256sum -c report.html.sha256` checks the file later.
        writeFileSync(`${opts.out}.sha256`, `${sha256}  ${opts.out.split('/').pop()}\n`);
        const out = {
          path: opts.out,
          format: opts.format,
          sha256,
          contentHash: document.contentHash,
          run: run.id,
          seq: run.seq,
          ruleSetHash: run.ruleSetHash,
          logHead: run.logHead,
          summary: run.summary,
        };
        if (opts.json) print(out);
        else
          console.log(`wrote ${opts.out} (${opts.format}, ${run.summary.findings} findings, score ${run.summary.score}); sha256 ${sha256}`);
      });
    },
  );
  audit
    .command('unauthorised')
    .description('CI and relationship events in a period that no approved change covered: who, what, when, why')
    .requiredOption('--since <iso>', 'start of the period (inclusive)')
    .option('--until <iso>', 'end of the period (exclusive; default now)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { since: string; until?: string; json?: boolean }) => {
      await withCmdb(open, async (cmdb) => {
        const r = await findUnauthorised(cmdb.store, opts.since, opts.until);
        if (opts.json) return print(r);
        console.log(
          `${r.events.length} unauthorised event${r.events.length === 1 ? '' : 's'} since ${r.since}${r.until ? ` until ${r.until}` : ''}`,
        );
        for (const e of r.events) console.log(`  ${String(e.seq).padStart(8)}  ${e.at}  ${e.reason.padEnd(22)} ${e.message}`);
      });
    });
  audit
    .command('trend')
    .description('the scores of every stored audit run, oldest first')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withCmdb(open, async (cmdb) => {
        const runs = await new AuditService(cmdb).trend();
        if (opts.json) return print({ runs });
        for (const r of runs)
          console.log(
            `${r.at}  seq ${String(r.seq).padStart(8)}  score ${String(r.summary.score).padStart(5)}  findings ${r.summary.findings}  ${r.id}`,
          );
      });
    });
  const rules = audit.command('rules').description('the stored rule file (used when `audit run` gets no --rules)');
  rules
    .command('show')
    .option('--json', 'machine-readable output')
    .action(async () => {
      await withCmdb(open, async (cmdb) => print((await new AuditService(cmdb).storedRules()) ?? null));
    });
  actorOption(rules.command('set').argument('<file>', 'rule file (YAML or JSON)')).action(async (file: string, opts: { actor: string }) => {
    const parsed = readRuleFile(file)!;
    await withCmdb(open, async (cmdb) => {
      const set = await new AuditService(cmdb).putRules(parsed, opts.actor);
      console.log(`stored ${set.rules.length} rules (rule-set hash ${set.hash})`);
    });
  });

  const log = new Command('log').description('the event log (status accounting)');
  log
    .command('verify')
    .description('check the hash chain of the whole event log; names the first event that does not match (exit 3)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withCmdb(open, async (cmdb) => {
        const r = await verifyLog(cmdb.store);
        if (opts.json) print(r);
        else if (r.ok) console.log(`ok: ${r.events} events verified on ${r.store}; head seq ${r.headSeq} hash ${r.headHash}`);
        else
          console.log(
            `BROKEN at seq ${r.firstBad!.seq} (${r.firstBad!.problem}) on ${r.store}: events up to seq ${r.headSeq} verified (head hash ${r.headHash}); the store's last seq is ${r.lastSeq}`,
          );
        if (!r.ok) process.exitCode = 3;
      });
    });

  const history = new Command('history')
    .description('every event of a CI or relationship: who changed what, when, under which change')
    .argument('<id>', 'CI or relationship id')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      await withCmdb(open, async (cmdb) => {
        const events = await entityHistory(cmdb.store, id);
        if (events.length === 0) throw new InputError(`history: no event for "${id}"`);
        if (opts.json) return print({ id, events });
        for (const e of events) {
          const fields =
            e.before && e.after
              ? changedFields(e.before as unknown as Record<string, unknown>, e.after as unknown as Record<string, unknown>)
              : [];
          console.log(
            `${String(e.seq).padStart(8)}  ${e.at}  ${e.actor.padEnd(16)} ${e.op.padEnd(6)} ${e.entity}${e.changeId ? ` change ${e.changeId}` : ''}${fields.length > 0 ? `  ${fields.join(', ')}` : ''}`,
          );
        }
      });
    });
  const attest = new Command('attest')
    .description(
      'confirm CIs still exist as recorded (verifiedAt, verifiedBy); `cmdb attest campaign` lists what to attest, most consequential first',
    )
    .argument('<cis...>', 'CI ids, or `campaign`')
    .option('--days <n>', 'campaign: CIs not verified for this many days', '90')
    .option('--actor <name>', 'who attests (recorded as verifiedBy and in the event log)', process.env.USER ?? 'cli')
    .option('--json', 'machine-readable output')
    .action(async (cis: string[], opts: { days: string; actor: string; json?: boolean }) => {
      await withCmdb(open, async (cmdb) => {
        const service = new AttestationService(cmdb);
        if (cis[0] === 'campaign' && cis.length === 1) {
          if (!/^\d+$/.test(opts.days)) throw new InputError(`attest campaign: --days must be a whole number, not "${opts.days}"`);
          const c = await service.campaign({ days: Number(opts.days) });
          if (opts.json) return print(c);
          console.log(`${c.items.length} CIs to attest (not verified for ${c.days} days), most consequential first:`);
          for (const it of c.items) {
            const down = it.takesDown.map((s) => `${s.id} (tier ${s.criticality})`).join(', ');
            console.log(
              `  ${it.id.padEnd(28)} ${String(it.owner ?? '(no owner)').padEnd(24)} ${down ? `takes down ${down}` : `supports ${it.supports.length} services`}`,
            );
          }
          return;
        }
        const r = await service.attest(cis, opts.actor);
        if (opts.json) print(r);
        else console.log(`attested ${r.attested.length} CIs at ${r.verifiedAt} (seq ${r.seq})`);
      });
    });
  const verify = new Command('verify')
    .description(
      'reconcile a discovery snapshot with the CMDB: matched, drift, unregistered, missing, duplicates, relationship drift (report only unless --apply)',
    )
    .requiredOption('--discovered <file>', 'discovery snapshot (the JSON import format plus source, at, scope)')
    .requiredOption('--source <name>', "the discovery source (must match the file's own)")
    .option('--apply', 'write the corrections in one atomic batch: the source wins for what it reports; missing CIs are only reported')
    .option('--actor <name>', 'who applies (default discovery:SOURCE)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { discovered: string; source: string; apply?: boolean; actor?: string; json?: boolean }) => {
      await withCmdb(open, async (cmdb) => {
        const r = await verifyDiscovered(cmdb, opts.discovered, {
          source: opts.source,
          ...(opts.apply ? { apply: true } : {}),
          ...(opts.actor ? { actor: opts.actor } : {}),
        });
        if (opts.json) return print(r);
        console.log(
          `${r.source}: ${r.matched.length} matched, ${r.drift.length} drifted, ${r.unregistered.length} unregistered, ${r.missing.length} missing, ${r.duplicates.length} duplicates; relationships ${r.relationships.unregistered.length} unregistered, ${r.relationships.missing.length} missing`,
        );
        for (const d of r.drift)
          for (const f of d.fields)
            console.log(`  drift       ${d.id} ${f.field}: ${JSON.stringify(f.cmdb)} → ${JSON.stringify(f.discovered)}`);
        for (const u of r.unregistered) console.log(`  unregistered ${u.discovered} (${u.class} "${u.name}")`);
        for (const m of r.missing) console.log(`  missing     ${m.id} (${m.class})`);
        for (const d of r.duplicates)
          console.log(`  duplicate   ${d.discovered} matches ${d.candidates.join(', ')} (${d.key.join(' + ')})`);
        for (const x of r.relationships.unregistered) console.log(`  + ${x.from} ${x.type} ${x.to}`);
        for (const x of r.relationships.missing) console.log(`  - ${x.from} ${x.type} ${x.to}`);
        if (r.applied)
          console.log(`applied at seq ${r.applied.seq}: ${r.applied.cis} CIs, ${r.applied.relationships} relationships written`);
      });
    });
  return [audit, log, history, attest, verify];
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const skip = new Set(['version', 'updatedAt', 'createdAt']);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !skip.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}
