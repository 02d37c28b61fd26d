/**
 * `/audit?run=ID&rule=R&severity=error&finding=N`: the auditor's view of configuration
 * verification. Health scores (overall, completeness, correctness, compliance; per class) of one
 * stored run and their trend over every stored run (inline SVG sparklines, no chart library);
 * findings grouped by rule with severity counts, each opening its CI in the explorer or — when it
 * names business services — on the impact map with the path highlighted; the selected finding's
 * evidence (paths of topology rules as relationships). "Run audit now" is offered to principals
 * with `audit:run` (the API decides). Filters and selection live in the URL.
 */
import { ApiError, type AuditFinding, type AuditRun, type AuditTrendPoint, type HealthScores } from '../api.ts';
import {
  evidencePath,
  findingLinks,
  findingServices,
  findingSubject,
  groupFindings,
  readState,
  SEVERITIES,
  sparkPoints,
  writeState,
  type AuditState,
} from '../audit-model.ts';
import type { ViewContext } from '../context.ts';
import { append, clear, dl, h, link, svg } from '../dom.ts';

const SCORES: { key: keyof Omit<HealthScores, 'cis'>; label: string }[] = [
  { key: 'score', label: 'overall' },
  { key: 'completeness', label: 'completeness' },
  { key: 'correctness', label: 'correctness' },
  { key: 'compliance', label: 'compliance' },
];

function sparkline(values: number[], label: string): SVGElement {
  const w = 140;
  const ht = 32;
  const pts = sparkPoints(values, w, ht);
  const last = pts[pts.length - 1];
  return svg(
    'svg',
    { class: 'spark', width: w, height: ht, viewBox: `0 0 ${w} ${ht}`, role: 'img', 'aria-label': `${label} over ${values.length} run(s)` },
    svg('title', {}, `${label}: ${values.join(' → ')}`),
    svg('polyline', { points: pts.map(([x, y]) => `${x},${y}`).join(' '), fill: 'none', stroke: '#0072b2', 'stroke-width': 1.5 }),
    last ? svg('circle', { cx: last[0], cy: last[1], r: 2.5, fill: '#0072b2' }) : null,
  );
}

function scoreCards(run: AuditRun, trend: AuditTrendPoint[]): HTMLElement {
  return h(
    'section',
    { class: 'scores', 'data-audit': 'scores' },
    ...SCORES.map(({ key, label }) => {
      const values = trend.map((t) => t.summary[key]);
      return h(
        'div',
        { class: 'score', 'data-score': key },
        h('div', { class: 'muted' }, label),
        h('div', { class: 'big', 'data-value': key }, `${run.summary[key]} %`),
        values.length > 0 ? sparkline(values, label) : null,
        values.length > 1
          ? h('div', { class: 'muted small' }, `${Math.min(...values)}–${Math.max(...values)} over ${values.length} runs`)
          : null,
      );
    }),
  );
}

function classTable(run: AuditRun): HTMLElement {
  const rows = Object.entries(run.byClass).sort((a, b) => a[1].score - b[1].score || (a[0] < b[0] ? -1 : 1));
  return h(
    'details',
    { class: 'by-class' },
    h('summary', {}, `Scores per class (${rows.length} classes, worst first)`),
    h(
      'table',
      { class: 'factors', 'data-audit': 'by-class' },
      h('thead', {}, h('tr', {}, h('th', {}, 'class'), h('th', {}, 'CIs'), ...SCORES.map((s) => h('th', {}, s.label)))),
      h(
        'tbody',
        {},
        ...rows.map(([cls, s]) =>
          h(
            'tr',
            { 'data-class': cls, class: s.score < 100 ? '' : 'zero' },
            h('td', {}, cls),
            h('td', { class: 'num' }, s.cis),
            ...SCORES.map((c) => h('td', { class: 'num' }, `${s[c.key]}`)),
          ),
        ),
      ),
    ),
  );
}

function stepList(steps: { from: string; type: string; to: string }[]): HTMLElement {
  return h(
    'ol',
    { class: 'via', 'data-evidence': 'path' },
    ...steps.map((s) =>
      h('li', {}, link(`/cis/${encodeURIComponent(s.from)}`, s.from), ` ${s.type} `, link(`/cis/${encodeURIComponent(s.to)}`, s.to)),
    ),
  );
}

function evidenceOf(f: AuditFinding): HTMLElement {
  const links = findingLinks(f);
  const path = evidencePath(f);
  const services = findingServices(f);
  const rest = Object.entries(f.evidence).filter(([k]) => k !== 'path' && k !== 'services');
  return h(
    'div',
    { 'data-audit': 'evidence' },
    h('h3', {}, f.rule),
    h('p', { class: `sev sev-${f.severity}` }, f.severity),
    h('p', {}, f.message),
    f.relationship ? h('p', { class: 'muted' }, `relationship ${f.relationship}`) : null,
    h(
      'p',
      {},
      links.explorer ? link(links.explorer, `open ${findingSubject(f)} in the explorer`) : null,
      links.impact ? [h('br'), link(links.impact, `impact map: ${findingSubject(f)} down, ${services[0]} selected`)] : null,
    ),
    path.length > 0 ? [h('h4', {}, 'Path (relationships as stored)'), stepList(path)] : null,
    services.length > 0
      ? [h('h4', {}, 'Business services'), h('ul', {}, ...services.map((s) => h('li', {}, link(`/cis/${encodeURIComponent(s)}`, s))))]
      : null,
    rest.length > 0 ? dl(rest) : null,
  );
}

export async function render(ctx: ViewContext): Promise<void> {
  const api = ctx.session.api;
  const state: AuditState = readState(ctx.params);
  clear(ctx.root);
  const canRun = ctx.session.can('audit:run');
  const head = h('h1', {}, 'Audit');
  const root = h('div', { 'data-audit': 'loading' });
  append(ctx.root, [head, root]);
  const msg = h('p', { role: 'status', class: 'muted' });

  const runNow = canRun
    ? h(
        'button',
        {
          type: 'button',
          'data-action': 'run-audit',
          onclick: async () => {
            runNow!.disabled = true;
            msg.textContent = 'Running the audit rules…';
            try {
              const run = await api.runAudit();
              ctx.navigate(`/audit?${writeState({ run: run.id, rules: [], severity: null, selected: null })}`);
            } catch (err) {
              runNow!.disabled = false;
              msg.textContent = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
              msg.className = 'error';
            }
          },
        },
        'Run audit now',
      )
    : null;

  let trend: AuditTrendPoint[];
  try {
    trend = (await api.auditTrend()).runs;
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) {
      root.setAttribute('data-audit', 'forbidden');
      append(root, [h('p', {}, 'Your role may not read audit runs (it needs the audit:run permission: auditor or admin).')]);
      return;
    }
    throw err;
  }
  const runId = state.run ?? trend[trend.length - 1]?.id ?? null;
  if (runId === null) {
    root.setAttribute('data-audit', 'empty');
    append(root, [h('p', {}, 'No audit run is stored yet.'), h('p', {}, runNow, ' ', msg)]);
    return;
  }
  const run = await api.auditRun(runId);
  if (!state.run) history.replaceState(null, '', `/audit?${writeState({ ...state, run: runId })}`);
  state.run = runId;
  document.title = `Audit ${run.at} — graph-cmdb`;
  const at = trend.findIndex((t) => t.id === run.id);

  const setState = (patch: Partial<AuditState>) => {
    Object.assign(state, patch);
    history.replaceState(null, '', `/audit?${writeState(state)}`);
    draw();
  };

  const sevCounts = h(
    'p',
    { class: 'counts', 'data-audit': 'counts' },
    h('span', { 'data-count': 'findings' }, `${run.summary.findings} findings`),
    ...SEVERITIES.map((s) => [' · ', h('span', { 'data-count': s, class: `sev sev-${s}` }, `${run.summary.bySeverity[s]} ${s}`)]),
    ` · ${run.summary.cis} live CIs`,
  );
  const runInfo = h(
    'p',
    { class: 'muted' },
    `Run ${run.id ?? '(not stored)'} at ${run.at}, graph seq ${run.seq}, rule set ${run.ruleSetHash.slice(0, 12)}…` +
      (trend.length > 1 ? ` — run ${at + 1} of ${trend.length} stored` : ''),
    ' ',
    run.id ? h('a', { href: `/api/v1/audit/runs/${encodeURIComponent(run.id)}/report?format=html`, target: '_blank' }, 'report') : null,
  );
  const older =
    trend.length > 1
      ? h(
          'select',
          {
            'aria-label': 'stored run',
            onchange: (e: Event) =>
              ctx.navigate(
                `/audit?${writeState({ run: (e.target as HTMLSelectElement).value, rules: state.rules, severity: state.severity, selected: null })}`,
              ),
          },
          ...[...trend]
            .reverse()
            .map((t) => h('option', { value: t.id, selected: t.id === run.id }, `${t.at} (seq ${t.seq}, ${t.summary.score} %)`)),
        )
      : null;

  const ruleSel = h(
    'select',
    { 'aria-label': 'rule', 'data-filter': 'rule' },
    h('option', { value: '' }, 'all rules'),
    ...run.rules.map((r) => h('option', { value: r.id, selected: state.rules.includes(r.id) }, `${r.id} (${r.findings})`)),
  );
  ruleSel.addEventListener('change', () => setState({ rules: ruleSel.value ? [ruleSel.value] : [], selected: null }));
  const sevSel = h(
    'select',
    { 'aria-label': 'severity', 'data-filter': 'severity' },
    h('option', { value: '' }, 'all severities'),
    ...SEVERITIES.map((s) => h('option', { value: s, selected: state.severity === s }, s)),
  );
  sevSel.addEventListener('change', () => setState({ severity: (sevSel.value || null) as AuditState['severity'], selected: null }));
  const showEmpty = h('input', { type: 'checkbox', 'aria-label': 'show rules without findings' });
  showEmpty.addEventListener('change', () => draw());

  const list = h('div', { class: 'findings', 'data-audit': 'findings' });
  const details = h('aside', { class: 'details', 'aria-live': 'polite' });

  function draw(): void {
    clear(list);
    const groups = groupFindings(run, state);
    for (const g of groups) {
      if (g.total === 0 && !showEmpty.checked && !state.rules.includes(g.id)) continue;
      append(list, [
        h(
          'section',
          { class: 'rule', 'data-rule': g.id },
          h('h3', {}, g.id, ' ', h('span', { class: 'muted' }, `${g.category} — ${g.description}`)),
          h(
            'p',
            { class: 'rule-counts' },
            h('span', { 'data-rule-count': 'total' }, `${g.total} findings`),
            ...SEVERITIES.filter((s) => g.bySeverity[s] > 0).map((s) => [
              ' · ',
              h('span', { 'data-rule-count': s, class: `sev sev-${s}` }, `${g.bySeverity[s]} ${s}`),
            ]),
          ),
          g.findings.length === 0
            ? null
            : h(
                'ul',
                { class: 'finding-list' },
                ...g.findings.map(({ index, finding }) => {
                  const subject = findingSubject(finding);
                  const links = findingLinks(finding);
                  return h(
                    'li',
                    { 'data-finding': index, class: index === state.selected ? 'selected' : '' },
                    h('span', { class: `sev sev-${finding.severity}` }, finding.severity),
                    ' ',
                    links.explorer ? link(links.explorer, subject!) : h('span', {}, finding.relationship ?? '—'),
                    ' ',
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'linkish',
                        'aria-label': `evidence of finding ${index + 1}`,
                        onclick: () => setState({ selected: index }),
                      },
                      finding.message,
                    ),
                  );
                }),
              ),
        ),
      ]);
    }
    if (list.childNodes.length === 0) append(list, [h('p', { class: 'muted' }, 'No finding matches these filters.')]);
    clear(details);
    const f = state.selected !== null ? run.findings[state.selected] : undefined;
    append(details, [f ? evidenceOf(f) : h('p', { class: 'muted' }, 'Select a finding to see its evidence.')]);
  }

  append(root, [
    runInfo,
    h('p', {}, older, ' ', runNow, ' ', msg),
    scoreCards(run, trend),
    sevCounts,
    run.findingsTotal
      ? h(
          'p',
          { class: 'warn' },
          `This stored run kept the first ${run.findings.length} of ${run.findingsTotal} findings; counts are whole.`,
        )
      : null,
    classTable(run),
    h('div', { class: 'toolbar' }, ruleSel, sevSel, h('label', {}, showEmpty, ' rules without findings')),
    h('div', { class: 'map-row' }, list, details),
  ]);
  draw();
  root.setAttribute('data-audit', 'ready');
}
