/**
 * `cmdb change …`: the change-management CLI over ChangeService (the same use cases as the HTTP
 * API). Human output by default, `--json` for machines. The caller is the verified principal of
 * ./identity.ts: a token's holder with its role, or the local user, who may draft and move
 * changes but never vote — `approve` and transitions to `approved` / `rejected` need a token.
 *
 * Register with `program.addCommand(changeCommand(ctx))`.
 */
import { Command, Option } from 'commander';
import type { Permission } from '../permissions.ts';
import {
  ApprovalInput,
  CHANGE_STATES,
  CHANGE_TYPES,
  ChangeCreate,
  ChangeListQuery,
  OUTCOMES,
  TransitionInput,
  type ChangeView,
} from '../../engine/changes/model.ts';
import type { ChangeService } from '../../engine/changes/service.ts';
import { parseInput, type CliContext } from './context.ts';
import { requireKnownCis } from './did-you-mean.ts';
import { refuseSelfAssertedIdentity } from './identity.ts';

interface CommonOpts {
  json?: boolean;
}

/** `db-01` → down, `db-01:degraded` → degraded. */
function target(value: string, previous: { ci: string; effect: string }[] = []): { ci: string; effect: string }[] {
  const i = value.lastIndexOf(':');
  const effect = i > 0 ? value.slice(i + 1) : '';
  if (['down', 'degraded', 'none'].includes(effect)) return [...previous, { ci: value.slice(0, i), effect }];
  return [...previous, { ci: value, effect: 'down' }];
}

/** Transitions that are CAB decisions: a vote by a verified principal, never the local user. */
const DECISIONS = new Set(['approved', 'rejected']);

export function changeCommand(ctx: CliContext): Command {
  const cmd = new Command('change').description('change management: create, assess, approve and track changes');

  function common(c: Command): Command {
    return refuseSelfAssertedIdentity(c.option('--json', 'machine-readable output'));
  }

  async function run<T>(
    op: string,
    opts: CommonOpts,
    access: { permission: Permission; tokenRequired?: boolean },
    work: (
      s: ChangeService,
      who: { name: string; role: string },
      has: (id: string) => boolean,
      known: () => Iterable<string>,
    ) => Promise<T>,
    human: (r: T) => string,
  ): Promise<void> {
    await ctx.withCmdb({ op, ...access }, async ({ cmdb, services, actor }) => {
      const g = cmdb.mirror.graph;
      const result = await work(
        services.changes,
        actor,
        (id) => g.hasNode(id),
        () => g.nodes(),
      );
      if (opts.json) ctx.json(result);
      else ctx.print(human(result));
    });
  }

  common(
    cmd
      .command('create')
      .description('create a draft change (requested by you: the token holder, or local:<user>)')
      .requiredOption('--title <text>', 'title')
      .addOption(new Option('--type <type>', 'change type').choices([...CHANGE_TYPES]).default('normal'))
      .option('--ci <ci[:effect]>', 'target CI, effect down (default) | degraded | none; repeatable', target, [])
      .addOption(new Option('--target <ci[:effect]>', 'deprecated: use --ci').argParser(target).default([]).hideHelp())
      .option('--start <iso>', 'window start (ISO 8601)')
      .option('--end <iso>', 'window end (ISO 8601)')
      .option('--description <text>', 'description', '')
      .option('--plan <text>', 'implementation plan', '')
      .option('--backout <text>', 'back-out plan', '')
      .option('--assignee <name>', 'assignee'),
  ).action(
    async (
      o: CommonOpts & {
        title: string;
        type: string;
        ci: { ci: string; effect: string }[];
        target: { ci: string; effect: string }[];
        start?: string;
        end?: string;
        description: string;
        plan: string;
        backout: string;
        assignee?: string;
      },
    ) => {
      if (o.target.length > 0) ctx.warn('change create: --target is deprecated; use --ci (the same flag as everywhere else)');
      const body = parseInput(
        ChangeCreate,
        {
          type: o.type,
          title: o.title,
          description: o.description,
          targets: [...o.ci, ...o.target],
          ...(o.start || o.end ? { window: { start: o.start, end: o.end } } : {}),
          implementationPlan: o.plan,
          backoutPlan: o.backout,
          ...(o.assignee ? { assignee: o.assignee } : {}),
        },
        'change create',
      );
      await run(
        'change create',
        o,
        { permission: 'changes:write' },
        (s, who, has, known) => {
          requireKnownCis(
            'change create',
            body.targets.map((t) => t.ci),
            has,
            known,
          );
          return s.create(body, who);
        },
        (c) => `created ${c.id} (${c.type}, ${c.state}): ${c.title}`,
      );
    },
  );

  common(cmd.command('show').description('show a change').argument('<id>')).action(async (id: string, o: CommonOpts) => {
    await run('change show', o, { permission: 'cmdb:read' }, (s) => s.get(id), describe);
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
    const q = parseInput(ChangeListQuery, { state: o.state, ci: o.ci, limit: o.limit, after: o.after }, 'change list');
    await run(
      'change list',
      o,
      { permission: 'cmdb:read' },
      (s) => s.list(q),
      (r) =>
        r.items
          .map((c) => `${c.id}  ${c.state.padEnd(11)} ${c.type.padEnd(9)} ${c.assessment?.risk.level ?? '-'.padEnd(8)}  ${c.title}`)
          .join('\n') || 'no changes',
    );
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
    const body = parseInput(
      TransitionInput,
      { to, reason: o.reason, ...(o.outcome || o.notes ? { review: { outcome: o.outcome, notes: o.notes ?? '' } } : {}) },
      'change transition',
    );
    const decision = DECISIONS.has(body.to);
    await run(
      `change transition to ${body.to}`,
      o,
      decision ? { permission: 'changes:approve', tokenRequired: true } : { permission: 'changes:write' },
      (s, who) => s.transition(id, body, who),
      (c) =>
        `${c.id} is now ${c.state}${c.state === 'assessed' ? `: ${c.assessment!.risk.level} risk (score ${c.assessment!.risk.score})` : ''}`,
    );
  });

  common(
    cmd
      .command('assess')
      .description('assess a change on the current graph')
      .argument('<id>')
      .option('--save', 'store the assessment in the change'),
  ).action(async (id: string, o: CommonOpts & { save?: boolean }) => {
    await run(
      o.save ? 'change assess --save' : 'change assess',
      o,
      { permission: o.save ? 'changes:write' : 'cmdb:read' },
      (s, who) => (o.save ? s.reassess(id, who) : s.assessment(id)),
      (v) => describeAssessment(v.assessment),
    );
  });

  common(
    cmd
      .command('approve')
      .description('cast a CAB vote (approve, or --reject with --reason)')
      .argument('<id>')
      .option('--reject', 'vote to reject')
      .option('--reason <text>', 'reason (required to reject)', ''),
  ).action(async (id: string, o: CommonOpts & { reject?: boolean; reason: string }) => {
    const body = parseInput(ApprovalInput, { decision: o.reject ? 'reject' : 'approve', reason: o.reason }, 'change approve');
    await run(
      'change approve',
      o,
      { permission: 'changes:approve', tokenRequired: true },
      (s, who) => s.vote(id, body, who),
      (c) => `${c.id} is ${c.state}; votes: ${c.approvals.map((a) => `${a.by} (${a.role}) ${a.decision}`).join(', ')}`,
    );
  });

  common(cmd.command('conflicts').description('conflicting changes in overlapping windows').argument('<id>')).action(
    async (id: string, o: CommonOpts) => {
      await run(
        'change conflicts',
        o,
        { permission: 'cmdb:read' },
        (s) => s.conflicts(id),
        (cs) =>
          cs.length === 0
            ? 'no conflicts'
            : cs
                .map(
                  (c) => `${c.change} (${c.state}, ${c.overlap.start} – ${c.overlap.end}): ${c.reasons.map((r) => r.message).join('; ')}`,
                )
                .join('\n'),
      );
    },
  );

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
  if (c.frozenAssessment)
    lines.push(`  approved assessment frozen at seq ${c.frozenAssessment.assessment.seq} by ${c.frozenAssessment.frozenBy}`);
  if (c.freezeOverride)
    lines.push(`  freeze override: ${c.freezeOverride.windows.join(', ')} by ${c.freezeOverride.by} (${c.freezeOverride.reason})`);
  if (c.review) lines.push(`  review: ${c.review.outcome}${c.review.notes ? ` — ${c.review.notes}` : ''}`);
  return lines.join('\n');
}

function describeAssessment(a: {
  risk: { level: string; score: number; factors: { label: string; points: number }[] };
  seq: number;
  blastRadius: { counts: { down: number; degraded: number }; services: { id: string; state: string; criticality: number }[] };
  conflicts: unknown[];
  freezes: { window: string }[];
}): string {
  const lines = [
    `risk ${a.risk.level} (score ${a.risk.score}) on graph seq ${a.seq}`,
    `  impact: ${a.blastRadius.counts.down} down, ${a.blastRadius.counts.degraded} degraded; services ${a.blastRadius.services.map((s) => `${s.id} (tier ${s.criticality}, ${s.state})`).join(', ') || 'none'}`,
    ...a.risk.factors.filter((f) => f.points > 0).map((f) => `  +${f.points}  ${f.label}`),
  ];
  if (a.freezes.length) lines.push(`  in freeze: ${a.freezes.map((f) => f.window).join(', ')}`);
  return lines.join('\n');
}
