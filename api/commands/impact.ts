/**
 * `cmdb impact | deps | spof`: the engineer-on-call questions from the command line, answered by
 * the impact engine over the mirror. Human output is a table; `--json` prints the engine's result
 * plus the graph `seq` it was computed on.
 */
import { Command, Option } from 'commander';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError } from '../../engine/errors.ts';
import { blastRadius, dependencies, singlePointsOfFailure, type ImpactEffect } from '../../engine/impact/index.ts';

type Open = () => Promise<Cmdb>;

interface ImpactOpts {
  mode: ImpactEffect;
  depth?: string;
  types?: string;
  env?: string;
  json?: boolean;
}

function depthOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new InputError(`--depth must be a non-negative integer, not "${value}"`);
  return Number(value);
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').filter((v) => v !== '');
}

function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function path(via: { from: string; type: string; to: string }[]): string {
  return via.map((s) => `${s.from} ${s.type} ${s.to}`).join(' · ');
}

async function withCmdb<T>(open: Open, fn: (cmdb: Cmdb) => T): Promise<T> {
  const cmdb = await open();
  try {
    return fn(cmdb);
  } finally {
    await cmdb.close();
  }
}

export function impactCommands(open: Open, write: (text: string) => void = (t) => process.stdout.write(t)): Command[] {
  const impact = new Command('impact')
    .description('blast radius: what goes down or degraded when these CIs fail')
    .argument('<cis...>', 'origin CI ids')
    .addOption(new Option('--mode <mode>', 'effect on the origins').choices(['down', 'degraded']).default('down'))
    .option('--depth <n>', 'report CIs at most N hops away (states still come from the whole graph)')
    .option('--types <types>', 'only these relationship types propagate (comma-separated): a what-if')
    .option('--env <environments>', 'report only these environments (comma-separated)')
    .option('--json', 'machine-readable output')
    .action(async (cis: string[], opts: ImpactOpts) =>
      withCmdb(open, (cmdb) => {
        const result = blastRadius(cmdb.impactIndex(), cmdb.registry, cis.map((ci) => ({ ci, effect: opts.mode })), {
          maxDepth: depthOption(opts.depth),
          relationshipTypes: list(opts.types),
          environments: list(opts.env),
        });
        if (opts.json) return write(`${JSON.stringify({ seq: cmdb.seq, ...result }, null, 2)}\n`);
        const lines = [`impact of ${cis.join(', ')} (${opts.mode}) at seq ${cmdb.seq}: ${result.counts.down} down, ${result.counts.degraded} degraded`];
        if (result.services.length > 0) {
          lines.push('', 'business services:', table(result.services.map((s) => [`  ${s.state.toUpperCase()}`, s.id, s.name, `tier ${s.criticality}`, s.owner ?? ''])));
        }
        if (result.impacted.length > 0) {
          lines.push('', 'impacted CIs:', table([['  state', 'depth', 'id', 'class', 'via'], ...result.impacted.map((c) => [`  ${c.state}`, String(c.depth), c.id, c.class, path(c.via)])]));
        }
        write(`${lines.join('\n')}\n`);
      }),
    );

  const deps = new Command('deps')
    .description('dependencies: everything this CI relies on, transitively')
    .argument('<ci>', 'CI id')
    .option('--depth <n>', 'follow at most N hops')
    .option('--types <types>', 'only these relationship types (comma-separated)')
    .option('--json', 'machine-readable output')
    .action(async (ci: string, opts: { depth?: string; types?: string; json?: boolean }) =>
      withCmdb(open, (cmdb) => {
        const result = dependencies(cmdb.impactIndex(), cmdb.registry, ci, { maxDepth: depthOption(opts.depth), relationshipTypes: list(opts.types) });
        if (opts.json) return write(`${JSON.stringify({ seq: cmdb.seq, ...result }, null, 2)}\n`);
        const rows = result.dependencies.map((d) => [`${'  '.repeat(d.depth)}${d.id}`, d.class, d.via.at(-1)?.type ?? '']);
        write(`${ci} depends on ${result.dependencies.length} CIs (seq ${cmdb.seq}):\n${table(rows)}\n`);
      }),
    );

  const spof = new Command('spof')
    .description('single points of failure: CIs whose failure alone takes this CI down')
    .argument('<ci>', 'CI id')
    .option('--types <types>', 'only these relationship types propagate (comma-separated)')
    .option('--json', 'machine-readable output')
    .action(async (ci: string, opts: { types?: string; json?: boolean }) =>
      withCmdb(open, (cmdb) => {
        const result = singlePointsOfFailure(cmdb.impactIndex(), cmdb.registry, ci, { relationshipTypes: list(opts.types) });
        if (opts.json) return write(`${JSON.stringify({ seq: cmdb.seq, ...result }, null, 2)}\n`);
        const rows = result.spofs.map((s) => [`  ${s.id}`, s.class, s.kind, path(s.via)]);
        write(`${ci} has ${result.spofs.length} single points of failure (seq ${cmdb.seq}):\n${table(rows)}\n`);
      }),
    );
  return [impact, deps, spof];
}
