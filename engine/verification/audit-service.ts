/**
 * The audit as a record service: reads what the pure rules need (mirror graph, impact index, CI
 * documents from the store), runs a rule set, stores each run as an `audit_run` record (so the
 * trend of the scores can be read back), keeps the organisation's rule file as an `audit_rules`
 * record, and quotes the event log's head in every run. Pure parts live in engine/audit/.
 */
import type { Cmdb } from '../cmdb.ts';
import type { CI } from '../model/ci.ts';
import { NotFoundError } from '../errors.ts';
import { compileRuleSet, RuleFile, runAudit, type AuditResult, type RuleSet } from '../audit/index.ts';
import { reportDocument, renderReport, type ReportDocument, type ReportFormat } from '../audit/report.ts';
import { logHead, type LogHead } from './log.ts';

export const AUDIT_RUN = 'audit_run';
export const AUDIT_RULES = 'audit_rules';
const RULES_ID = 'current';
/** A stored run keeps at most this many findings (the summary and counts are always whole). */
export const STORED_FINDINGS = 5000;

export interface AuditRun extends AuditResult {
  id: string | null;
  seq: number;
  at: string;
  clock: string;
  actor: string;
  store: string;
  logHead: LogHead | null;
  /** Set on a stored run whose findings were cut to STORED_FINDINGS. */
  findingsTotal?: number;
}

export interface RunOptions {
  actor: string;
  /** A rule file given for this run; default the stored one, else the built-in defaults. */
  rules?: RuleFile;
  rulesSource?: string;
  /** The audit clock (stale, certificate expiry); default now. */
  now?: Date;
  /** Store the run as a record (default true). */
  store?: boolean;
}

export class AuditService {
  constructor(
    private readonly cmdb: Cmdb,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Every CI document, in id order (the rules that read attributes, tags and timestamps need them). */
  async documents(): Promise<CI[]> {
    const out: CI[] = [];
    for await (const page of this.cmdb.store.streamCIs(5000)) for (const ci of page) out.push(ci);
    return out;
  }

  async storedRules(): Promise<RuleFile | undefined> {
    const rec = await this.cmdb.store.getRecord(AUDIT_RULES, RULES_ID);
    return rec ? RuleFile.parse(rec.doc) : undefined;
  }

  /** Replaces the organisation's rule file (validated and compiled first: a bad file is refused whole). */
  async putRules(file: RuleFile, actor: string): Promise<RuleSet> {
    const set = compileRuleSet(file, this.cmdb.registry, 'rules');
    await this.cmdb.apply([{ op: 'putRecord', kind: AUDIT_RULES, id: RULES_ID, doc: file as unknown as Record<string, unknown> }], {
      actor,
    });
    return set;
  }

  async ruleSet(file?: RuleFile, source = 'rule file'): Promise<RuleSet> {
    return compileRuleSet(file ?? (await this.storedRules()), this.cmdb.registry, file ? source : 'stored rules');
  }

  async run(options: RunOptions): Promise<AuditRun> {
    const set = await this.ruleSet(options.rules, options.rulesSource);
    const seq = this.cmdb.seq;
    const head = await logHead(this.cmdb.store);
    const cis = await this.documents();
    const now = options.now ?? this.clock();
    const result = runAudit({ graph: this.cmdb.mirror.graph, index: this.cmdb.impactIndex(), registry: this.cmdb.registry, cis, now }, set);
    const at = this.clock().toISOString();
    const run: AuditRun = {
      id: null,
      seq,
      at,
      clock: now.toISOString(),
      actor: options.actor,
      store: `${this.cmdb.store.kind}:${this.cmdb.store.location}`,
      logHead: head,
      ...result,
    };
    if (options.store === false) return run;
    run.id = `run-${at.replace(/[-:.]/g, '')}-${seq}`;
    const doc: AuditRun = { ...run, findings: run.findings.slice(0, STORED_FINDINGS) };
    if (run.findings.length > STORED_FINDINGS) doc.findingsTotal = run.findings.length;
    await this.cmdb.apply([{ op: 'putRecord', kind: AUDIT_RUN, id: run.id, doc: doc as unknown as Record<string, unknown> }], {
      actor: options.actor,
    });
    return run;
  }

  async getRun(id: string): Promise<AuditRun> {
    const rec = await this.cmdb.store.getRecord(AUDIT_RUN, id);
    if (!rec) throw new NotFoundError(`audit: run "${id}" not found`, { id });
    return rec.doc as unknown as AuditRun;
  }

  /** Stored runs, oldest first: the trend of the scores. */
  async trend(): Promise<{ id: string; at: string; seq: number; ruleSetHash: string; summary: AuditRun['summary'] }[]> {
    const out: { id: string; at: string; seq: number; ruleSetHash: string; summary: AuditRun['summary'] }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.cmdb.store.listRecords(AUDIT_RUN, { ...(after !== undefined ? { after } : {}), limit: 500 });
      for (const r of page) {
        const d = r.doc as unknown as AuditRun;
        out.push({ id: r.id, at: d.at, seq: d.seq, ruleSetHash: d.ruleSetHash, summary: d.summary });
      }
      if (page.length < 500) return out;
      after = page[page.length - 1]!.id;
    }
  }

  report(run: AuditRun, format: ReportFormat): { document: ReportDocument; content: string } {
    const document = reportDocument({
      generatedAt: this.clock().toISOString(),
      clock: run.clock,
      seq: run.seq,
      store: run.store,
      ruleSetHash: run.ruleSetHash,
      logHead: run.logHead,
      runId: run.id,
      result: run,
    });
    return { document, content: renderReport(document, format) };
  }
}
