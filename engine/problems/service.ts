/**
 * ProblemService: problems created by hand or from a correlation group, RCA, links, and the state
 * machine `new → investigating → known_error → resolved → closed` (back to investigating when a
 * known error or a fix turns out wrong; `closed` is final).
 *
 * Creating from correlation links every incident of the group (each incident's `problem` is set in
 * the same batch, with optimistic concurrency on each). Marking a known error requires a root-cause
 * CI and a workaround and publishes the workaround: a knowledge article (tag `known-error`, linked
 * to the problem, its root cause and its class) is written in the same batch, and from then on new
 * incidents on the root cause or anything depending on it are offered the workaround.
 */
import type { Cmdb } from '../cmdb.ts';
import { ConflictError, InputError, NotFoundError } from '../errors.ts';
import { INCIDENT_KIND, type IncidentDoc } from '../incidents/model.ts';
import { Records, viewOf } from '../records/index.ts';
import { ARTICLE_KIND, type ArticleDoc } from '../knowledge/model.ts';
import type { Mutation } from '../store/port.ts';
import {
  PROBLEM_KIND,
  TRANSITIONS,
  type ProblemCreate,
  type ProblemDoc,
  type ProblemFromCorrelation,
  type ProblemListQuery,
  type ProblemPatch,
  type ProblemState,
  type ProblemTransitionInput,
  type ProblemView,
} from './model.ts';

export interface ProblemServiceDeps {
  cmdb: Cmdb;
  now?: () => Date;
}

type Who = { name: string };

export class ProblemService {
  readonly cmdb: Cmdb;
  readonly now: () => Date;
  /** The problem records (kind `problem`, ids `PRB-000123`). */
  readonly records: Records;
  private readonly incidents: Records;
  private readonly articles: Records;

  constructor({ cmdb, now }: ProblemServiceDeps) {
    this.cmdb = cmdb;
    this.now = now ?? (() => new Date());
    this.records = new Records(cmdb, PROBLEM_KIND, 'PRB');
    this.incidents = new Records(cmdb, INCIDENT_KIND, 'INC');
    this.articles = new Records(cmdb, ARTICLE_KIND, 'KB');
  }

  async get(id: string): Promise<ProblemView> {
    return viewOf<ProblemDoc>(await this.records.load(id, { op: 'problem' }));
  }

  async list(query: ProblemListQuery): Promise<{ items: ProblemView[]; next: string | null }> {
    return this.records.list(
      query,
      (rec) => viewOf<ProblemDoc>(rec),
      (p) => (query.state === undefined || p.state === query.state) && (query.ci === undefined || p.rootCause === query.ci),
    );
  }

  async create(input: ProblemCreate, who: Who, correlation: ProblemDoc['correlation'] = null): Promise<ProblemView> {
    if (input.rootCause !== undefined && !this.cmdb.mirror.graph.hasNode(input.rootCause))
      throw new NotFoundError(`problem: root cause CI "${input.rootCause}" not found`, { ci: input.rootCause });
    const incidents = [...new Set(input.incidents)].sort();
    // Read the incidents first so a missing one refuses the whole creation.
    const recs = await Promise.all(incidents.map((id) => this.incidents.load(id, { op: 'problem' })));
    const rec = await this.records.create(
      { actor: who.name },
      (id) =>
        ({
          id,
          title: input.title,
          description: input.description,
          state: 'new',
          rootCause: input.rootCause ?? null,
          rca: { fiveWhys: [], contributingFactors: [], notes: '' },
          workaround: input.workaround ?? null,
          workaroundPublishedAt: null,
          assignee: input.assignee ?? null,
          incidents,
          changes: input.changes,
          articles: input.articles,
          correlation,
          createdBy: who.name,
          transitions: [],
        }) satisfies ProblemDoc,
      (id) =>
        recs.map((r): Mutation => ({
          op: 'putRecord',
          kind: INCIDENT_KIND,
          id: r.id,
          doc: { ...r.doc, problem: id },
          expectedVersion: r.version,
        })),
    );
    return viewOf<ProblemDoc>(rec);
  }

  /** A problem from one correlation group: the chosen (default: first) candidate is the root cause. */
  async fromCorrelation(input: ProblemFromCorrelation, who: Who): Promise<ProblemView> {
    const root = input.rootCause ?? input.candidates[0]!.id;
    if (!input.candidates.some((c) => c.id === root))
      throw new InputError(`problem from correlation: root cause "${root}" is not one of the candidates`, { rootCause: root });
    const name = this.cmdb.mirror.graph.hasNode(root) ? this.cmdb.mirror.graph.getNodeAttributes(root).name : root;
    return this.create(
      {
        title: input.title ?? `${input.incidents.length} incidents with common cause ${name}`,
        description: '',
        rootCause: root,
        incidents: input.incidents,
        changes: [],
        articles: [],
      },
      who,
      { candidates: input.candidates, at: this.now().toISOString() },
    );
  }

  async update(id: string, patch: ProblemPatch, who: Who, expectedVersion?: number): Promise<ProblemView> {
    const rec = await this.records.load(id, { op: 'problem update', expectedVersion });
    const doc = { ...(rec.doc as unknown as ProblemDoc) };
    if (doc.state === 'closed') throw new ConflictError(`problem update: ${id} is closed`, { id });
    if (patch.rootCause && !this.cmdb.mirror.graph.hasNode(patch.rootCause))
      throw new NotFoundError(`problem update: root cause CI "${patch.rootCause}" not found`, { ci: patch.rootCause });
    Object.assign(doc, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    return this.write(id, rec.version, doc, who);
  }

  async transition(id: string, input: ProblemTransitionInput, who: Who, expectedVersion?: number): Promise<ProblemView> {
    const rec = await this.records.load(id, { op: 'problem transition', expectedVersion });
    const doc = { ...(rec.doc as unknown as ProblemDoc) };
    const from = doc.state;
    const to: ProblemState = input.to;
    if (!TRANSITIONS[from].includes(to)) {
      const allowed = TRANSITIONS[from];
      throw new ConflictError(
        `problem transition: ${id} cannot go from ${from} to ${to} (${allowed.length ? `allowed: ${allowed.join(', ')}` : `${from} is final`})`,
        { id, from, to, allowed: [...allowed] },
      );
    }
    if (input.rootCause !== undefined) {
      if (!this.cmdb.mirror.graph.hasNode(input.rootCause))
        throw new NotFoundError(`problem transition: root cause CI "${input.rootCause}" not found`, { ci: input.rootCause });
      doc.rootCause = input.rootCause;
    }
    if (input.workaround !== undefined) doc.workaround = input.workaround;
    if (input.fixChange !== undefined && !doc.changes.includes(input.fixChange)) doc.changes = [...doc.changes, input.fixChange];
    const at = this.now().toISOString();
    const extra: Mutation[] = [];
    if (to === 'known_error') {
      if (!doc.rootCause) throw new InputError(`problem transition: ${id} needs a root-cause CI to become a known error`, { id });
      if (!doc.workaround) throw new InputError(`problem transition: ${id} needs a workaround to become a known error`, { id });
      doc.workaroundPublishedAt = at;
      extra.push(...(await this.publishWorkaround(doc, who)));
    }
    doc.state = to;
    doc.transitions = [...doc.transitions, { from, to, at, by: who.name, ...(input.reason ? { reason: input.reason } : {}) }];
    return this.write(id, rec.version, doc, who, extra);
  }

  /** The known-error article (created, or updated when the problem already has one). */
  private async publishWorkaround(doc: ProblemDoc, who: Who): Promise<Mutation[]> {
    const root = doc.rootCause!;
    const cls = this.cmdb.mirror.graph.hasNode(root) ? this.cmdb.mirror.graph.getNodeAttributes(root).class : undefined;
    const body = `## Known error: ${doc.title}\n\n**Root cause:** \`${root}\`\n\n### Workaround\n\n${doc.workaround}\n\n_Published from problem ${doc.id}._\n`;
    const existing = (await this.articles.all()).find(
      (a) => (a.doc as unknown as ArticleDoc).problems.includes(doc.id) && (a.doc as unknown as ArticleDoc).tags.includes('known-error'),
    );
    const article = (id: string): ArticleDoc => ({
      id,
      title: `Known error: ${doc.title}`,
      body,
      tags: ['known-error', 'workaround'],
      cis: [root],
      classes: cls ? [cls] : [],
      problems: [doc.id],
      author: who.name,
    });
    if (existing)
      return [{ op: 'putRecord', kind: ARTICLE_KIND, id: existing.id, doc: article(existing.id), expectedVersion: existing.version }];
    const { id, claim } = await this.articles.nextId();
    doc.articles = [...new Set([...doc.articles, id])];
    return [claim, { op: 'putRecord', kind: ARTICLE_KIND, id, doc: article(id), expectedVersion: 0 }];
  }

  private async write(id: string, version: number, doc: ProblemDoc, who: Who, extra: Mutation[] = []): Promise<ProblemView> {
    return viewOf<ProblemDoc>(
      await this.records.write({ id, version }, doc as unknown as Record<string, unknown>, { actor: who.name }, extra),
    );
  }
}

/** Incidents linked to a problem, as stored (for the CLI and reports). */
export async function linkedIncidents(cmdb: Cmdb, problem: ProblemDoc): Promise<IncidentDoc[]> {
  const incidents = new Records(cmdb, INCIDENT_KIND, 'INC');
  const out: IncidentDoc[] = [];
  for (const id of problem.incidents) {
    const rec = await incidents.get(id);
    if (rec) out.push(rec.doc as unknown as IncidentDoc);
  }
  return out;
}
