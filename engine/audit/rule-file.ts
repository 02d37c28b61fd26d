/**
 * Rules as data: a rule file (YAML or JSON) tunes or disables built-in rules and declares user
 * rules — a scope (class, environment, status, tags, attributes) and a condition every CI in scope
 * must meet, with a severity. Validated with zod; every error names the rule and the field.
 *
 * The condition language is small and declarative (no code, no queries):
 *   { all: [c…] } | { any: [c…] } | { not: c }
 *   { attribute: NAME, <op> } | { field: id|class|name|status|environment|criticality|owner, <op> }
 *     where <op> is one of exists: bool | equals: v | notEquals: v | in: [v…] | matches: REGEX |
 *     gt | gte | lt | lte: number | olderThanDays | newerThanDays: number (a date value)
 *   { tag: NAME }  (the CI carries the tag)
 *   { relationship: { type: TYPE, direction: out|in|any, min: n, max: n } }  (count of that type)
 *
 * ```yaml
 * builtins: { stale: { days: 90 }, unsupported: false }
 * rules:
 *   - id: prod-db-backed-up
 *     description: production databases are backed up
 *     severity: error
 *     scope: { classes: [Database], environments: [production] }
 *     condition: { relationship: { type: BACKED_UP_BY, direction: out, min: 1 } }
 * ```
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { CI_STATUSES, ENVIRONMENTS, type CI } from '../model/ci.ts';
import type { Registry } from '../model/registry.ts';
import { InputError, SemanticError } from '../errors.ts';
import { BUILTIN_RULES } from './rules/index.ts';
import { SeverityParam } from './rules/common.ts';
import { canonicalJson, sha256Hex } from './hash-chain.ts';
import { CATEGORIES, type AuditContext, type AuditRule, type Finding } from './types.ts';

// Each union names what it wanted: zod's own message for a union is a bare "Invalid input", and
// pickIssue explains only the condition union (by its message) in terms of condition keys.
const Json: z.ZodType<unknown> = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a string, number, boolean or null',
});
const NOT_A_CONDITION = 'not a condition';

const Ops = {
  exists: z.boolean().optional(),
  equals: Json.optional(),
  notEquals: Json.optional(),
  in: z.array(Json).optional(),
  matches: z.string().max(500).optional(),
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
  olderThanDays: z.number().min(0).optional(),
  newerThanDays: z.number().min(0).optional(),
};
const OP_NAMES = Object.keys(Ops);

export const FIELDS = ['id', 'class', 'name', 'status', 'environment', 'criticality', 'owner'] as const;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | ({ attribute: string } & Partial<Record<keyof typeof Ops, unknown>>)
  | ({ field: (typeof FIELDS)[number] } & Partial<Record<keyof typeof Ops, unknown>>)
  | { tag: string }
  | { relationship: { type: string; direction: 'out' | 'in' | 'any'; min: number; max?: number | undefined } };

const oneOp = (v: Record<string, unknown>) => OP_NAMES.filter((k) => v[k] !== undefined).length === 1;
const OP_MESSAGE = `give exactly one operator: ${OP_NAMES.join(', ')}`;

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union(
    [
      z.object({ all: z.array(ConditionSchema).min(1) }).strict(),
      z.object({ any: z.array(ConditionSchema).min(1) }).strict(),
      z.object({ not: ConditionSchema }).strict(),
      z
        .object({ attribute: z.string().min(1), ...Ops })
        .strict()
        .refine(oneOp, OP_MESSAGE),
      z
        .object({ field: z.enum(FIELDS), ...Ops })
        .strict()
        .refine(oneOp, OP_MESSAGE),
      z.object({ tag: z.string().min(1) }).strict(),
      z
        .object({
          relationship: z
            .object({
              type: z.string().min(1),
              direction: z.enum(['out', 'in', 'any']).default('any'),
              min: z.number().int().min(0).default(1),
              max: z.number().int().min(0).optional(),
            })
            .strict(),
        })
        .strict(),
    ],
    { error: NOT_A_CONDITION },
  ),
) as z.ZodType<Condition>;

export const Scope = z
  .object({
    classes: z.array(z.string()).optional(),
    environments: z.array(z.enum(ENVIRONMENTS)).optional(),
    statuses: z.array(z.enum(CI_STATUSES)).optional(),
    /** Every listed tag must be present. */
    tags: z.array(z.string()).optional(),
    /** Attribute values that must be equal. */
    attributes: z.record(z.string(), Json).optional(),
  })
  .strict();
export type Scope = z.output<typeof Scope>;

const RuleId = z.string().regex(/^[a-z][a-z0-9-]{0,79}$/, 'must be lower-kebab-case (a-z, 0-9, -), at most 80 characters');

export const UserRule = z
  .object({
    id: RuleId,
    description: z.string().min(1).max(500),
    severity: SeverityParam.default('warning'),
    category: z.enum(CATEGORIES).default('compliance'),
    scope: Scope.default({}),
    condition: ConditionSchema,
  })
  .strict();
export type UserRule = z.output<typeof UserRule>;

export const RuleFile = z
  .object({
    version: z.literal(1).default(1),
    /** Per built-in rule: `false` disables it, an object sets its parameters. */
    builtins: z
      .record(
        z.string(),
        z.union([z.literal(false), z.record(z.string(), z.unknown())], { error: 'expected false (off) or an object of parameters' }),
      )
      .default({}),
    rules: z.array(UserRule).default([]),
  })
  .strict();
export type RuleFile = z.output<typeof RuleFile>;

/** A compiled rule set: the rules to run and what identifies it in reports. */
export interface RuleSet {
  rules: AuditRule[];
  /** The effective configuration (built-in parameters with defaults, user rules), canonical. */
  config: { builtins: Record<string, false | Record<string, unknown>>; rules: UserRule[] };
  /** SHA-256 of the canonical JSON of `config`: two reports with one hash ran the same rules. */
  hash: string;
}

/** Parses a rule file's text (YAML is a superset of JSON, so one parser reads both). */
export function parseRuleFile(text: string, source: string): RuleFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new InputError(`rule file "${source}": not valid YAML or JSON: ${(err as Error).message}`);
  }
  const parsed = RuleFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = pickIssue(parsed.error.issues, raw);
    throw new InputError(
      `rule file "${source}": ${where(raw, issue.path)}: ${issue.message}`,
      parsed.error.issues.map((i) => ({
        path: plainPath(i.path),
        code: i.code,
        message: i.message,
      })),
    );
  }
  return parsed.data;
}

/** Builds the rule set: built-ins with their parameters, then user rules; refuses unknown names. */
export function compileRuleSet(file: RuleFile | undefined, registry: Registry, source = 'rule file'): RuleSet {
  const f = file ?? RuleFile.parse({});
  const rules: AuditRule[] = [];
  const builtins: Record<string, false | Record<string, unknown>> = {};
  const known = new Set(BUILTIN_RULES.map((b) => b.id));
  for (const id of Object.keys(f.builtins)) {
    if (!known.has(id))
      throw new InputError(`rule file "${source}": built-in rule "${id}" does not exist (known: ${[...known].join(', ')})`, [
        { path: ['builtins', id], code: 'unknown_rule', message: 'no such built-in rule' },
      ]);
  }
  for (const b of BUILTIN_RULES) {
    const given = f.builtins[b.id];
    if (given === false) {
      builtins[b.id] = false;
      continue;
    }
    const parsed = b.compile(given ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(
        `rule file "${source}": built-in rule "${b.id}", field "${issue.path.join('.') || '(parameters)'}": ${issue.message}`,
        parsed.error.issues.map((i) => ({
          path: ['builtins', b.id, ...plainPath(i.path)],
          code: i.code,
          message: i.message,
        })),
      );
    }
    const { params } = parsed;
    for (const cls of (params.classes as string[] | undefined) ?? []) {
      if (!registry.classDef(cls))
        throw new SemanticError(`rule file "${source}": built-in rule "${b.id}", field "classes": unknown class "${cls}"`, {
          rule: b.id,
          path: ['classes'],
          value: cls,
        });
    }
    builtins[b.id] = params;
    rules.push(parsed.rule);
  }
  const ids = new Set<string>(known);
  for (const r of f.rules) {
    if (ids.has(r.id))
      throw new SemanticError(`rule file "${source}": rule "${r.id}" is defined twice (or shadows a built-in rule)`, {
        rule: r.id,
        path: ['id'],
      });
    ids.add(r.id);
    checkUserRule(r, registry, source);
    rules.push(compileUserRule(r));
  }
  const config = { builtins, rules: f.rules };
  return { rules, config, hash: sha256Hex(canonicalJson(config)) };
}

function checkUserRule(r: UserRule, registry: Registry, source: string): void {
  const fail = (field: string, message: string, value: unknown) => {
    throw new SemanticError(`rule file "${source}": rule "${r.id}", field "${field}": ${message}`, {
      rule: r.id,
      path: field.split('.'),
      value,
    });
  };
  for (const cls of r.scope.classes ?? []) if (!registry.classDef(cls)) fail('scope.classes', `unknown class "${cls}"`, cls);
  const walk = (c: Condition, path: string): void => {
    if ('all' in c) return c.all.forEach((x, i) => walk(x, `${path}.all.${i}`));
    if ('any' in c) return c.any.forEach((x, i) => walk(x, `${path}.any.${i}`));
    if ('not' in c) return walk(c.not, `${path}.not`);
    if ('relationship' in c) {
      if (!registry.relType(c.relationship.type))
        fail(`${path}.relationship.type`, `unknown relationship type "${c.relationship.type}"`, c.relationship.type);
      return;
    }
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent — `matches` is a string whenever present (zod), and `new RegExp(undefined)` is valid
    if ('matches' in c && typeof c.matches === 'string') {
      try {
        new RegExp(c.matches);
      } catch (err) {
        fail(`${path}.matches`, `not a valid regular expression: ${(err as Error).message}`, c.matches);
      }
    }
  };
  walk(r.condition, 'condition');
}

function compileUserRule(r: UserRule): AuditRule {
  return {
    id: r.id,
    category: r.category,
    description: r.description,
    run(ctx: AuditContext): Finding[] {
      const test = compileCondition(r.condition, ctx);
      const inScope = compileScope(r.scope, ctx);
      const out: Finding[] = [];
      for (const ci of ctx.cis) {
        if (!inScope(ci) || test(ci)) continue;
        out.push({
          rule: r.id,
          ci: ci.id,
          severity: r.severity,
          message: `${ci.class} "${ci.id}" fails rule "${r.id}": ${r.description}`,
          evidence: { condition: r.condition },
        });
      }
      return out;
    },
  };
}

function compileScope(s: Scope, { registry }: AuditContext): (ci: CI) => boolean {
  const classCache = new Map<string, boolean>();
  return (ci) => {
    if (s.classes) {
      let ok = classCache.get(ci.class);
      // Stryker disable next-line ConditionalExpression: a cache; recomputing gives the same answer
      if (ok === undefined) classCache.set(ci.class, (ok = s.classes.some((c) => registry.isA(ci.class, c))));
      if (!ok) return false;
    }
    if (s.environments && !s.environments.includes(ci.environment)) return false;
    if (s.statuses && !s.statuses.includes(ci.status)) return false;
    if (s.tags && !s.tags.every((t) => ci.tags.includes(t))) return false;
    if (s.attributes) for (const [k, v] of Object.entries(s.attributes)) if (ci.attributes[k] !== v) return false;
    return true;
  };
}

const DAY_MS = 86_400_000;

function compileCondition(c: Condition, ctx: AuditContext): (ci: CI) => boolean {
  if ('all' in c) {
    const parts = c.all.map((x) => compileCondition(x, ctx));
    return (ci) => parts.every((p) => p(ci));
  }
  if ('any' in c) {
    const parts = c.any.map((x) => compileCondition(x, ctx));
    return (ci) => parts.some((p) => p(ci));
  }
  if ('not' in c) {
    const inner = compileCondition(c.not, ctx);
    return (ci) => !inner(ci);
  }
  if ('tag' in c) return (ci) => ci.tags.includes(c.tag);
  if ('relationship' in c) {
    const { type, direction, min, max } = c.relationship;
    const { graph } = ctx;
    return (ci) => {
      if (!graph.hasNode(ci.id)) return min === 0;
      let n = 0;
      const count = (_e: string, a: { type: string }) => {
        if (a.type === type) n++;
      };
      if (direction !== 'in') graph.forEachOutEdge(ci.id, count);
      if (direction !== 'out') graph.forEachInEdge(ci.id, count);
      return n >= min && (max === undefined || n <= max);
    };
  }
  const read: (ci: CI) => unknown =
    'attribute' in c ? (ci) => ci.attributes[c.attribute] : (ci) => (ci as unknown as Record<string, unknown>)[c.field];
  const op = c as Record<string, unknown>;
  const now = ctx.now.getTime();
  if (op.exists !== undefined) return (ci) => (read(ci) !== undefined && read(ci) !== null && read(ci) !== '') === op.exists;
  if (op.equals !== undefined) return (ci) => read(ci) === op.equals;
  if (op.notEquals !== undefined) return (ci) => read(ci) !== op.notEquals;
  if (op.in !== undefined) return (ci) => (op.in as unknown[]).includes(read(ci));
  if (op.matches !== undefined) {
    const re = new RegExp(op.matches as string);
    return (ci) => {
      const v = read(ci);
      return typeof v === 'string' && re.test(v);
    };
  }
  for (const k of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (op[k] === undefined) continue;
    const bound = op[k] as number;
    return (ci) => {
      const v = read(ci);
      if (typeof v !== 'number') return false;
      return k === 'gt' ? v > bound : k === 'gte' ? v >= bound : k === 'lt' ? v < bound : v <= bound;
    };
  }
  const days = (op.olderThanDays ?? op.newerThanDays) as number;
  const older = op.olderThanDays !== undefined;
  return (ci) => {
    const v = read(ci);
    const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    // Stryker disable next-line ConditionalExpression: every comparison with NaN is false anyway; the test says so
    if (Number.isNaN(t)) return false;
    return older ? t < now - days * DAY_MS : t >= now - days * DAY_MS;
  };
}

/**
 * The deepest issue of a union failure names the field the author most likely got wrong — among
 * the keys the author wrote: a branch complaining that its own key is missing (`all` of a
 * `{ field: … }` condition) says nothing about what was written.
 */
function pickIssue(issues: readonly z.core.$ZodIssue[], raw: unknown): { path: PropertyKey[]; message: string } {
  const first = issues[0]!;
  // Only the condition union carries this message.
  if (first.message === NOT_A_CONDITION) {
    const branches = (first as unknown as { errors: z.core.$ZodIssue[][] }).errors;
    const written = valueAt(raw, first.path);
    const wrote = (i: z.core.$ZodIssue) => typeof written === 'object' && written !== null && Object.hasOwn(written, i.path[0]!);
    let best: z.core.$ZodIssue | undefined;
    for (const b of branches) for (const i of b) if (wrote(i) && (!best || i.path.length > best.path.length)) best = i;
    const keys = ['all', 'any', 'not', 'attribute', 'field', 'tag', 'relationship'];
    return {
      path: first.path,
      message: `not a condition: expected an object with one of ${keys.join(', ')}${best ? ` (closest: "${best.path.join('.')}" ${best.message})` : ''}`,
    };
  }
  return { path: first.path, message: first.message };
}

/** The value at a zod issue's path: zod reached it through objects and arrays, so every step exists. */
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path) v = (v as Record<PropertyKey, unknown>)[k];
  return v;
}

/** A zod path as plain JSON for error details (schemas here never key by symbol). */
function plainPath(path: readonly PropertyKey[]): (string | number)[] {
  // Stryker disable next-line ConditionalExpression: equivalent — only strings and numbers occur, and String() keeps a string as it is
  return path.map((p) => (typeof p === 'number' ? p : String(p)));
}

/** `rule "x", field "condition.attribute"` from a path like ['rules', 2, 'condition', 'attribute']. */
function where(raw: unknown, path: readonly PropertyKey[]): string {
  // Only `rules` is a list at the top of a rule file, so a number second means a rule.
  if (typeof path[1] === 'number') {
    // zod went into rules[path[1]], so the list exists; the entry itself may be anything (null).
    const rule = (raw as { rules: { id?: unknown }[] }).rules[path[1]];
    const name = typeof rule?.id === 'string' ? `rule "${rule.id}"` : `rule #${path[1] + 1}`;
    const field = path.slice(2).map(String).join('.');
    return field ? `${name}, field "${field}"` : name;
  }
  return path.length > 0 ? `field "${path.map(String).join('.')}"` : 'file';
}
