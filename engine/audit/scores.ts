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
  // One map, a bit per category: a CI costs one lookup, and most CIs (no finding) miss it.
  const failing = new Map<string, number>();
  const bit = (cat: Category) => 1 << CATEGORIES.indexOf(cat);
  for (const f of findings) {
    const subject = findingSubject(f);
    // Stryker disable next-line ConditionalExpression: equivalent — an entry under `undefined` is never asked (CI ids are strings)
    if (subject !== undefined) failing.set(subject, (failing.get(subject) ?? 0) | bit(categoryOf(f.rule)));
  }
  const total = { cis: 0, completeness: 0, correctness: 0, compliance: 0 };
  const per = new Map<string, typeof total>();
  // CIs come grouped by class more often than not: the last class's tally is kept at hand.
  let lastClass: string | undefined;
  let c = total;
  for (const ci of cis) {
    if (ci.status === 'retired') continue;
    // Stryker disable next-line ConditionalExpression: equivalent — a cache of the last class's tally; looking it up again finds the same one
    if (ci.class !== lastClass) {
      lastClass = ci.class;
      let found = per.get(ci.class);
      if (found === undefined) per.set(ci.class, (found = { cis: 0, completeness: 0, correctness: 0, compliance: 0 }));
      c = found;
    }
    total.cis++;
    c.cis++;
    // Stryker disable next-line ConditionalExpression: equivalent — an empty map answers undefined, read as 0 (performance only)
    const failed = failing.size === 0 ? 0 : (failing.get(ci.id) ?? 0);
    if ((failed & 1) === 0) {
      total.completeness++;
      c.completeness++;
    }
    if ((failed & 2) === 0) {
      total.correctness++;
      c.correctness++;
    }
    if ((failed & 4) === 0) {
      total.compliance++;
      c.compliance++;
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
