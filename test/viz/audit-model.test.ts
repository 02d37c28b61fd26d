/**
 * The audit view's model (viz/src/audit-model.ts): findings grouped by rule with the run's counts,
 * the URL state round trip, where a finding opens, and sparkline scaling.
 */
import { describe, expect, it } from 'vitest';
import type { AuditFinding, AuditRun } from '../../viz/src/api.ts';
import { evidencePath, findingLinks, groupFindings, readState, sparkPoints, writeState } from '../../viz/src/audit-model.ts';

const f = (rule: string, severity: AuditFinding['severity'], extra: Partial<AuditFinding> = {}): AuditFinding => ({
  rule,
  severity,
  message: `${rule} ${severity}`,
  evidence: {},
  ...extra,
});
const scores = { score: 90, completeness: 90, correctness: 90, compliance: 90, cis: 10 };
const run: AuditRun = {
  id: 'run-1',
  seq: 5,
  at: '2026-12-03T10:00:00Z',
  ruleSetHash: 'abc',
  summary: { ...scores, findings: 4, bySeverity: { error: 2, warning: 2, info: 0 } },
  byClass: {},
  rules: [
    { id: 'orphan', category: 'correctness', description: 'o', findings: 2 },
    { id: 'stale', category: 'correctness', description: 's', findings: 0 },
    { id: 'single-point-of-failure', category: 'compliance', description: 'p', findings: 2 },
  ],
  findings: [
    f('orphan', 'warning', { ci: 'a' }),
    f('orphan', 'warning', { ci: 'b' }),
    f('single-point-of-failure', 'error', {
      ci: 'srv',
      evidence: { service: 'svc', path: [{ from: 'svc', type: 'DEPENDS_ON', to: 'srv' }] },
    }),
    f('single-point-of-failure', 'error', { ci: 'srv2', evidence: { service: 'svc' } }),
  ],
};

describe('the audit view model', () => {
  it("groups findings by rule in the run's rule order, keeps each finding's index, and counts severities", () => {
    const groups = groupFindings(run, { rules: [], severity: null });
    expect(groups.map((g) => [g.id, g.total, g.findings.map((x) => x.index)])).toEqual([
      ['orphan', 2, [0, 1]],
      ['stale', 0, []],
      ['single-point-of-failure', 2, [2, 3]],
    ]);
    expect(groups[2]!.bySeverity).toEqual({ error: 2, warning: 0, info: 0 });
  });

  it('filters by rule and severity without changing the per-rule counts', () => {
    const groups = groupFindings(run, { rules: ['orphan', 'single-point-of-failure'], severity: 'error' });
    expect(groups.map((g) => [g.id, g.total, g.findings.length])).toEqual([
      ['orphan', 2, 0],
      ['single-point-of-failure', 2, 2],
    ]);
  });

  it('still lists a finding of a rule the run summary does not name', () => {
    const groups = groupFindings({ ...run, findings: [...run.findings, f('custom', 'info', { ci: 'x' })] }, { rules: [], severity: null });
    expect(groups.at(-1)).toMatchObject({ id: 'custom', total: 1, findings: [{ index: 4 }] });
  });

  it('round-trips the view state through the URL and ignores a bad severity or finding', () => {
    const s = { run: 'run-1', rules: ['orphan'], severity: 'error' as const, selected: 3 };
    expect(readState(writeState(s))).toEqual(s);
    expect(readState(new URLSearchParams('severity=fatal&finding=x'))).toEqual({ run: null, rules: [], severity: null, selected: null });
  });

  it('opens a CI finding in the explorer, a service-naming one also on the impact map, a relationship finding on its dependent', () => {
    expect(findingLinks(run.findings[0]!)).toEqual({ explorer: '/cis/a', impact: null });
    expect(findingLinks(run.findings[2]!)).toEqual({ explorer: '/cis/srv', impact: '/impact?ci=srv&sel=svc' });
    const rel = f('retired-dependency', 'error', { relationship: 'x|DEPENDS_ON|y', evidence: { dependent: 'x', provider: 'y' } });
    expect(findingLinks(rel).explorer).toBe('/cis/x');
    expect(findingLinks(f('duplicate', 'error')).explorer).toBeNull();
  });

  it('reads only well-formed steps from an evidence path', () => {
    expect(evidencePath(f('r', 'info', { evidence: { path: [{ from: 'a', type: 'T', to: 'b' }, { from: 1 }, null] } }))).toEqual([
      { from: 'a', type: 'T', to: 'b' },
    ]);
  });

  it('scales a sparkline between its own minimum and maximum, flat when all values are equal', () => {
    expect(sparkPoints([98, 99, 100], 104, 24)).toEqual([
      [2, 22],
      [52, 12],
      [102, 2],
    ]);
    expect(sparkPoints([5, 5], 10, 20).map((p) => p[1])).toEqual([10, 10]);
    expect(sparkPoints([7], 10, 20)).toEqual([
      [2, 10],
      [8, 10],
    ]);
    expect(sparkPoints([], 10, 20)).toEqual([]);
  });
});
