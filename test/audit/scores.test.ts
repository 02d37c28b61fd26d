/** Health scores: share of live CIs without a finding per category, per class and in total. */
import { describe, expect, it } from 'vitest';
import { findingSubject, healthScores, type Finding } from '../../engine/audit/index.ts';
import { audit, graphOf } from './helpers.ts';

describe('health scores', () => {
  it('counts each CI once per category, a relationship finding against its dependent, and skips retired CIs', () => {
    const cis = [
      { id: 's1', class: 'Server', status: 'in_service' as const },
      { id: 's2', class: 'Server', status: 'in_service' as const },
      { id: 'a1', class: 'Application', status: 'in_service' as const },
      { id: 'a2', class: 'Application', status: 'in_service' as const },
      { id: 'old', class: 'Application', status: 'retired' as const },
    ];
    const f = (rule: string, ci?: string, dependent?: string): Finding => ({
      rule,
      severity: 'warning',
      message: '',
      evidence: dependent ? { dependent } : {},
      ...(ci ? { ci } : { relationship: `${dependent}|X|y` }),
    });
    const cat = (r: string) => (r === 'req' ? 'completeness' : r === 'dup' ? 'correctness' : 'compliance');
    const s = healthScores(
      cis,
      [f('req', 's1'), f('req', 's1'), f('dup', 'a1'), f('ret', undefined, 'a1'), f('ret', undefined, 'a2')],
      cat,
    );
    expect(s).toMatchObject({ cis: 4, completeness: 75, correctness: 75, compliance: 50, score: 66.7 });
    expect(s.byClass.Server).toEqual({ cis: 2, completeness: 50, correctness: 100, compliance: 100, score: 83.3 });
    expect(s.byClass.Application).toEqual({ cis: 2, completeness: 100, correctness: 50, compliance: 0, score: 50 });
  });

  it('is 100 everywhere on a clean graph and drops when a defect is added', () => {
    const clean = graphOf(
      [
        { id: 'a', class: 'Application', attributes: { version: '1' } },
        { id: 'b', class: 'Application', attributes: { version: '1' } },
      ],
      ['a DEPENDS_ON b'],
    );
    expect(audit(clean).summary).toMatchObject({ score: 100, completeness: 100, correctness: 100, compliance: 100, findings: 0 });
    const dirty = graphOf(
      [
        { id: 'a', class: 'Application', attributes: {} },
        { id: 'b', class: 'Application', attributes: { version: '1' } },
      ],
      ['a DEPENDS_ON b'],
    );
    expect(audit(dirty).summary).toMatchObject({
      completeness: 50,
      correctness: 100,
      compliance: 100,
      score: 83.3,
      findings: 1,
      bySeverity: { error: 0, warning: 1, info: 0 },
    });
  });
});

describe('health scores: edges', () => {
  const f = (ci: string | undefined, evidence: Record<string, unknown> = {}): Finding => ({
    rule: 'r',
    severity: 'warning',
    message: 'm',
    evidence,
    ...(ci === undefined ? {} : { ci }),
  });

  it('names the subject of a finding: its CI, else a dependent named by a string, else none', () => {
    expect(findingSubject(f('x', { dependent: 'y' }))).toBe('x');
    expect(findingSubject(f(undefined, { dependent: 'y' }))).toBe('y');
    expect(findingSubject(f(undefined, { dependent: 42 }))).toBeUndefined();
    expect(findingSubject(f(undefined, { dependent: { id: 'y' } }))).toBeUndefined();
    expect(findingSubject(f(undefined))).toBeUndefined();
  });

  it('scores an estate with no live CI at 100 everywhere', () => {
    const none = { score: 100, completeness: 100, correctness: 100, compliance: 100, cis: 0 };
    expect(healthScores([], [], () => 'compliance')).toEqual({ ...none, byClass: {} });
    expect(healthScores([{ id: 'r', class: 'Server', status: 'retired' }], [f('r')], () => 'compliance')).toEqual({ ...none, byClass: {} });
  });

  it('lists classes in name order, whatever order the CIs come in', () => {
    const cis = ['Switch', 'Application', 'Server', 'Application', 'Database'].map((c, i) => ({
      id: `c${i}`,
      class: c,
      status: 'in_service' as const,
    }));
    expect(Object.keys(healthScores(cis, [], () => 'compliance').byClass)).toEqual(['Application', 'Database', 'Server', 'Switch']);
  });
});
