/**
 * Health scores (completeness, correctness, compliance, overall), in total and per class: the share
 * of live CIs with no finding of that category, as a percentage with one decimal. A relationship
 * finding counts against its dependent CI (the one whose record or design is wrong). Overall is the
 * mean of the three: each category is one question an auditor asks, none outweighs another.
 */
import type { CI } from '../model/ci.ts';
import { CATEGORIES, type Category, type Finding } from './types.ts';

export interface Scores {
  score: number;
  completeness: number;
  correctness: number;
  compliance: number;
  /** Live CIs the scores are over. */
  cis: number;
}

export interface HealthScores extends Scores {
  byClass: Record<string, Scores>;
}

/** The CI a finding counts against. */
export function findingSubject(f: Finding): string | undefined {
  if (f.ci !== undefined) return f.ci;
  const d = f.evidence.dependent;
  return typeof d === 'string' ? d : undefined;
}

export function healthScores(
  cis: readonly Pick<CI, 'id' | 'class' | 'status'>[],
  findings: readonly Finding[],
  categoryOf: (rule: string) => Category,
): HealthScores {
  const failing: Record<Category, Set<string>> = { completeness: new Set(), correctness: new Set(), compliance: new Set() };
  for (const f of findings) {
    const subject = findingSubject(f);
    if (subject !== undefined) failing[categoryOf(f.rule)].add(subject);
  }
  const total = { cis: 0, completeness: 0, correctness: 0, compliance: 0 };
  const per = new Map<string, typeof total>();
  for (const ci of cis) {
    if (ci.status === 'retired') continue;
    let c = per.get(ci.class);
    if (c === undefined) per.set(ci.class, (c = { cis: 0, completeness: 0, correctness: 0, compliance: 0 }));
    total.cis++;
    c.cis++;
    for (const cat of CATEGORIES) {
      if (failing[cat].has(ci.id)) continue;
      total[cat]++;
      c[cat]++;
    }
  }
  const byClass: Record<string, Scores> = {};
  for (const cls of [...per.keys()].sort()) byClass[cls] = toScores(per.get(cls)!);
  return { ...toScores(total), byClass };
}

function pct(ok: number, n: number): number {
  return n === 0 ? 100 : Math.round((1000 * ok) / n) / 10;
}

function toScores(c: { cis: number; completeness: number; correctness: number; compliance: number }): Scores {
  const completeness = pct(c.completeness, c.cis);
  const correctness = pct(c.correctness, c.cis);
  const compliance = pct(c.compliance, c.cis);
  return {
    score: Math.round(((completeness + correctness + compliance) / 3) * 10) / 10,
    completeness,
    correctness,
    compliance,
    cis: c.cis,
  };
}
