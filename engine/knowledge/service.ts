/**
 * Knowledge base: articles as records, full-text search with MiniSearch (prefix and fuzzy matching,
 * BM25-style ranking, title and tags boosted), and suggestions for an incident.
 *
 * The search index is rebuilt lazily when the CMDB's sequence number moved since it was built (any
 * committed write, records included), so a write is searchable on the next query.
 *
 * Suggestions rank articles by what links them to the incident: an article on one of its CIs (5
 * points), on a provider of them (3, minus 0.25 per hop beyond the first, at least 1), on one of
 * their classes (1), on a problem whose known error is offered on the incident (6), plus the
 * full-text match of the incident's title and description (up to 2, relative to the best match).
 */
import MiniSearch from 'minisearch';
import type { Cmdb } from '../cmdb.ts';
import { dependencies } from '../impact/index.ts';
import { INCIDENT_KIND, type IncidentDoc } from '../incidents/model.ts';
import { Records, viewOf } from '../records/index.ts';
import { ARTICLE_KIND, type ArticleCreate, type ArticleDoc, type ArticlePatch, type ArticleView, type Suggestion } from './model.ts';
import { NotFoundError } from '../errors.ts';

export interface KnowledgeServiceDeps {
  cmdb: Cmdb;
}

interface Indexed {
  seq: number;
  search: MiniSearch<ArticleDoc>;
  articles: Map<string, ArticleView>;
}

export class KnowledgeService {
  readonly cmdb: Cmdb;
  /** The article records (kind `article`, ids `KB-000123`). */
  readonly records: Records;
  private readonly incidents: Records;
  private indexed: Indexed | undefined;

  constructor({ cmdb }: KnowledgeServiceDeps) {
    this.cmdb = cmdb;
    this.records = new Records(cmdb, ARTICLE_KIND, 'KB');
    this.incidents = new Records(cmdb, INCIDENT_KIND, 'INC');
  }

  async create(input: ArticleCreate, who: { name: string }): Promise<ArticleView> {
    const rec = await this.records.create({ actor: who.name }, (id) => ({ id, ...input, author: who.name }) satisfies ArticleDoc);
    return viewOf<ArticleDoc>(rec);
  }

  async get(id: string): Promise<ArticleView> {
    return viewOf<ArticleDoc>(await this.records.load(id, { op: 'article' }));
  }

  async update(id: string, patch: ArticlePatch, who: { name: string }, expectedVersion?: number): Promise<ArticleView> {
    const rec = await this.records.load(id, { op: 'article update', expectedVersion });
    const doc = { ...(rec.doc as unknown as ArticleDoc), ...patch };
    return viewOf<ArticleDoc>(await this.records.write(rec, doc, { actor: who.name }));
  }

  async list(): Promise<ArticleView[]> {
    return (await this.records.all()).map((r) => viewOf<ArticleDoc>(r));
  }

  private async searchIndex(): Promise<Indexed> {
    if (this.indexed && this.indexed.seq === this.cmdb.seq) return this.indexed;
    const seq = this.cmdb.seq;
    const all = await this.list();
    const search = new MiniSearch<ArticleDoc>({
      fields: ['title', 'body', 'tagsText'],
      storeFields: ['id'],
      extractField: (doc, field) => (field === 'tagsText' ? doc.tags.join(' ') : (doc as unknown as Record<string, string>)[field]!),
      searchOptions: { boost: { title: 3, tagsText: 2 }, prefix: true, fuzzy: 0.2 },
    });
    search.addAll(all);
    this.indexed = { seq, search, articles: new Map(all.map((a) => [a.id, a])) };
    return this.indexed;
  }

  async search(
    q: string,
    opts: { tag?: string; limit?: number } = {},
  ): Promise<{ article: ArticleView; score: number; terms: string[] }[]> {
    const { search, articles } = await this.searchIndex();
    return search
      .search(q)
      .map((r) => ({ article: articles.get(String(r.id))!, score: Math.round(r.score * 1000) / 1000, terms: r.terms }))
      .filter((r) => opts.tag === undefined || r.article.tags.includes(opts.tag))
      .slice(0, opts.limit ?? 20);
  }

  async suggestionsFor(incidentId: string, limit = 10): Promise<Suggestion[]> {
    const rec = await this.incidents.get(incidentId);
    if (!rec) throw new NotFoundError(`suggestions: incident "${incidentId}" not found`, { id: incidentId });
    const inc = rec.doc as unknown as IncidentDoc;
    const { search, articles } = await this.searchIndex();
    const m = this.cmdb.mirror;
    const impact = this.cmdb.impactIndex();
    const own = new Set(inc.cis);
    const providers = new Map<string, number>();
    const classes = new Set<string>();
    for (const ci of inc.cis) {
      if (!impact.idToIndex.has(ci)) continue;
      classes.add(m.graph.getNodeAttributes(ci).class);
      for (const d of dependencies(impact, this.cmdb.registry, ci).dependencies) {
        if (!providers.has(d.id) || providers.get(d.id)! > d.depth) providers.set(d.id, d.depth);
      }
    }
    const knownProblems = new Set(inc.knownErrors.map((k) => k.problem));
    const text = search.search(`${inc.title} ${inc.description}`.slice(0, 500), { combineWith: 'OR' });
    const best = text[0]?.score ?? 0;
    const textScore = new Map(text.map((r) => [String(r.id), best > 0 ? (2 * r.score) / best : 0]));
    const out: Suggestion[] = [];
    for (const a of articles.values()) {
      const reasons: Suggestion['reasons'] = [];
      for (const ci of a.cis) {
        if (own.has(ci)) reasons.push({ kind: 'ci', detail: ci, points: 5 });
        else if (providers.has(ci))
          reasons.push({
            kind: 'provider',
            detail: `${ci} (${providers.get(ci)} hops)`,
            points: Math.max(1, 3 - 0.25 * (providers.get(ci)! - 1)),
          });
      }
      for (const c of a.classes) if (classes.has(c)) reasons.push({ kind: 'class', detail: c, points: 1 });
      for (const p of a.problems) if (knownProblems.has(p)) reasons.push({ kind: 'known_error', detail: p, points: 6 });
      const t = textScore.get(a.id) ?? 0;
      if (t > 0) reasons.push({ kind: 'text', detail: 'title/description match', points: Math.round(t * 1000) / 1000 });
      if (reasons.length === 0) continue;
      const score = reasons.reduce((s, r) => s + r.points, 0);
      out.push({ article: a.id, title: a.title, score: Math.round(score * 1000) / 1000, reasons });
    }
    return out.sort((x, y) => y.score - x.score || (x.article < y.article ? -1 : 1)).slice(0, limit);
  }
}
