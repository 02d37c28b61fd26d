/**
 * ITSM commands: `cmdb incident …`, `cmdb correlate`, `cmdb problem …`, `cmdb kb …`, `cmdb sla …`.
 * Each opens the CMDB through the context (identified and authorised: writes need `itsm:write`,
 * reads `cmdb:read`, as over HTTP), parses its input with the same zod schemas as the HTTP API,
 * prints text — or JSON with `--json` — and closes the store. Empty answers say so. Errors are
 * typed engine errors: the CLI's `main` renders them.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../../engine/errors.ts';
import type { CorrelationResult } from '../../engine/correlation/index.ts';
import {
  AlertEvidence,
  IncidentCreate,
  observerNotObserved,
  IncidentTransitionInput,
  Instant,
  type IncidentView,
} from '../../engine/incidents/index.ts';
import { ArticleCreate } from '../../engine/knowledge/index.ts';
import { ProblemTransitionInput } from '../../engine/problems/index.ts';
import type { Permission } from '../permissions.ts';
import { parseInput, type CliContext, type Session } from './context.ts';
import { requireKnownCis } from './did-you-mean.ts';
import { refuseSelfAssertedIdentity } from './identity.ts';

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${what}: cannot read "${file}": ${(err as Error).message}`, [
      { path: ['incidents'], code: 'unreadable', message: (err as Error).message },
    ]);
  }
}

const JSON_OPTION = ['--json', 'machine-readable output'] as const;

export const CorrelateFile = z
  .object({
    incidents: z.array(
      z
        .object({ id: z.string().min(1), cis: z.array(z.string().min(1)).min(1), openedAt: Instant, ...AlertEvidence })
        .strict()
        .refine(observerNotObserved.check, observerNotObserved.message),
    ),
  })
  .strict();

export function printCorrelation(r: CorrelationResult, print: (line: string) => void): void {
  if (r.groups.length === 0) print('no common cause found');
  r.groups.forEach((g, i) => {
    print(
      `group ${i + 1}: ${g.incidents.length} incidents (${g.start} … ${g.end}), confidence ${g.confidence}, ${g.basis.replace('_', ' ')}`,
    );
    if (g.ambiguity) print(`  ambiguous: ${g.ambiguity.note}`);
    for (const c of g.candidates) {
      const f = c.factors.map((x) => `${x.signal} ${x.contribution >= 0 ? '+' : ''}${x.contribution}`).join(', ');
      print(`  ${c.id.padEnd(28)} ${String(c.score).padStart(9)}  ${f}`);
    }
  });
  if (r.unexplained.length > 0) print(`unexplained: ${r.unexplained.join(', ')}`);
  if (r.unknownCis.length > 0) print(`no known CI: ${r.unknownCis.join(', ')}`);
}

/** Text for `incident show`: the record, its SLA timers and knowledge suggestions. */
function describeIncident(
  inc: IncidentView,
  sla: {
    response: { status: string; remainingMinutes: number; clock: string };
    resolution: { status: string; remainingMinutes: number; clock: string };
  },
  suggestions: { article: string; title: string; score: number }[],
): string {
  const lines = [
    `${inc.id}  ${inc.title}`,
    `  priority ${inc.priority} (impact ${inc.impact}, urgency ${inc.urgency}), state ${inc.state}, version ${inc.version}`,
    `  CIs ${inc.cis.join(', ')}`,
    `  category ${inc.category}${inc.subcategory ? ` / ${inc.subcategory}` : ''}; reported by ${inc.reportedBy} at ${inc.openedAt}`,
    `  assigned ${inc.assignmentGroup ?? '(no group)'}${inc.assignee ? ` / ${inc.assignee}` : ''}`,
    `  SLA response ${sla.response.status} (${sla.response.remainingMinutes} min left, ${sla.response.clock}); resolution ${sla.resolution.status} (${sla.resolution.remainingMinutes} min left, ${sla.resolution.clock})`,
  ];
  if (inc.outage) lines.push(`  outage from ${inc.outage.start}${inc.outage.end ? ` to ${inc.outage.end}` : ' (ongoing)'}`);
  if (inc.problem) lines.push(`  problem ${inc.problem}`);
  if (inc.causedByChange) lines.push(`  caused by change ${inc.causedByChange}`);
  if (inc.resolution) lines.push(`  resolution ${inc.resolution.code}${inc.resolution.notes ? ` — ${inc.resolution.notes}` : ''}`);
  for (const k of inc.knownErrors) lines.push(`  known error ${k.problem} (root cause ${k.rootCause}): ${k.workaround}`);
  lines.push(
    suggestions.length === 0
      ? '  no knowledge articles suggested'
      : `  suggested articles: ${suggestions.map((x) => `${x.article} "${x.title}"`).join(', ')}`,
  );
  return lines.join('\n');
}

export function itsmCommands(ctx: CliContext): Command[] {
  const print = (line: string) => ctx.print(line);
  const run = <T>(op: string, permission: Permission, fn: (s: Session['services'], session: Session) => Promise<T>): Promise<T> =>
    ctx.withCmdb({ op, permission }, (session) => fn(session.services, session));
  const writeCommand = (c: Command) => refuseSelfAssertedIdentity(c.option(...JSON_OPTION));

  const incident = new Command('incident').description('log, list, show and move incidents');
  writeCommand(
    incident
      .command('create')
      .description('log an incident on one or more CIs (reported by you: the token holder, or local:<user>)')
      .requiredOption('--title <text>')
      .requiredOption('--ci <id...>', 'affected CIs')
      .option('--impact <level>', 'high | medium | low', 'medium')
      .option('--urgency <level>', 'high | medium | low', 'medium')
      .option('--category <name>')
      .option('--subcategory <name>')
      .option('--group <name>', 'assignment group')
      .option('--assignee <name>')
      .option('--opened-at <iso>')
      .option('--outage-start <iso>', 'mark as an outage from this time'),
  ).action(async (o: Record<string, string | string[] | boolean | undefined>) => {
    const input = parseInput(
      IncidentCreate,
      {
        title: o.title,
        cis: o.ci,
        impact: o.impact,
        urgency: o.urgency,
        category: o.category,
        subcategory: o.subcategory,
        assignmentGroup: o.group,
        assignee: o.assignee,
        openedAt: o.openedAt,
        outage: o.outageStart ? { start: o.outageStart } : undefined,
      },
      'incident create',
    );
    const inc = await run('incident create', 'itsm:write', (s, { cmdb, actor }) => {
      const g = cmdb.mirror.graph;
      requireKnownCis(
        'incident create',
        input.cis,
        (id) => g.hasNode(id),
        () => g.nodes(),
      );
      return s.incidents.create(input, actor);
    });
    if (o.json) return ctx.json(inc);
    print(`${inc.id} ${inc.priority} ${inc.state}: ${inc.title}`);
    for (const k of inc.knownErrors) print(`  known error ${k.problem} (root cause ${k.rootCause}): ${k.workaround}`);
  });
  incident
    .command('list')
    .option('--open', 'only open incidents')
    .option('--ci <id>', 'only incidents on this CI')
    .option(...JSON_OPTION)
    .action(async (o: { open?: boolean; ci?: string; json?: boolean }) => {
      const { items } = await run('incident list', 'cmdb:read', (s) => s.incidents.list({ open: o.open, ci: o.ci, limit: 1000 }));
      if (o.json) return ctx.json(items);
      if (items.length === 0) return print(`no ${o.open ? 'open ' : ''}incidents${o.ci ? ` on ${o.ci}` : ''}`);
      for (const i of items) print(`${i.id} ${i.priority} ${i.state.padEnd(11)} ${i.cis.join(',')}  ${i.title}`);
    });
  incident
    .command('show')
    .argument('<id>')
    .option(...JSON_OPTION)
    .action(async (id: string, o: { json?: boolean }) => {
      const out = await run('incident show', 'cmdb:read', async (s) => ({
        incident: await s.incidents.get(id),
        sla: await s.sla.incident(id),
        suggestions: await s.knowledge.suggestionsFor(id),
      }));
      if (o.json) return ctx.json(out);
      print(describeIncident(out.incident, out.sla, out.suggestions));
    });
  writeCommand(
    incident
      .command('transition')
      .argument('<id>')
      .argument('<to>', 'new state')
      .option('--reason <text>')
      .option('--code <code>', 'resolution code (to resolved)')
      .option('--notes <text>', 'resolution notes')
      .option('--assignee <name>')
      .option('--group <name>'),
  ).action(async (id: string, to: string, o: Record<string, string | boolean | undefined>) => {
    const input = parseInput(
      IncidentTransitionInput,
      {
        to,
        reason: o.reason,
        assignee: o.assignee,
        assignmentGroup: o.group,
        resolution: o.code ? { code: o.code, notes: o.notes ?? '' } : undefined,
      },
      'incident transition',
    );
    const inc = await run('incident transition', 'itsm:write', (s, { actor }) => s.incidents.transition(id, input, actor));
    if (o.json) ctx.json(inc);
    else print(`${inc.id} → ${inc.state}`);
  });

  const correlate = new Command('correlate')
    .description('rank common root causes of incidents and group them')
    .option('--open', 'correlate every open incident in the store (default)')
    .option('--incidents <file>', 'JSON {"incidents":[{"id","cis":[…],"openedAt"}]} correlated against the CIs in the store')
    .option('--window <duration>', 'incidents further apart start a new cluster', '30m')
    .option(...JSON_OPTION)
    .action(async (o: { incidents?: string; window: string; json?: boolean }) => {
      const list = o.incidents ? parseInput(CorrelateFile, readJson(o.incidents, 'correlate'), 'correlate').incidents : 'open';
      const r = await run('correlate', 'cmdb:read', (s) => s.correlation.run(list, { window: o.window }));
      if (o.json)
        ctx.json({
          groups: r.groups.map((g) => ({
            incidents: g.incidents,
            confidence: g.confidence,
            basis: g.basis,
            ...(g.ambiguity && { ambiguity: g.ambiguity }),
            candidates: g.candidates.map((c) => ({ id: c.id, score: c.score, factors: c.factors, paths: c.paths })),
          })),
          unexplained: r.unexplained,
        });
      else printCorrelation(r, print);
    });

  const problem = new Command('problem').description('problems: from correlation, RCA, known errors');
  writeCommand(
    problem
      .command('from-correlation')
      .description('correlate open incidents and create a problem from one group')
      .option('--group <n>', 'which group (1-based)', '1')
      .option('--root-cause <ci>', 'default: the top candidate')
      .option('--window <duration>', 'incidents further apart start a new cluster', '30m'),
  ).action(async (o: { group: string; rootCause?: string; window: string; json?: boolean }) => {
    const p = await run('problem from-correlation', 'itsm:write', async (s, { actor }) => {
      const r = await s.correlation.run('open', { window: o.window });
      const g = r.groups[Number(o.group) - 1];
      if (!g)
        throw new InputError(`problem from-correlation: there is no group ${o.group} (found ${r.groups.length})`, [
          { path: ['group'], code: 'not_found', message: `1 to ${r.groups.length}` },
        ]);
      return s.problems.fromCorrelation(
        { incidents: g.incidents, candidates: g.candidates.map((c) => ({ ...c })), rootCause: o.rootCause },
        actor,
      );
    });
    if (o.json) ctx.json(p);
    else print(`${p.id} ${p.state}: ${p.title} (root cause ${p.rootCause}, ${p.incidents.length} incidents)`);
  });
  problem
    .command('list')
    .option(...JSON_OPTION)
    .action(async (o: { json?: boolean }) => {
      const { items } = await run('problem list', 'cmdb:read', (s) => s.problems.list({ limit: 1000 }));
      if (o.json) return ctx.json(items);
      if (items.length === 0) return print('no problems');
      for (const p of items) print(`${p.id} ${p.state.padEnd(13)} ${p.rootCause ?? '-'}  ${p.title}`);
    });
  problem
    .command('show')
    .argument('<id>')
    .option(...JSON_OPTION)
    .action(async (id: string, o: { json?: boolean }) => {
      const p = await run('problem show', 'cmdb:read', (s) => s.problems.get(id));
      if (o.json) return ctx.json(p);
      const lines = [
        `${p.id}  ${p.title}`,
        `  state ${p.state}, root cause ${p.rootCause ?? '(unknown)'}, created by ${p.createdBy}`,
        `  incidents ${p.incidents.join(', ') || '(none)'}`,
      ];
      if (p.workaround)
        lines.push(`  workaround${p.workaroundPublishedAt ? ` (published ${p.workaroundPublishedAt})` : ''}: ${p.workaround}`);
      if (p.changes.length) lines.push(`  changes ${p.changes.join(', ')}`);
      if (p.articles.length) lines.push(`  articles ${p.articles.join(', ')}`);
      print(lines.join('\n'));
    });
  writeCommand(
    problem
      .command('transition')
      .argument('<id>')
      .argument('<to>')
      .option('--workaround <text>')
      .option('--root-cause <ci>')
      .option('--reason <text>'),
  ).action(async (id: string, to: string, o: { workaround?: string; rootCause?: string; reason?: string; json?: boolean }) => {
    const input = parseInput(
      ProblemTransitionInput,
      { to, workaround: o.workaround, rootCause: o.rootCause, reason: o.reason },
      'problem transition',
    );
    const p = await run('problem transition', 'itsm:write', (s, { actor }) => s.problems.transition(id, input, actor));
    if (o.json) ctx.json(p);
    else print(`${p.id} → ${p.state}${p.workaroundPublishedAt ? ` (workaround published: ${p.articles.join(', ')})` : ''}`);
  });

  const kb = new Command('kb').description('knowledge base');
  kb.command('search')
    .argument('<query...>')
    .option('--tag <tag>')
    .option(...JSON_OPTION)
    .action(async (q: string[], o: { tag?: string; json?: boolean }) => {
      const query = q.join(' ');
      const hits = await run('kb search', 'cmdb:read', (s) => s.knowledge.search(query, { tag: o.tag }));
      if (o.json) return ctx.json(hits);
      if (hits.length === 0) return print(`no articles match "${query}"${o.tag ? ` with tag ${o.tag}` : ''}`);
      for (const h of hits) print(`${h.article.id} ${h.score.toFixed(2).padStart(7)}  ${h.article.title}`);
    });
  writeCommand(
    kb
      .command('add')
      .requiredOption('--title <text>')
      .option('--body-file <file>', 'markdown body')
      .option('--tag <tag...>')
      .option('--ci <id...>')
      .option('--class <id...>'),
  ).action(async (o: { title: string; bodyFile?: string; tag?: string[]; ci?: string[]; class?: string[]; json?: boolean }) => {
    let body = '';
    if (o.bodyFile) {
      try {
        body = readFileSync(o.bodyFile, 'utf8');
      } catch (err) {
        throw new InputError(`kb add: cannot read "${o.bodyFile}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, [
          { path: ['body-file'], code: 'unreadable', message: (err as Error).message },
        ]);
      }
    }
    const input = parseInput(ArticleCreate, { title: o.title, body, tags: o.tag, cis: o.ci, classes: o.class }, 'kb add');
    const a = await run('kb add', 'itsm:write', (s, { actor }) => s.knowledge.create(input, actor));
    if (o.json) ctx.json(a);
    else print(`${a.id}: ${a.title}`);
  });
  kb.command('suggest')
    .argument('<incident>')
    .option(...JSON_OPTION)
    .action(async (id: string, o: { json?: boolean }) => {
      const out = await run('kb suggest', 'cmdb:read', (s) => s.knowledge.suggestionsFor(id));
      if (o.json) return ctx.json(out);
      if (out.length === 0) return print(`no articles to suggest for ${id}`);
      for (const x of out)
        print(`${x.article} ${x.score.toFixed(2).padStart(6)}  ${x.title}  [${x.reasons.map((r) => r.kind).join(', ')}]`);
    });

  const sla = new Command('sla').description('SLA timers and availability');
  sla
    .command('report')
    .requiredOption('--month <YYYY-MM>')
    .option(...JSON_OPTION)
    .action(async (o: { month: string; json?: boolean }) => {
      const r = await run('sla report', 'cmdb:read', (s) => s.sla.report(o.month));
      if (o.json) return ctx.json(r);
      print(`availability ${r.month} (policy ${r.policyVersion})`);
      if (r.services.length === 0) print('  no business services with an availability target');
      for (const x of r.services)
        print(
          `  ${x.service.padEnd(28)} ${x.availability.toFixed(4).padStart(9)} %  target ${x.target} %  ${x.met ? 'met' : 'MISSED'}  outage ${x.outageMinutes} min`,
        );
      print(
        `incidents opened: ${r.incidents.total}, response breached ${r.incidents.responseBreached}, resolution breached ${r.incidents.resolutionBreached}`,
      );
    });
  sla
    .command('open')
    .description('timers of open incidents')
    .option(...JSON_OPTION)
    .action(async (o: { json?: boolean }) => {
      const r = await run('sla open', 'cmdb:read', (s) => s.sla.open());
      if (o.json) return ctx.json(r);
      if (r.length === 0) return print('no open incidents');
      for (const x of r)
        print(
          `${x.incident} ${x.priority} response ${x.response.status} resolution ${x.resolution.status} (${x.resolution.remainingMinutes} min left, ${x.resolution.clock})`,
        );
    });

  return [incident, correlate, problem, kb, sla];
}
