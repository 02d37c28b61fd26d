/**
 * What the built-in rules share: the severity parameter, which CIs count as live, and how a rule's
 * parameters are declared (a zod schema with defaults, so a rule file can tune them and a typo is
 * refused with the rule and field named).
 */
import { z } from 'zod';
import type { CI } from '../../model/ci.ts';
import type { RelTypeDef, Registry } from '../../model/registry.ts';
import { SEVERITIES, type AuditGraph, type AuditRule, type Category, type PathStep } from '../types.ts';

export const SeverityParam = z.enum(SEVERITIES);

/** A built-in rule: its id, category, parameter schema (defaults included) and factory. */
export interface BuiltinRule<S extends z.ZodType = z.ZodType> {
  id: string;
  category: Category;
  description: string;
  params: S;
  create(params: z.output<S>): AuditRule;
}

export function defineBuiltin<S extends z.ZodType>(def: BuiltinRule<S>): BuiltinRule<S> {
  return def;
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
 * Visits every stored relationship whose type propagates impact, named by its dependent and its
 * provider (the registry says which end provides; MEMBER_OF's provider is `from`).
 */
export function forEachReliance(
  graph: AuditGraph,
  registry: Registry,
  cb: (relationship: string, step: PathStep, dependent: string, provider: string) => void,
): void {
  const defs = new Map<string, RelTypeDef | undefined>();
  graph.forEachEdge((key, attrs, from, to) => {
    let def = defs.get(attrs.type);
    if (!defs.has(attrs.type)) defs.set(attrs.type, (def = registry.relType(attrs.type)));
    if (def === undefined || !def.propagates) return;
    const step: PathStep = { from, type: attrs.type, to };
    if (def.provider === 'to') cb(key, step, from, to);
    else cb(key, step, to, from);
  });
}
