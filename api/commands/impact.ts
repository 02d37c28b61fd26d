/**
 * `cmdb impact | deps | spof`: the engineer-on-call questions from the command line, answered by
 * the impact engine over the mirror. Human output is a table; `--json` prints the engine's result
 * plus the graph `seq` it was computed on. An unknown CI id is refused with the closest known ids.
 */
import { Command, Option } from 'commander';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError } from '../../engine/errors.ts';
import { blastRadius, dependencies, singlePointsOfFailure, type ImpactEffect } from '../../engine/impact/index.ts';
import type { CliContext } from './context.ts';
import { requireKnownCis } from './did-you-mean.ts';

interface ImpactOpts {
  mode: ImpactEffect;
  depth?: string;
  types?: string;
  env?: string;
  json?: boolean;
}

function depthOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new InputError(`option --depth: must be a non-negative integer, not "${value}"`, [
      { path: ['depth'], code: 'invalid_type', message: 'a non-negative integer' },
    ]);
  return Number(value);
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').filter((v) => v !== '');
}

function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function path(via: { from: string; type: string; to: string }[]): string {
  return via.map((s) => `${s.from} ${s.type} ${s.to}`).join(' · ');
}

export function impactCommands(ctx: CliContext): Command[] {
  const write = (text: string) => ctx.io.stdout(text);
  /** Opens the CMDB for a read, refusing unknown CI ids with suggestions before any question. */
  const withCmdb = <T>(op: string, cis: readonly string[], json: boolean | undefined, fn: (cmdb: Cmdb) => T): Promise<T> =>
    ctx.withCmdb({ op, permission: 'cmdb:read', bars: ctx.bars(json) }, async ({ cmdb }) => {
      const g = cmdb.mirror.graph;
      requireKnownCis(
        op,
        cis,
        (id) => g.hasNode(id),
        () => g.nodes(),
      );
      return fn(cmdb);
    });
  const impact = new Command('impact')
    .description('blast radius: what goes down or degraded when these CIs fail')
    .argument('<cis...>', 'origin CI ids')
    .addOption(new Option('--mode <mode>', 'effect on the origins').choices(['down', 'degraded']).default('down'))
    .option('--depth <n>', 'report CIs at most N hops away (states still come from the whole graph)')
    .option('--types <types>', 'only these relationship types propagate (comma-separated): a what-if')
    .option('--env <environments>', 'report only these environments (comma-separated)')
    .option('--json', 'machine-readable output')
    .action(async (cis: string[], opts: ImpactOpts) =>
      withCmdb('impact', cis, opts.json, (cmdb) => {
        const result = blastRadius(
          cmdb.impactIndex(),
          cmdb.registry,
          cis.map((ci) => ({ ci, effect: opts.mode })),
          {
            maxDepth: depthOption(opts.depth),
            relationshipTypes: list(opts.types),
            environments: list(opts.env),
          },
        );
        if (opts.json) return write(`${JSON.stringify({ seq: cmdb.seq, ...result }, null, 2)}\n`);
        const lines = [
          `impact of ${cis.join(', ')} (${opts.mode}) at seq ${cmdb.seq}: ${result.counts.down} down, ${result.counts.degraded} degraded`,
        ];
        if (result.impacted.length === 0) lines.push('nothing else is impacted');
        if (result.services.length > 0) {
          lines.push(
            '',
            'business services:',
            table(result.services.map((s) => [`  ${s.state.toUpperCase()}`, s.id, s.name, `tier ${s.criticality}`, s.owner ?? ''])),
          );
        }
        if (result.impacted.length > 0) {
          lines.push(
            '',
            'impacted CIs:',
            table([
              ['  state', 'depth', 'id', 'class', 'via'],
              ...result.impacted.map((c) => [`  ${c.state}`, String(c.depth), c.id, c.class, path(c.via)]),
            ]),
          );
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
      withCmdb('deps', [ci], opts.json, (cmdb) => {
        const result = dependencies(cmdb.impactIndex(), cmdb.registry, ci, {
          maxDepth: depthOption(opts.depth),
          relationshipTypes: list(opts.types),
        });
        if (opts.json) return write(`${JSON.stringify({ seq: cmdb.seq, ...result }, null, 2)}\n`);
        const rows = result.dependencies.map((d) => [`${'  '.repeat(d.depth)}${d.id}`, d.class, d.via.at(-1)?.type ?? '']);
        if (rows.length === 0) return write(`${ci} depends on nothing (seq ${cmdb.seq})\n`);
        write(`${ci} depends on ${result.dependencies.length} CIs (seq ${cmdb.seq}):\n${table(rows)}\n`);
      }),
    );

  const spof = new Command('spof')
    .description('single points of failure: CIs whose failure alone takes this CI down')
    .argument('<ci>', 'CI id')
    .option('--types <types>', 'only these relationship types propagate (comma-separated)')
    .option('--json', 'machine-readable output')
    .action(async (ci: string, opts: { types?: string; json?: boolean }) =>
      withCmdb('spof', [ci], opts.json, (cmdb) => {
        const result = singlePointsOfFailure(cmdb.impactIndex(), cmdb.registry, ci, { relationshipTypes: list(opts.types) });
        if (opts.json) return write(`${JSON.stringify({ seq: cmdb.seq, ...result }, null, 2)}\n`);
        const rows = result.spofs.map((s) => [`  ${s.id}`, s.class, s.kind, path(s.via)]);
        if (rows.length === 0) return write(`${ci} has no single point of failure (seq ${cmdb.seq})\n`);
        write(`${ci} has ${result.spofs.length} single points of failure (seq ${cmdb.seq}):\n${table(rows)}\n`);
      }),
    );
  return [impact, deps, spof];
}
