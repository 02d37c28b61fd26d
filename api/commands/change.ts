/**
 * `cmdb change …`: the change-management CLI over ChangeService (the same use cases as the HTTP
 * API). Human output by default, `--json` for machines. The caller acts as `--as NAME` with
 * `--role ROLE` (defaults: $USER, engineer); approving needs the role the change's risk level
 * requires, exactly as over HTTP.
 *
 * Register with `program.addCommand(changeCommand())`. The Cmdb is opened per command through
 * `openCmdb` of api/cli.ts (imported lazily to avoid an import cycle), or through `open` when given
 * (tests, embedding).
 */
import { Command, Option } from 'commander';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError, zodIssues } from '../../engine/errors.ts';
import { ChangeService } from '../../engine/changes/service.ts';
import { ApprovalInput, CHANGE_STATES, CHANGE_TYPES, ChangeCreate, ChangeListQuery, OUTCOMES, TransitionInput, type ChangeView, type Principal } from '../../engine/changes/model.ts';
import { POLICY_ROLES, loadPolicy } from '../../engine/policy/policy.ts';
import type { z } from 'zod';

export interface ChangeCommandDeps {
  /** Opens the CMDB; default: `openCmdb` of api/cli.ts with the global --store / --registry. */
  open?: () => Promise<Cmdb>;
  /** Where output goes; default stdout. */
  write?: (text: string) => void;
}

interface CommonOpts {
  json?: boolean;
  as: string;
  role: string;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(`change: invalid ${what}`, zodIssues(parsed.error.issues));
  return parsed.data;
}

/** `db-01` → down, `db-01:degraded` → degraded. */
function target(value: string, previous: { ci: string; effect: string }[] = []): { ci: string; effect: string }[] {
  const i = value.lastIndexOf(':');
  const effect = i > 0 ? value.slice(i + 1) : '';
  if (['down', 'degraded', 'none'].includes(effect)) return [...previous, { ci: value.slice(0, i), effect }];
  return [...previous, { ci: value, effect: 'down' }];
}

export function changeCommand(deps: ChangeCommandDeps = {}): Command {
  const write = deps.write ?? ((t: string) => process.stdout.write(t));
  const open = deps.open ?? (async () => (await import('../cli.ts')).openCmdb({ bars: false }));

  const cmd = new Command('change').description('change management: create, assess, approve and track changes');

  function common(c: Command): Command {
    return c
      .option('--json', 'machine-readable output')
      .option('--as <name>', 'who is acting (recorded in the event log)', process.env.USER ?? 'cli')
      .addOption(new Option('--role <role>', 'the role acting').choices([...POLICY_ROLES]).default('engineer'));
  }

  async function run<T>(opts: CommonOpts, work: (s: ChangeService, who: Principal) => Promise<T>, human: (r: T) => string): Promise<void> {
    const cmdb = await open();
    try {
      const service = new ChangeService({ cmdb, policy: loadPolicy(process.env.CMDB_POLICY || undefined) });
      const result = await work(service, { name: opts.as, role: opts.role });
      write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${human(result)}\n`);
    } finally {
      await cmdb.close();
    }
  }

  common(
    cmd
      .command('create')
      .description('create a draft change')
      .requiredOption('--title <text>', 'title')
      .addOption(new Option('--type <type>', 'change type').choices([...CHANGE_TYPES]).default('normal'))
      .option('--target <ci[:effect]>', 'target CI, effect down (default) | degraded | none; repeatable', target, [])
      .option('--start <iso>', 'window start (ISO 8601)')
      .option('--end <iso>', 'window end (ISO 8601)')
      .option('--description <text>', 'description', '')
      .option('--plan <text>', 'implementation plan', '')
      .option('--backout <text>', 'back-out plan', '')
      .option('--assignee <name>', 'assignee'),
  ).action(async (o: CommonOpts & { title: string; type: string; target: unknown[]; start?: string; end?: string; description: string; plan: string; backout: string; assignee?: string }) => {
    const body = parse(
      ChangeCreate,
      {
        type: o.type,
        title: o.title,
        description: o.description,
        targets: o.target,
        ...(o.start || o.end ? { window: { start: o.start, end: o.end } } : {}),
        implementationPlan: o.plan,
        backoutPlan: o.backout,
        ...(o.assignee ? { assignee: o.assignee } : {}),
      },
      'change',
    );
    await run(o, (s, who) => s.create(body, who), (c) => `created ${c.id} (${c.type}, ${c.state}): ${c.title}`);
  });

  common(cmd.command('show').description('show a change').argument('<id>')).action(async (id: string, o: CommonOpts) => {
    await run(o, (s) => s.get(id), describe);
  });

  common(
    cmd
      .command('list')
      .description('list changes')
      .addOption(new Option('--state <state>', 'only this state').choices([...CHANGE_STATES]))
      .option('--ci <id>', 'only changes targeting this CI')
      .option('--limit <n>', 'page size', '100')
      .option('--after <id>', 'start after this id'),
  ).action(async (o: CommonOpts & { state?: string; ci?: string; limit: string; after?: string }) => {
    const q = parse(ChangeListQuery, { state: o.state, ci: o.ci, limit: o.limit, after: o.after }, 'query');
    await run(o, (s) => s.list(q), (r) => r.items.map((c) => `${c.id}  ${c.state.padEnd(11)} ${c.type.padEnd(9)} ${c.assessment?.risk.level ?? '-'.padEnd(8)}  ${c.title}`).join('\n') || 'no changes');
  });

  common(
    cmd
      .command('transition')
      .description('move a change to another state')
      .argument('<id>')
      .argument('<to>', `target state: ${CHANGE_STATES.join(' | ')}`)
      .option('--reason <text>', 'why')
      .addOption(new Option('--outcome <outcome>', 'post-implementation review outcome (to reviewed)').choices([...OUTCOMES]))
      .option('--notes <text>', 'post-implementation review notes (to reviewed)'),
  ).action(async (id: string, to: string, o: CommonOpts & { reason?: string; outcome?: string; notes?: string }) => {
    const body = parse(TransitionInput, { to, reason: o.reason, ...(o.outcome || o.notes ? { review: { outcome: o.outcome, notes: o.notes ?? '' } } : {}) }, 'transition');
    await run(o, (s, who) => s.transition(id, body, who), (c) => `${c.id} is now ${c.state}${c.state === 'assessed' ? `: ${c.assessment!.risk.level} risk (score ${c.assessment!.risk.score})` : ''}`);
  });

  common(cmd.command('assess').description('assess a change on the current graph').argument('<id>').option('--save', 'store the assessment in the change')).action(
    async (id: string, o: CommonOpts & { save?: boolean }) => {
      await run(o, (s, who) => (o.save ? s.reassess(id, who) : s.assessment(id)), (v) => describeAssessment(v.assessment));
    },
  );

  common(
    cmd
      .command('approve')
      .description('cast a CAB vote (approve, or --reject with --reason)')
      .argument('<id>')
      .option('--reject', 'vote to reject')
      .option('--reason <text>', 'reason (required to reject)', ''),
  ).action(async (id: string, o: CommonOpts & { reject?: boolean; reason: string }) => {
    const body = parse(ApprovalInput, { decision: o.reject ? 'reject' : 'approve', reason: o.reason }, 'vote');
    await run(o, (s, who) => s.vote(id, body, who), (c) => `${c.id} is ${c.state}; votes: ${c.approvals.map((a) => `${a.by} (${a.role}) ${a.decision}`).join(', ')}`);
  });

  common(cmd.command('conflicts').description('conflicting changes in overlapping windows').argument('<id>')).action(async (id: string, o: CommonOpts) => {
    await run(o, (s) => s.conflicts(id), (cs) => (cs.length === 0 ? 'no conflicts' : cs.map((c) => `${c.change} (${c.state}, ${c.overlap.start} – ${c.overlap.end}): ${c.reasons.map((r) => r.message).join('; ')}`).join('\n')));
  });

  return cmd;
}

function describe(c: ChangeView): string {
  const lines = [
    `${c.id}  ${c.title}`,
    `  type ${c.type}, state ${c.state}, version ${c.version}`,
    `  requester ${c.requester}${c.assignee ? `, assignee ${c.assignee}` : ''}`,
    `  window ${c.window ? `${c.window.start} – ${c.window.end}` : '(none)'}`,
    `  targets ${c.targets.map((t) => `${t.ci}:${t.effect}`).join(', ') || '(none)'}`,
  ];
  if (c.assessment) lines.push(`  risk ${c.assessment.risk.level} (score ${c.assessment.risk.score}, seq ${c.assessment.seq})`);
  if (c.approvals.length) lines.push(`  votes ${c.approvals.map((a) => `${a.by} (${a.role}) ${a.decision}`).join(', ')}`);
  if (c.frozenAssessment) lines.push(`  approved assessment frozen at seq ${c.frozenAssessment.assessment.seq} by ${c.frozenAssessment.frozenBy}`);
  if (c.freezeOverride) lines.push(`  freeze override: ${c.freezeOverride.windows.join(', ')} by ${c.freezeOverride.by} (${c.freezeOverride.reason})`);
  if (c.review) lines.push(`  review: ${c.review.outcome}${c.review.notes ? ` — ${c.review.notes}` : ''}`);
  return lines.join('\n');
}

function describeAssessment(a: { risk: { level: string; score: number; factors: { label: string; points: number }[] }; seq: number; blastRadius: { counts: { down: number; degraded: number }; services: { id: string; state: string; criticality: number }[] }; conflicts: unknown[]; freezes: { window: string }[] }): string {
  const lines = [
    `risk ${a.risk.level} (score ${a.risk.score}) on graph seq ${a.seq}`,
    `  impact: ${a.blastRadius.counts.down} down, ${a.blastRadius.counts.degraded} degraded; services ${a.blastRadius.services.map((s) => `${s.id} (tier ${s.criticality}, ${s.state})`).join(', ') || 'none'}`,
    ...a.risk.factors.filter((f) => f.points > 0).map((f) => `  +${f.points}  ${f.label}`),
  ];
  if (a.freezes.length) lines.push(`  in freeze: ${a.freezes.map((f) => f.window).join(', ')}`);
  return lines.join('\n');
}
