/**
 * ITSM commands: `cmdb incident …`, `cmdb correlate`, `cmdb problem …`, `cmdb kb …`, `cmdb sla …`.
 * Each opens the CMDB (via `openCmdb` of api/cli.ts unless another opener is given), parses its
 * input with the same zod schemas as the HTTP API, prints human output or JSON with `--json`, and
 * closes the store. Errors are typed engine errors: the CLI's `main` prints them.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Cmdb } from '../../engine/cmdb.ts';
import { InputError, zodIssues } from '../../engine/errors.ts';
import type { CorrelationResult } from '../../engine/correlation/index.ts';
import { AlertEvidence, IncidentCreate, IncidentTransitionInput, Instant } from '../../engine/incidents/index.ts';
import { ArticleCreate } from '../../engine/knowledge/index.ts';
import { ProblemTransitionInput } from '../../engine/problems/index.ts';
import { itsmServices, type ItsmServices } from '../routes/itsm.ts';

type Opener = () => Promise<Cmdb>;

const defaultOpen: Opener = async () => (await import('../cli.ts')).openCmdb();

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(`${what}: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'invalid'}`.trim(), zodIssues(parsed.error.issues));
  return parsed.data;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${what}: cannot read "${file}": ${(err as Error).message}`);
  }
}

const actorOption = (c: Command) => c.option('--actor <name>', 'who is acting (recorded in the event log)', process.env.USER ?? 'cli');

async function withItsm<T>(open: Opener, fn: (s: ItsmServices, cmdb: Cmdb) => Promise<T>): Promise<T> {
  const cmdb = await open();
  try {
    return await fn(itsmServices(cmdb), cmdb);
  } finally {
    await cmdb.close();
  }
}

export const CorrelateFile = z
  .object({ incidents: z.array(z.object({ id: z.string().min(1), cis: z.array(z.string().min(1)).min(1), openedAt: Instant, ...AlertEvidence }).strict()) })
  .strict();

export function printCorrelation(r: CorrelationResult): void {
  if (r.groups.length === 0) console.log('no common cause found');
  r.groups.forEach((g, i) => {
    console.log(`group ${i + 1}: ${g.incidents.length} incidents (${g.start} … ${g.end}), confidence ${g.confidence}, ${g.basis.replace('_', ' ')}`);
    if (g.ambiguity) console.log(`  ambiguous: ${g.ambiguity.note}`);
    for (const c of g.candidates) {
      const f = c.factors.map((x) => `${x.signal} ${x.contribution >= 0 ? '+' : ''}${x.contribution}`).join(', ');
      console.log(`  ${c.id.padEnd(28)} ${String(c.score).padStart(9)}  ${f}`);
    }
  });
  if (r.unexplained.length > 0) console.log(`unexplained: ${r.unexplained.join(', ')}`);
  if (r.unknownCis.length > 0) console.log(`no known CI: ${r.unknownCis.join(', ')}`);
}

export function itsmCommands(open: Opener = defaultOpen): Command[] {
  const incident = new Command('incident').description('log, list and move incidents');
  actorOption(
    incident
      .command('create')
      .description('log an incident on one or more CIs')
      .requiredOption('--title <text>')
      .requiredOption('--ci <id...>', 'affected CIs')
      .option('--impact <level>', 'high | medium | low', 'medium')
      .option('--urgency <level>', 'high | medium | low', 'medium')
      .option('--category <name>')
      .option('--subcategory <name>')
      .option('--group <name>', 'assignment group')
      .option('--assignee <name>')
      .option('--opened-at <iso>')
      .option('--outage-start <iso>', 'mark as an outage from this time')
      .option('--json'),
  ).action(async (o: Record<string, string | string[] | boolean | undefined> & { actor: string }) => {
    const input = parse(IncidentCreate, { title: o.title, cis: o.ci, impact: o.impact, urgency: o.urgency, category: o.category, subcategory: o.subcategory, assignmentGroup: o.group, assignee: o.assignee, openedAt: o.openedAt, outage: o.outageStart ? { start: o.outageStart } : undefined }, 'incident create');
    const inc = await withItsm(open, (s) => s.incidents.create(input, { name: o.actor, role: 'engineer' }));
    if (o.json) print(inc);
    else {
      console.log(`${inc.id} ${inc.priority} ${inc.state}: ${inc.title}`);
      for (const k of inc.knownErrors) console.log(`  known error ${k.problem} (root cause ${k.rootCause}): ${k.workaround}`);
    }
  });
  incident
    .command('list')
    .option('--open', 'only open incidents')
    .option('--ci <id>')
    .option('--json')
    .action(async (o: { open?: boolean; ci?: string; json?: boolean }) => {
      const { items } = await withItsm(open, (s) => s.incidents.list({ open: o.open, ci: o.ci, limit: 1000 }));
      if (o.json) print(items);
      else for (const i of items) console.log(`${i.id} ${i.priority} ${i.state.padEnd(11)} ${i.cis.join(',')}  ${i.title}`);
    });
  incident
    .command('show')
    .argument('<id>')
    .option('--json')
    .action(async (id: string, o: { json?: boolean }) => {
      const out = await withItsm(open, async (s) => ({ incident: await s.incidents.get(id), sla: await s.sla.incident(id), suggestions: await s.knowledge.suggestionsFor(id) }));
      print(out);
      void o;
    });
  actorOption(
    incident
      .command('transition')
      .argument('<id>')
      .argument('<to>', 'new state')
      .option('--reason <text>')
      .option('--code <code>', 'resolution code (to resolved)')
      .option('--notes <text>', 'resolution notes')
      .option('--assignee <name>')
      .option('--group <name>')
      .option('--json'),
  ).action(async (id: string, to: string, o: Record<string, string | boolean | undefined> & { actor: string }) => {
    const input = parse(IncidentTransitionInput, { to, reason: o.reason, assignee: o.assignee, assignmentGroup: o.group, resolution: o.code ? { code: o.code, notes: o.notes ?? '' } : undefined }, 'incident transition');
    const inc = await withItsm(open, (s) => s.incidents.transition(id, input, { name: o.actor, role: 'engineer' }));
    if (o.json) print(inc);
    else console.log(`${inc.id} → ${inc.state}`);
  });

  const correlate = new Command('correlate')
    .description('rank common root causes of incidents and group them')
    .option('--open', 'correlate every open incident in the store (default)')
    .option('--incidents <file>', 'JSON {"incidents":[{"id","cis":[…],"openedAt"}]} correlated against the CIs in the store')
    .option('--window <duration>', 'incidents further apart start a new cluster', '30m')
    .option('--json')
    .action(async (o: { incidents?: string; window: string; json?: boolean }) => {
      const list = o.incidents ? parse(CorrelateFile, readJson(o.incidents, 'correlate'), 'correlate').incidents : 'open';
      const r = await withItsm(open, (s) => s.correlation.run(list, { window: o.window }));
      if (o.json) print({ groups: r.groups.map((g) => ({ incidents: g.incidents, confidence: g.confidence, basis: g.basis, ...(g.ambiguity && { ambiguity: g.ambiguity }), candidates: g.candidates.map((c) => ({ id: c.id, score: c.score, factors: c.factors, paths: c.paths })) })), unexplained: r.unexplained });
      else printCorrelation(r);
    });

  const problem = new Command('problem').description('problems: from correlation, RCA, known errors');
  actorOption(
    problem
      .command('from-correlation')
      .description('correlate open incidents and create a problem from one group')
      .option('--group <n>', 'which group (1-based)', '1')
      .option('--root-cause <ci>', 'default: the top candidate')
      .option('--window <duration>', '', '30m')
      .option('--json'),
  ).action(async (o: { group: string; rootCause?: string; window: string; json?: boolean; actor: string }) => {
    const p = await withItsm(open, async (s) => {
      const r = await s.correlation.run('open', { window: o.window });
      const g = r.groups[Number(o.group) - 1];
      if (!g) throw new InputError(`problem from-correlation: there is no group ${o.group} (found ${r.groups.length})`);
      return s.problems.fromCorrelation({ incidents: g.incidents, candidates: g.candidates.map((c) => ({ ...c })), rootCause: o.rootCause }, { name: o.actor });
    });
    if (o.json) print(p);
    else console.log(`${p.id} ${p.state}: ${p.title} (root cause ${p.rootCause}, ${p.incidents.length} incidents)`);
  });
  problem
    .command('list')
    .option('--json')
    .action(async (o: { json?: boolean }) => {
      const { items } = await withItsm(open, (s) => s.problems.list({ limit: 1000 }));
      if (o.json) print(items);
      else for (const p of items) console.log(`${p.id} ${p.state.padEnd(13)} ${p.rootCause ?? '-'}  ${p.title}`);
    });
  problem
    .command('show')
    .argument('<id>')
    .action(async (id: string) => print(await withItsm(open, (s) => s.problems.get(id))));
  actorOption(
    problem
      .command('transition')
      .argument('<id>')
      .argument('<to>')
      .option('--workaround <text>')
      .option('--root-cause <ci>')
      .option('--reason <text>')
      .option('--json'),
  ).action(async (id: string, to: string, o: { workaround?: string; rootCause?: string; reason?: string; json?: boolean; actor: string }) => {
    const input = parse(ProblemTransitionInput, { to, workaround: o.workaround, rootCause: o.rootCause, reason: o.reason }, 'problem transition');
    const p = await withItsm(open, (s) => s.problems.transition(id, input, { name: o.actor }));
    if (o.json) print(p);
    else console.log(`${p.id} → ${p.state}${p.workaroundPublishedAt ? ` (workaround published: ${p.articles.join(', ')})` : ''}`);
  });

  const kb = new Command('kb').description('knowledge base');
  kb.command('search')
    .argument('<query...>')
    .option('--tag <tag>')
    .option('--json')
    .action(async (q: string[], o: { tag?: string; json?: boolean }) => {
      const hits = await withItsm(open, (s) => s.knowledge.search(q.join(' '), { tag: o.tag }));
      if (o.json) print(hits);
      else for (const h of hits) console.log(`${h.article.id} ${h.score.toFixed(2).padStart(7)}  ${h.article.title}`);
    });
  actorOption(
    kb
      .command('add')
      .requiredOption('--title <text>')
      .option('--body-file <file>', 'markdown body')
      .option('--tag <tag...>')
      .option('--ci <id...>')
      .option('--class <id...>')
      .option('--json'),
  ).action(async (o: { title: string; bodyFile?: string; tag?: string[]; ci?: string[]; class?: string[]; json?: boolean; actor: string }) => {
    const body = o.bodyFile ? readFileSync(o.bodyFile, 'utf8') : '';
    const input = parse(ArticleCreate, { title: o.title, body, tags: o.tag, cis: o.ci, classes: o.class }, 'kb add');
    const a = await withItsm(open, (s) => s.knowledge.create(input, { name: o.actor }));
    if (o.json) print(a);
    else console.log(`${a.id}: ${a.title}`);
  });
  kb.command('suggest')
    .argument('<incident>')
    .option('--json')
    .action(async (id: string, o: { json?: boolean }) => {
      const out = await withItsm(open, (s) => s.knowledge.suggestionsFor(id));
      if (o.json) print(out);
      else for (const x of out) console.log(`${x.article} ${x.score.toFixed(2).padStart(6)}  ${x.title}  [${x.reasons.map((r) => r.kind).join(', ')}]`);
    });

  const sla = new Command('sla').description('SLA timers and availability');
  sla
    .command('report')
    .requiredOption('--month <YYYY-MM>')
    .option('--json')
    .action(async (o: { month: string; json?: boolean }) => {
      const r = await withItsm(open, (s) => s.sla.report(o.month));
      if (o.json) return print(r);
      console.log(`availability ${r.month} (policy ${r.policyVersion})`);
      for (const x of r.services) console.log(`  ${x.service.padEnd(28)} ${x.availability.toFixed(4).padStart(9)} %  target ${x.target} %  ${x.met ? 'met' : 'MISSED'}  outage ${x.outageMinutes} min`);
      console.log(`incidents opened: ${r.incidents.total}, response breached ${r.incidents.responseBreached}, resolution breached ${r.incidents.resolutionBreached}`);
    });
  sla
    .command('open')
    .description('timers of open incidents')
    .option('--json')
    .action(async (o: { json?: boolean }) => {
      const r = await withItsm(open, (s) => s.sla.open());
      if (o.json) return print(r);
      for (const x of r) console.log(`${x.incident} ${x.priority} response ${x.response.status} resolution ${x.resolution.status} (${x.resolution.remainingMinutes} min left, ${x.resolution.clock})`);
    });

  return [incident, correlate, problem, kb, sla];
}
