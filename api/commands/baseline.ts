/**
 * `cmdb baseline create|list|diff`: named snapshots of the whole graph at a seq and their
 * attribute-by-attribute diffs (engine/verification/baselines.ts).
 */
import { Command } from 'commander';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError } from '../../engine/errors.ts';
import { BaselineService } from '../../engine/verification/baselines.ts';
import { resolveAsOf } from '../../engine/verification/as-of.ts';

type Opener = () => Promise<Cmdb>;
const defaultOpen: Opener = async () => {
  throw new Error('audit commands: no CMDB opener given (api/cli.ts passes one)');
};

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function withBaselines<T>(open: Opener, fn: (b: BaselineService, cmdb: Cmdb) => Promise<T>): Promise<T> {
  const cmdb = await open();
  try {
    return await fn(new BaselineService(cmdb), cmdb);
  } finally {
    await cmdb.close();
  }
}

export function baselineCommand(open: Opener = defaultOpen): Command {
  const baseline = new Command('baseline').description('named snapshots of the whole graph and their diffs');
  baseline
    .command('create')
    .argument('<name>', 'baseline name (letters, digits, . _ -)')
    .option('--as-of <seqOrTime>', 'snapshot the graph as of this seq or ISO time (default now)')
    .option('--description <text>')
    .option('--actor <name>', 'who creates it (recorded in the event log)', process.env.USER ?? 'cli')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { asOf?: string; description?: string; actor: string; json?: boolean }) => {
      await withBaselines(open, async (svc, cmdb) => {
        const seq = opts.asOf === undefined ? undefined : await resolveAsOf(cmdb.store, opts.asOf);
        const b = await svc.create(name, opts.actor, {
          ...(seq !== undefined ? { seq } : {}),
          ...(opts.description ? { description: opts.description } : {}),
        });
        if (opts.json) print(b);
        else
          console.log(
            `baseline "${b.name}" at seq ${b.seq}: ${b.counts.cis} CIs, ${b.counts.relationships} relationships; content ${b.contentHash}`,
          );
      });
    });
  baseline
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withBaselines(open, async (svc) => {
        const list = await svc.list();
        if (opts.json) return print({ baselines: list });
        for (const b of list)
          console.log(
            `${b.name.padEnd(30)} seq ${String(b.seq).padStart(8)}  ${b.createdAt}  ${b.counts.cis} CIs  ${b.counts.relationships} relationships  by ${b.actor}`,
          );
      });
    });
  baseline
    .command('diff')
    .argument('<name>', 'the baseline to compare from')
    .option('--to <name>', 'compare with this baseline instead of now')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { to?: string; json?: boolean }) => {
      if (opts.to === name) throw new InputError(`baseline diff: --to names the same baseline "${name}"`);
      await withBaselines(open, async (svc) => {
        const d = await svc.diff(name, opts.to);
        if (opts.json) return print(d);
        console.log(`from "${name}" (seq ${d.from.seq}) to ${opts.to ? `"${opts.to}"` : 'now'} (seq ${d.to.seq})`);
        for (const [what, e] of [
          ['CIs', d.cis],
          ['relationships', d.relationships],
        ] as const) {
          console.log(`${what}: ${e.added.length} added, ${e.removed.length} removed, ${e.changed.length} changed`);
          for (const id of e.added) console.log(`  + ${id}`);
          for (const id of e.removed) console.log(`  - ${id}`);
          for (const c of e.changed)
            for (const f of c.fields) console.log(`  ~ ${c.id} ${f.field}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`);
        }
      });
    });
  return baseline;
}
