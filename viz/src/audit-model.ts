/**
 * The audit view's model, pure so it is unit-tested without a browser: an audit run's findings
 * grouped by rule (in the run's rule order, with counts per severity), the view state read from
 * and written to the URL (rule filter, severity, selected finding), where each finding opens on
 * the map, and the points of a score's sparkline. It only reshapes what the API answered: counts
 * come from the run, never from re-running a rule.
 */
import type { AuditFinding, AuditRun, Severity, Step } from './api.ts';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export interface RuleGroup {
  id: string;
  category: string;
  description: string;
  /** The run's count for this rule (whole, even when a stored run kept only the first findings). */
  total: number;
  bySeverity: Record<Severity, number>;
  /** Findings of this rule that pass the filter, each with its index in `run.findings` (its stable key). */
  findings: { index: number; finding: AuditFinding }[];
}

export interface AuditState {
  run: string | null;
  rules: string[];
  severity: Severity | null;
  /** Index of the selected finding in the run's findings. */
  selected: number | null;
}

export function readState(p: URLSearchParams): AuditState {
  const sev = p.get('severity');
  const f = p.get('finding');
  const n = f !== null && /^\d+$/.test(f) ? Number(f) : null;
  return {
    run: p.get('run'),
    rules: p.getAll('rule').filter(Boolean),
    severity: SEVERITIES.includes(sev as Severity) ? (sev as Severity) : null,
    selected: n,
  };
}

export function writeState(s: AuditState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.run) p.set('run', s.run);
  for (const r of s.rules) p.append('rule', r);
  if (s.severity) p.set('severity', s.severity);
  if (s.selected !== null) p.set('finding', String(s.selected));
  return p;
}

export function groupFindings(run: AuditRun, state: Pick<AuditState, 'rules' | 'severity'>): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const r of run.rules)
    groups.set(r.id, {
      id: r.id,
      category: r.category,
      description: r.description,
      total: r.findings,
      bySeverity: { error: 0, warning: 0, info: 0 },
      findings: [],
    });
  run.findings.forEach((finding, index) => {
    let g = groups.get(finding.rule);
    if (!g) {
      // a finding of a rule the summary does not list (an older stored run): still shown, never dropped
      g = { id: finding.rule, category: '', description: '', total: 0, bySeverity: { error: 0, warning: 0, info: 0 }, findings: [] };
      groups.set(finding.rule, g);
    }
    if (!run.rules.some((r) => r.id === finding.rule)) g.total++;
    g.bySeverity[finding.severity]++;
    if (state.severity && finding.severity !== state.severity) return;
    g.findings.push({ index, finding });
  });
  const wanted = new Set(state.rules);
  return [...groups.values()].filter((g) => wanted.size === 0 || wanted.has(g.id));
}

/** The CI a finding is about: its own CI, else the dependent end of a relationship finding. */
export function findingSubject(f: AuditFinding): string | undefined {
  if (f.ci !== undefined) return f.ci;
  const d = f.evidence.dependent;
  return typeof d === 'string' ? d : undefined;
}

/** The evidence path of a topology rule (relationships as stored), when the finding carries one. */
export function evidencePath(f: AuditFinding): Step[] {
  const p = f.evidence.path;
  if (!Array.isArray(p)) return [];
  return p.filter(
    (s): s is Step =>
      typeof s === 'object' &&
      s !== null &&
      typeof (s as Step).from === 'string' &&
      typeof (s as Step).to === 'string' &&
      typeof (s as Step).type === 'string',
  );
}

/** The business services a finding names (single point of failure, certificate expiry). */
export function findingServices(f: AuditFinding): string[] {
  const one = f.evidence.service;
  const many = f.evidence.services;
  const out: string[] = [];
  if (typeof one === 'string') out.push(one);
  if (Array.isArray(many))
    for (const s of many) {
      const id = typeof s === 'string' ? s : (s as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && !out.includes(id)) out.push(id);
    }
  return out;
}

/**
 * Where a finding opens: the explorer on its CI, and — when it names business services — the
 * impact map of that CI going down with the first service selected, so the map highlights the path
 * by which the finding's CI takes the service down (the server computes that path, not the page).
 */
export function findingLinks(f: AuditFinding): { explorer: string | null; impact: string | null } {
  const ci = findingSubject(f);
  if (ci === undefined) return { explorer: null, impact: null };
  const services = findingServices(f);
  const explorer = `/cis/${encodeURIComponent(ci)}`;
  if (services.length === 0) return { explorer, impact: null };
  const q = new URLSearchParams();
  q.set('ci', ci);
  q.set('sel', services[0]!);
  return { explorer, impact: `/impact?${q}` };
}

/**
 * Points of a sparkline `width` × `height` for `values` (oldest first), scaled between their own
 * minimum and maximum (a score moving from 98.4 to 99.1 must be visible), flat in the middle when
 * they are all equal. One value is drawn as a short level line.
 */
export function sparkPoints(values: readonly number[], width: number, height: number, pad = 2): [number, number][] {
  if (values.length === 0) return [];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const y = (v: number) => (hi === lo ? height / 2 : pad + ((hi - v) / (hi - lo)) * (height - 2 * pad));
  if (values.length === 1)
    return [
      [pad, y(values[0]!)],
      [width - pad, y(values[0]!)],
    ];
  const step = (width - 2 * pad) / (values.length - 1);
  return values.map((v, i) => [Math.round((pad + i * step) * 10) / 10, Math.round(y(v) * 10) / 10]);
}
