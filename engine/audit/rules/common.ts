/**
 * What the built-in rules share: the severity parameter, which CIs count as live, and how a rule's
 * parameters are declared (a zod schema with defaults, so a rule file can tune them and a typo is
 * refused with the rule and field named).
 */
import { z } from 'zod';
import type { CI } from '../../model/ci.ts';
import { forEachNeighbour, stepOf, type ImpactIndex } from '../../impact/index.ts';
import type { NodeAttrs } from '../../mirror/types.ts';
import { SEVERITIES, type AuditGraph, type AuditRule, type Category, type PathStep } from '../types.ts';

export const SeverityParam = z.enum(SEVERITIES);

/** How a built-in rule is declared: its id, category, parameter schema (defaults included) and factory. */
export interface BuiltinDef<S extends z.ZodObject> {
  id: string;
  category: Category;
  description: string;
  params: S;
  create(params: z.output<S>): AuditRule;
}

/**
 * A built-in rule as the rule list holds it: the parameters' type stays inside `compile`, so one
 * list holds rules with different parameters, no cast needed.
 */
export interface BuiltinRule {
  id: string;
  category: Category;
  description: string;
  /** Parses a rule file's parameters for this rule (defaults applied) and builds the rule from them. */
  compile(given: unknown): { success: true; params: Record<string, unknown>; rule: AuditRule } | { success: false; error: z.ZodError };
}

export function defineBuiltin<S extends z.ZodObject>(def: BuiltinDef<S>): BuiltinRule {
  return {
    id: def.id,
    category: def.category,
    description: def.description,
    compile(given) {
      const parsed = def.params.safeParse(given);
      return parsed.success
        ? { success: true, params: parsed.data, rule: def.create(parsed.data) }
        : { success: false, error: parsed.error };
    },
  };
}

/** Retired CIs are history, not estate: rules about the live CMDB skip them. */
export function isLive(ci: Pick<CI, 'status'>): boolean {
  return ci.status !== 'retired';
}

/** An attribute counts as present when it holds a value; null and '' are how exports say "unknown". */
export function hasValue(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/**
 * Visits every propagating reliance (dependent → provider, as the impact index holds them) whose
 * two ends pass `test` on their mirror attributes; only for those is the stored relationship's id
 * looked up — the scan itself reads the index's typed arrays, not graphology's edge objects.
 */
export function forEachReliance(
  index: ImpactIndex,
  graph: AuditGraph,
  test: (dependent: NodeAttrs, provider: NodeAttrs) => boolean,
  cb: (relationship: string, step: PathStep, dependent: string, provider: string) => void,
): void {
  const { attrs, nodeIds } = index;
  // Stryker disable next-line EqualityOperator: equivalent — node n has no entries in the typed arrays, so one more turn visits nothing
  for (let d = 0; d < index.n; d++) {
    const da = attrs[d]!;
    // Stryker disable next-line StringLiteral: equivalent — forEachNeighbour tests only for 'dependents'; any other value walks providers
    forEachNeighbour(index, d, 'providers', (p, t) => {
      if (!test(da, attrs[p]!)) return;
      const step = stepOf(index, p, d, t);
      let id = '';
      graph.forEachOutEdge(step.from, (key, a, _s, to) => {
        if (id === '' && a.type === step.type && to === step.to) id = key;
      });
      cb(id, step, nodeIds[d]!, nodeIds[p]!);
    });
  }
}
