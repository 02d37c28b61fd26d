/** Health scores: share of live CIs without a finding per category, per class and in total. */
import { describe, expect, it } from 'vitest';
import { healthScores, type Finding } from '../../engine/audit/index.ts';
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
