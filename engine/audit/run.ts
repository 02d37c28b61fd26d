/**
 * Runs a rule set over one graph and folds the findings into a result: findings in rule order
 * (then by subject), counts per rule and severity, health scores. Pure: the caller hands the mirror
 * graph, the impact index, the registry, the CI documents and the clock.
 */
import type { CI } from '../model/ci.ts';
import type { RuleSet } from './rule-file.ts';
import { healthScores, type HealthScores } from './scores.ts';
import type { AuditContext, AuditInput, Category, Finding, Severity } from './types.ts';

export interface RuleSummary {
  id: string;
  category: Category;
  description: string;
  findings: number;
}

export interface AuditResult {
  summary: Omit<HealthScores, 'byClass'> & { findings: number; bySeverity: Record<Severity, number> };
  byClass: HealthScores['byClass'];
  rules: RuleSummary[];
  findings: Finding[];
  ruleSetHash: string;
}

export function runAudit(input: AuditInput, ruleSet: RuleSet): AuditResult {
  const ctx = auditContext(input);
  const findings: Finding[] = [];
  const rules: RuleSummary[] = [];
  const category = new Map<string, Category>();
  for (const rule of ruleSet.rules) {
    const found = rule.run(ctx).sort(compareFindings);
    findings.push(...found);
    category.set(rule.id, rule.category);
    rules.push({ id: rule.id, category: rule.category, description: rule.description, findings: found.length });
  }
  const { byClass, ...scores } = healthScores(input.cis, findings, (r) => category.get(r) ?? 'compliance');
  const bySeverity = severityCounts(findings);
  return { summary: { ...scores, findings: findings.length, bySeverity }, byClass, rules, findings, ruleSetHash: ruleSet.hash };
}

/**
 * The context one run hands its rules: the input, the id map built on first use (no built-in rule
 * reads it, so a run of them never builds a million-entry map), and a memo for what several rules
 * derive from the same input (`derived`), dropped with the context at the end of the run.
 */
export function auditContext(input: AuditInput): AuditContext {
  let byId: Map<string, CI> | undefined;
  const memo = new Map<object, unknown>();
  return {
    ...input,
    get byId(): ReadonlyMap<string, CI> {
      if (byId === undefined) {
        // A loop, not `new Map(cis.map(...))`: no million two-element arrays to build and collect.
        byId = new Map();
        for (const c of input.cis) byId.set(c.id, c);
      }
      return byId;
    },
    derived<T>(key: object, make: () => T): T {
      if (memo.has(key)) return memo.get(key) as T;
      const value = make();
      memo.set(key, value);
      return value;
    },
  };
}

/** How one rule's findings are ordered: by subject (CI or relationship id), then message. */
export function compareFindings(a: Finding, b: Finding): number {
  const ka = a.ci ?? a.relationship ?? '';
  const kb = b.ci ?? b.relationship ?? '';
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  return bySeverity;
}

/** Whether a result should fail a run given `--fail-on` (error: errors only; warning: errors or warnings). */
export function failsOn(result: AuditResult, level: 'error' | 'warning' | undefined): boolean {
  if (level === undefined) return false;
  return result.summary.bySeverity.error > 0 || (level === 'warning' && result.summary.bySeverity.warning > 0);
}
