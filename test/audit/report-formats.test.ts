/**
 * Audit reports as an auditor files them (engine/audit/report.ts): one content hash across HTML,
 * CSV and JSON of one run that changes with any finding or the provenance it quotes; the CSV one
 * finding per row with provenance in columns; the HTML summary first, findings grouped by rule with
 * their path in order, everything escaped.
 */
import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderReport, reportDocument, REPORT_FORMATS, type ReportDocument } from '../../engine/audit/report.ts';
import type { AuditResult } from '../../engine/audit/index.ts';
import { canonicalJson, sha256Hex } from '../../engine/audit/hash-chain.ts';
import { audit, disableAllBut, graphOf } from './helpers.ts';

const input = graphOf(
  [
    { id: 'a1', class: 'Application', attributes: {} },
    { id: 'r1', class: 'Application', status: 'retired', attributes: { version: '1' } },
    { id: 'lonely', class: 'Application', attributes: { version: '1' } },
    { id: 'db1', class: 'Database', attributes: { engine: 'pg' } },
  ],
  ['a1 DEPENDS_ON r1', 'a1 DEPENDS_ON db1'],
);
const result: AuditResult = audit(input, {
  builtins: { ...disableAllBut(null), 'required-attributes': {}, 'retired-dependency': {}, orphan: { severity: 'info' }, stale: {} },
});
const meta = {
  generatedAt: '2026-11-01T00:00:00.000Z',
  clock: '2026-10-31T00:00:00.000Z',
  seq: 42,
  store: 'sqlite:/var/cmdb.sqlite',
  ruleSetHash: result.ruleSetHash,
  logHead: { seq: 42, hash: 'abc123' },
  runId: 'run-7',
  result,
};

describe('audit report document', () => {
  it('hashes the canonical JSON of seq, rule set, log head, scores and findings, and titles itself by default', () => {
    const doc = reportDocument(meta);
    expect(doc.title).toBe('Configuration verification report');
    expect(doc.contentHash).toBe(
      sha256Hex(
        canonicalJson({
          seq: 42,
          ruleSetHash: result.ruleSetHash,
          logHead: { seq: 42, hash: 'abc123' },
          summary: result.summary,
          byClass: result.byClass,
          findings: result.findings,
        }),
      ),
    );
    expect(reportDocument({ ...meta, title: 'Q4 audit' }).title).toBe('Q4 audit');
  });

  it('changes its content hash with the seq, the log head or a finding, not with the generation time or run id', () => {
    const base = reportDocument(meta).contentHash;
    expect(reportDocument({ ...meta, generatedAt: '2027-01-01T00:00:00Z', runId: null, store: 'x' }).contentHash).toBe(base);
    expect(reportDocument({ ...meta, seq: 43 }).contentHash).not.toBe(base);
    expect(reportDocument({ ...meta, logHead: { seq: 42, hash: 'abc124' } }).contentHash).not.toBe(base);
    expect(reportDocument({ ...meta, ruleSetHash: 'other' }).contentHash).not.toBe(base);
    const fewer = { ...result, findings: result.findings.slice(1) };
    expect(reportDocument({ ...meta, result: fewer }).contentHash).not.toBe(base);
    const rescored = { ...result, summary: { ...result.summary, score: result.summary.score - 1 } };
    expect(reportDocument({ ...meta, result: rescored }).contentHash).not.toBe(base);
    const reclassed = { ...result, byClass: {} };
    expect(reportDocument({ ...meta, result: reclassed }).contentHash).not.toBe(base);
  });

  it('quotes the same content hash in all three formats', () => {
    const doc = reportDocument(meta);
    expect(REPORT_FORMATS).toEqual(['html', 'csv', 'json']);
    for (const f of REPORT_FORMATS) expect(renderReport(doc, f)).toContain(doc.contentHash);
  });
});

describe('JSON report', () => {
  it('is the document itself, indented, with a final newline', () => {
    const doc = reportDocument(meta);
    const text = renderReport(doc, 'json');
    expect(JSON.parse(text)).toEqual(doc);
    expect(text).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });
});

describe('CSV report', () => {
  const rows = (doc: ReportDocument) => parse(renderReport(doc, 'csv')) as string[][];

  it('has one row per finding, in the result order, with provenance in columns', () => {
    const doc = reportDocument(meta);
    const [header, ...body] = rows(doc);
    expect(header).toEqual([
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
    ]);
    expect(body).toHaveLength(result.findings.length);
    expect(body.map((r) => [r[0], r[1], r[2], r[3]])).toEqual(
      result.findings.map((f) => [f.rule, f.severity, f.ci ?? '', f.relationship ?? '']),
    );
    for (const r of body) expect(r.slice(7)).toEqual(['42', meta.generatedAt, result.ruleSetHash, 'abc123', doc.contentHash]);
  });

  it('writes the path as "from TYPE to" steps and the rest of the evidence as canonical JSON without the path', () => {
    const body = rows(reportDocument(meta)).slice(1);
    const dep = body.find((r) => r[0] === 'retired-dependency')!;
    expect(dep[4]).toBe('in-service "a1" relies on retired "r1" (DEPENDS_ON)');
    expect(dep[5]).toBe('a1 DEPENDS_ON r1');
    expect(dep[6]).toBe(canonicalJson({ dependent: 'a1', provider: 'r1', providerStatus: 'retired' }));
    const orphan = body.find((r) => r[0] === 'orphan')!;
    expect(orphan[5]).toBe('');
    expect(orphan[6]).toBe('{"class":"Application"}');
  });

  it('joins a longer path with " ; " (in HTML, one list item per step) and leaves the log head empty when there is none', () => {
    const f = {
      rule: 'x',
      ci: 'a',
      severity: 'error' as const,
      message: 'm',
      evidence: {
        path: [
          { from: 'a', type: 'DEPENDS_ON', to: 'b' },
          { from: 'b', type: 'RUNS_ON', to: 'c' },
        ],
      },
    };
    const doc = reportDocument({
      ...meta,
      logHead: null,
      result: { ...result, rules: [{ id: 'x', category: 'correctness', description: 'd', findings: 1 }], findings: [f] },
    });
    const [, row] = rows(doc);
    expect(row![5]).toBe('a DEPENDS_ON b ; b RUNS_ON c');
    expect(row![6]).toBe('{}');
    expect(row![10]).toBe('');
    expect(renderReport(doc, 'html')).toContain(
      '<ol class="path"><li><code>a</code> DEPENDS_ON <code>b</code></li><li><code>b</code> RUNS_ON <code>c</code></li></ol>',
    );
  });
});

describe('HTML report', () => {
  // Rendered in each test, not once when the file loads: each test must exercise the renderer itself.
  let html: string;
  beforeEach(() => {
    html = renderReport(reportDocument(meta), 'html');
  });

  it('puts the summary first: overall score, category scores, live CIs and findings by severity', () => {
    const s = result.summary;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(
      `<p><strong>Overall score ${s.score}</strong> — completeness ${s.completeness}, correctness ${s.correctness}, compliance ${s.compliance} over ${s.cis} live CIs; ${s.findings} findings (${s.bySeverity.error} errors, ${s.bySeverity.warning} warnings, ${s.bySeverity.info} info).</p>`,
    );
    expect(html.indexOf('<h2>Summary</h2>')).toBeLessThan(html.indexOf('<h2>Findings by rule</h2>'));
  });

  it('quotes generation time, audit clock, store, seq, rule-set hash, log head and run', () => {
    expect(html).toContain('<dt>generated</dt><dd>2026-11-01T00:00:00.000Z</dd>');
    expect(html).toContain('<dt>audit clock</dt><dd>2026-10-31T00:00:00.000Z</dd>');
    expect(html).toContain('<dt>store</dt><dd>sqlite:/var/cmdb.sqlite</dd>');
    expect(html).toContain('<dt>graph seq</dt><dd>42</dd>');
    expect(html).toContain(`<dt>rule-set hash</dt><dd><code>${result.ruleSetHash}</code></dd>`);
    expect(html).toContain('<dt>event log head</dt><dd>seq 42, <code>abc123</code></dd>');
    expect(html).toContain('<dt>audit run</dt><dd><code>run-7</code></dd>');
  });

  it('says when the log is empty or not hash-chained, and leaves out the run when there is none', () => {
    const empty = renderReport(reportDocument({ ...meta, logHead: null, runId: null }), 'html');
    expect(empty).toContain('<dt>event log head</dt><dd>empty log</dd>');
    expect(empty).not.toContain('audit run');
    expect(empty).toContain('(SHA-256 of the canonical JSON of scores and findings)</dd>\n\n</dl>');
    const unchained = renderReport(reportDocument({ ...meta, logHead: { seq: 3, hash: null } }), 'html');
    expect(unchained).toContain('<dt>event log head</dt><dd>seq 3, <code>(not hash-chained)</code></dd>');
  });

  it('lists every rule with its findings count, linking only rules that found something', () => {
    expect(html).toContain(
      '<tr><td><a href="#rule-orphan">orphan</a></td><td>correctness</td><td>1</td><td>every live CI has at least one relationship</td></tr>',
    );
    const stale = result.rules.find((r) => r.id === 'stale')!;
    expect(stale.findings).toBe(0);
    expect(html).toContain(`<tr><td>stale</td><td>correctness</td><td>0</td><td>${stale.description}</td></tr>`);
    expect(html).not.toContain('id="rule-stale"');
    // One row per line, one section per line, so a diff of two reports reads row by row.
    expect(html).toContain(`${stale.description}</td></tr>\n<tr><td><a href="#rule-retired-dependency">`);
    expect(html).toContain('</tbody></table></section>\n<section><h3 id="rule-orphan">');
  });

  it('groups findings under their rule with category, count (singular and plural), severity class, escaped subject, path in order and other evidence', () => {
    expect(html).toContain('<h3 id="rule-orphan">orphan <small>(correctness, 1 finding)</small></h3>');
    expect(html).toContain(
      '<tr class="sev-info"><td>info</td><td><code>lonely</code></td><td>Application &quot;lonely&quot; has no relationship<pre>',
    );
    const two = renderReport(
      reportDocument({
        ...meta,
        result: {
          ...result,
          rules: [{ id: 'orphan', category: 'correctness', description: 'd', findings: 3 }],
          findings: [
            { rule: 'orphan', ci: 'x', severity: 'warning', message: 'one', evidence: {} },
            { rule: 'orphan', relationship: 'r', severity: 'error', message: 'two', evidence: {} },
            { rule: 'orphan', severity: 'info', message: 'three', evidence: {} },
          ],
        },
      }),
      'html',
    );
    expect(two).toContain('<h3 id="rule-orphan">orphan <small>(correctness, 3 findings)</small></h3>');
    expect(two).toContain('<tr class="sev-warning"><td>warning</td><td><code>x</code></td><td>one</td></tr>');
    expect(two).toContain(
      '<tr class="sev-warning"><td>warning</td><td><code>x</code></td><td>one</td></tr>\n<tr class="sev-error"><td>error</td><td><code>r</code></td><td>two</td></tr>\n<tr class="sev-info"><td>info</td><td><code></code></td><td>three</td></tr>',
    );
    expect(html).toContain(
      '<td>in-service &quot;a1&quot; relies on retired &quot;r1&quot; (DEPENDS_ON)<ol class="path"><li><code>a1</code> DEPENDS_ON <code>r1</code></li></ol><pre>',
    );
    expect(html).toContain(
      '<pre>{\n &quot;dependent&quot;: &quot;a1&quot;,\n &quot;provider&quot;: &quot;r1&quot;,\n &quot;providerStatus&quot;: &quot;retired&quot;\n}</pre>',
    );
    const tricky = renderReport(
      reportDocument({
        ...meta,
        result: {
          ...result,
          rules: [{ id: 'orphan', category: 'correctness', description: 'd', findings: 1 }],
          findings: [
            {
              rule: 'orphan',
              ci: '<x>',
              severity: 'warning',
              message: 'a & b',
              evidence: { path: [{ from: '<x>', type: 'T', to: '"y"' }], note: '<b>' },
            },
          ],
        },
      }),
      'html',
    );
    expect(tricky).toContain(
      '<td><code>&lt;x&gt;</code></td><td>a &amp; b<ol class="path"><li><code>&lt;x&gt;</code> T <code>&quot;y&quot;</code></li></ol><pre>{\n &quot;note&quot;: &quot;&lt;b&gt;&quot;\n}</pre></td>',
    );
    expect(tricky).not.toContain('<b>');
  });

  it('escapes every character HTML gives meaning to, in the title too', () => {
    const doc = reportDocument({ ...meta, title: `Q4 <audit> & "friends" 'n'`, store: '<s>' });
    const out = renderReport(doc, 'html');
    expect(out).toContain('<title>Q4 &lt;audit&gt; &amp; &quot;friends&quot; &#39;n&#39;</title>');
    expect(out).toContain('<h1>Q4 &lt;audit&gt; &amp; &quot;friends&quot; &#39;n&#39;</h1>');
    expect(out).toContain('<dd>&lt;s&gt;</dd>');
  });

  it('shows scores for all classes and per class, and says when there are no findings', () => {
    const s = result.summary;
    expect(html).toContain(
      `<tr><th scope="row">all classes</th><td>${s.cis}</td><td>${s.score}</td><td>${s.completeness}</td><td>${s.correctness}</td><td>${s.compliance}</td></tr>`,
    );
    expect(html).toContain(`<td>${s.compliance}</td></tr>\n<tr><th scope="row">Application</th>`);
    expect(html).toMatch(/<th scope="row">Application<\/th>.*<\/tr>\n<tr><th scope="row">Database<\/th>/);
    const app = result.byClass.Application!;
    expect(html).toContain(
      `<tr><th scope="row">Application</th><td>${app.cis}</td><td>${app.score}</td><td>${app.completeness}</td><td>${app.correctness}</td><td>${app.compliance}</td></tr>`,
    );
    const clean = renderReport(reportDocument({ ...meta, result: { ...result, findings: [], rules: [] } }), 'html');
    expect(clean).toContain('<h2>Findings by rule</h2>\n<p>No findings.</p>');
    expect(html).not.toContain('No findings.');
  });
});
