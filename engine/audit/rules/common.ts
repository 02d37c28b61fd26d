/**
 * What the built-in rules share: the severity parameter, which CIs count as live, and how a rule's
 * parameters are declared (a zod schema with defaults, so a rule file can tune them and a typo is
 * refused with the rule and field named).
 */
import { z } from 'zod';
import type { CI } from '../../model/ci.ts';
import { CI_STATUSES, ENVIRONMENTS } from '../../model/ci.ts';
import { stepOf, type ImpactIndex } from '../../impact/index.ts';
import { SEVERITIES, type AuditContext, type AuditGraph, type AuditRule, type Category, type PathStep } from '../types.ts';

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

/** A node's status and environment as small codes (their index in CI_STATUSES / ENVIRONMENTS; 255: other). */
export interface NodeColumns {
  status: Uint8Array;
  environment: Uint8Array;
}

/** `nodeColumns`'s key in the run's memo (a token, never mutated). */
const NODE_COLUMNS = Object.freeze({ memo: 'audit node columns' });

/**
 * Status and environment of every node of the impact index, by dense id, read once per run off the
 * mirror's attribute objects and shared by the rules that test both ends of every reliance: they
 * then scan typed arrays, not a million objects each.
 */
export function nodeColumns(ctx: Pick<AuditContext, 'index' | 'derived'>): NodeColumns {
  return ctx.derived(NODE_COLUMNS, () => {
    const { attrs, n } = ctx.index;
    const status = new Uint8Array(n);
    const environment = new Uint8Array(n);
    for (let d = 0; d < n; d++) {
      const a = attrs[d]!;
      status[d] = code(CI_STATUSES, a.status);
      environment[d] = code(ENVIRONMENTS, a.environment);
    }
    return { status, environment };
  });
}

function code(values: readonly string[], v: string): number {
  const i = values.indexOf(v);
  // Stryker disable next-line ConditionalExpression: equivalent — -1 stored in a Uint8Array is 255
  return i < 0 ? 255 : i;
}

/**
 * Visits every propagating reliance (dependent → provider, as the impact index holds them) whose
 * dependent is marked in `dependents` and provider in `providers` (one byte per dense id); only for
 * those is the stored relationship's id looked up — the scan itself reads typed arrays, not
 * graphology's edge objects or the mirror's attribute objects. Each visit names its own
 * relationship, also when several of one type join the same pair.
 */
export function forEachReliance(
  index: ImpactIndex,
  graph: AuditGraph,
  dependents: Uint8Array,
  providers: Uint8Array,
  cb: (relationship: string, step: PathStep, dependent: string, provider: string) => void,
): void {
  const { nodeIds } = index;
  const { start, end, other, type } = index.prov;
  // Stryker disable next-line EqualityOperator: equivalent — node n has no entries in the typed arrays, so one more turn visits nothing
  for (let d = 0; d < index.n; d++) {
    if (dependents[d] !== 1) continue;
    const stop = end[d]!;
    for (let e = start[d]!; e < stop; e++) {
      const p = other[e]!;
      if (providers[p] !== 1) continue;
      const t = type[e]!;
      const step = stepOf(index, p, d, t);
      // Two stored relationships of one type may join the same pair under different ids: the index
      // holds one entry each, so this entry is the k-th of its pair and type, and names the k-th
      // matching edge of the mirror (each finding its own relationship, not the first one's id).
      let k = 0;
      for (let f = start[d]!; f < e; f++) if (other[f] === p && type[f] === t) k++;
      let id = '';
      graph.forEachOutEdge(step.from, (key, a, _s, to) => {
        if (id === '' && a.type === step.type && to === step.to && k-- === 0) id = key;
      });
      cb(id, step, nodeIds[d]!, nodeIds[p]!);
    }
  }
}
