/**
 * Audit reports as HTML (self-contained and printable: summary first, then findings grouped by
 * rule with their evidence), CSV (one finding per row) and JSON. Pure rendering of a report
 * document; every format quotes generation time, graph seq, rule-set hash, the event log's head
 * (seq + hash, so a later `cmdb log verify` proves nothing before it changed) and `contentHash`,
 * the SHA-256 of the canonical JSON of the findings and scores — equal across the three formats of
 * one run. The SHA-256 of the file itself is the caller's to print (a file cannot hold its own).
 */
import { stringify } from 'csv-stringify/sync';
import { canonicalJson, sha256Hex } from './hash-chain.ts';
import type { AuditResult } from './run.ts';
import type { Finding } from './types.ts';

export interface ReportDocument {
  title: string;
  generatedAt: string;
  /** The audit clock, when it differs from generation time (a reproduction). */
  clock: string;
  seq: number;
  store: string;
  ruleSetHash: string;
  logHead: { seq: number; hash: string | null } | null;
  runId: string | null;
  result: AuditResult;
  contentHash: string;
}

export function reportDocument(meta: Omit<ReportDocument, 'contentHash' | 'title'> & { title?: string }): ReportDocument {
  const { result } = meta;
  const contentHash = sha256Hex(
    canonicalJson({
      seq: meta.seq,
      ruleSetHash: meta.ruleSetHash,
      logHead: meta.logHead,
      summary: result.summary,
      byClass: result.byClass,
      findings: result.findings,
    }),
  );
  return { title: meta.title ?? 'Configuration verification report', ...meta, contentHash };
}

export const REPORT_FORMATS = ['html', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(doc: ReportDocument, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  if (format === 'csv') return renderCsv(doc);
  return renderHtml(doc);
}

function subjectOf(f: Finding): string {
  return f.ci ?? f.relationship ?? '';
}

function pathText(f: Finding): string {
  return (f.evidence.path ?? []).map((s) => `${s.from} ${s.type} ${s.to}`).join(' ; ');
}

function renderCsv(doc: ReportDocument): string {
  // Provenance as leading comment lines would break CSV readers; it goes in columns instead.
  const header = [
    'rule',
    'severity',
    'ci',
    'relationship',
    'message',
    'path',
    'evidence',
    'seq',
    'generatedAt',
    'ruleSetHash',
    'logHeadHash',
    'contentHash',
  ];
  const rows = doc.result.findings.map((f) => {
    const { path: _p, ...rest } = f.evidence;
    return [
      f.rule,
      f.severity,
      f.ci ?? '',
      f.relationship ?? '',
      f.message,
      pathText(f),
      canonicalJson(rest),
      doc.seq,
      doc.generatedAt,
      doc.ruleSetHash,
      doc.logHead?.hash ?? '',
      doc.contentHash,
    ];
  });
  return stringify([header, ...rows]);
}

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function renderHtml(doc: ReportDocument): string {
  const { result } = doc;
  const s = result.summary;
  const byRule = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byRule.get(f.rule);
    if (list) list.push(f);
    else byRule.set(f.rule, [f]);
  }
  const scoreRow = (name: string, v: { score: number; completeness: number; correctness: number; compliance: number; cis: number }) =>
    `<tr><th scope="row">${esc(name)}</th><td>${v.cis}</td><td>${v.score}</td><td>${v.completeness}</td><td>${v.correctness}</td><td>${v.compliance}</td></tr>`;
  const ruleSections = result.rules
    .filter((r) => r.findings > 0)
    .map((r) => {
      // Stryker disable next-line ArrayDeclaration: a rule listed with findings has them in the result (runAudit counts that list)
      const items = (byRule.get(r.id) ?? [])
        .map((f) => {
          const { path, ...rest } = f.evidence;
          const steps = (path ?? []).map((p) => `<li><code>${esc(p.from)}</code> ${esc(p.type)} <code>${esc(p.to)}</code></li>`).join('');
          const extra = Object.keys(rest).length > 0 ? `<pre>${esc(JSON.stringify(rest, null, 1))}</pre>` : '';
          return `<tr class="sev-${f.severity}"><td>${esc(f.severity)}</td><td><code>${esc(subjectOf(f))}</code></td><td>${esc(f.message)}${steps ? `<ol class="path">${steps}</ol>` : ''}${extra}</td></tr>`;
        })
        .join('\n');
      return `<section><h3 id="rule-${esc(r.id)}">${esc(r.id)} <small>(${esc(r.category)}, ${r.findings} finding${r.findings === 1 ? '' : 's'})</small></h3><p>${esc(r.description)}</p>
<table><thead><tr><th>severity</th><th>subject</th><th>finding and evidence</th></tr></thead><tbody>
${items}
</tbody></table></section>`;
    })
    .join('\n');
  const ruleRows = result.rules
    .map(
      (r) =>
        `<tr><td>${r.findings > 0 ? `<a href="#rule-${esc(r.id)}">${esc(r.id)}</a>` : esc(r.id)}</td><td>${esc(r.category)}</td><td>${r.findings}</td><td>${esc(r.description)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
td pre{margin:.25em 0;font-size:12px;white-space:pre-wrap}
.sev-error td:first-child{color:#a00;font-weight:bold}.sev-warning td:first-child{color:#a60}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}
code{font-size:12px}ol.path{margin:.25em 0}
section{break-inside:avoid-page}
@media print{body{margin:0;font-size:11px}a{color:inherit;text-decoration:none}}
</style></head><body>
<h1>${esc(doc.title)}</h1>
<h2>Summary</h2>
<p><strong>Overall score ${s.score}</strong> — completeness ${s.completeness}, correctness ${s.correctness}, compliance ${s.compliance} over ${s.cis} live CIs; ${s.findings} findings (${s.bySeverity.error} errors, ${s.bySeverity.warning} warnings, ${s.bySeverity.info} info).</p>
<dl>
<dt>generated</dt><dd>${esc(doc.generatedAt)}</dd>
<dt>audit clock</dt><dd>${esc(doc.clock)}</dd>
<dt>store</dt><dd>${esc(doc.store)}</dd>
<dt>graph seq</dt><dd>${doc.seq}</dd>
<dt>rule-set hash</dt><dd><code>${esc(doc.ruleSetHash)}</code></dd>
<dt>event log head</dt><dd>${doc.logHead ? `seq ${doc.logHead.seq}, <code>${esc(doc.logHead.hash ?? '(not hash-chained)')}</code>` : 'empty log'}</dd>
<dt>content hash</dt><dd><code>${esc(doc.contentHash)}</code> (SHA-256 of the canonical JSON of scores and findings)</dd>
${doc.runId ? `<dt>audit run</dt><dd><code>${esc(doc.runId)}</code></dd>` : ''}
</dl>
<h3>Rules</h3>
<table><thead><tr><th>rule</th><th>category</th><th>findings</th><th>checks that</th></tr></thead><tbody>
${ruleRows}
</tbody></table>
<h3>Scores by class</h3>
<table><thead><tr><th>class</th><th>CIs</th><th>overall</th><th>completeness</th><th>correctness</th><th>compliance</th></tr></thead><tbody>
${scoreRow('all classes', s)}
${Object.entries(result.byClass)
  .map(([c, v]) => scoreRow(c, v))
  .join('\n')}
</tbody></table>
<h2>Findings by rule</h2>
${ruleSections || '<p>No findings.</p>'}
</body></html>
`;
}
