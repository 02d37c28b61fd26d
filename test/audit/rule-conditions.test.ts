/**
 * The user-rule language operator by operator, at its edges (engine/audit/rule-file.ts): which CIs
 * pass each condition on one small graph (strict equality, absent versus null or empty, numbers
 * only for comparisons, strings only for patterns, N days exactly, relationship counts by
 * direction and bound), the scope filters, the finding a failing CI gets, and the refusals a rule
 * author reads — rule and field named, the details a client can act on.
 */
import { describe, expect, it } from 'vitest';
import { compileRuleSet, parseRuleFile, type AuditInput } from '../../engine/audit/index.ts';
import { InputError, SemanticError } from '../../engine/errors.ts';
import { audit, disableAllBut, graphOf, NOW, registry, type CiSpec } from './helpers.ts';

const DAY = 86_400_000;
const ago = (days: number, ms = 0) => new Date(NOW.getTime() - days * DAY - ms).toISOString();

const CIS: CiSpec[] = [
  { id: 'a', class: 'Application', tags: ['pci'], attributes: { version: '1', port: 10, label: 'abc-1', when: ago(30) } },
  {
    id: 'b',
    class: 'Application',
    tags: ['pci', 'gold'],
    environment: 'staging',
    status: 'maintenance',
    criticality: 2,
    attributes: { version: '1', port: 20, label: 'ABC', when: ago(30, 1), nothing: null, blank: '' },
  },
  { id: 'c', class: 'Database', owner: 'team-b', attributes: { engine: 'pg', port: '20', when: 'soon' } },
  { id: 'd', class: 'IdentityProvider', attributes: {} },
];
const G = graphOf(CIS, ['a DEPENDS_ON c', 'b DEPENDS_ON c']);

function run(input: AuditInput, rule: Record<string, unknown>) {
  return audit(input, { builtins: disableAllBut(null), rules: [{ id: 'r', description: 'the rule', ...rule }] }).findings;
}
/** The CIs (of all four, unless scoped) that meet `condition`. */
function passing(condition: unknown, scope: unknown = {}, input: AuditInput = G): string[] {
  const failing = new Set(run(input, { condition, scope }).map((f) => f.ci));
  return input.cis
    .map((c) => c.id)
    .filter((id) => !failing.has(id))
    .sort();
}
const inScope = (scope: unknown) => run(G, { scope, condition: { tag: 'never' } }).map((f) => f.ci);

describe('user rule conditions', () => {
  it('exists: true only for a value that is not absent, null or empty', () => {
    expect(passing({ attribute: 'port', exists: true })).toEqual(['a', 'b', 'c']);
    expect(passing({ attribute: 'nothing', exists: true })).toEqual([]);
    expect(passing({ attribute: 'blank', exists: true })).toEqual([]);
    expect(passing({ attribute: 'blank', exists: false })).toEqual(['a', 'b', 'c', 'd']);
    expect(passing({ attribute: 'label', exists: false })).toEqual(['c', 'd']);
  });

  it('equals, notEquals and in compare strictly: the string "20" is not the number 20', () => {
    expect(passing({ attribute: 'port', equals: 20 })).toEqual(['b']);
    expect(passing({ attribute: 'port', notEquals: 20 })).toEqual(['a', 'c', 'd']);
    expect(passing({ attribute: 'port', in: [10, '20'] })).toEqual(['a', 'c']);
    expect(passing({ attribute: 'nothing', equals: null })).toEqual(['b']);
    expect(passing({ attribute: 'flag', equals: false })).toEqual([]);
  });

  it('matches applies a case-sensitive pattern to strings only', () => {
    expect(passing({ attribute: 'label', matches: '^abc' })).toEqual(['a']);
    expect(passing({ attribute: 'port', matches: '^2' })).toEqual(['c']);
  });

  it('gt, gte, lt and lte compare numbers only, each at its bound', () => {
    expect(passing({ attribute: 'port', gt: 10 })).toEqual(['b']);
    expect(passing({ attribute: 'port', gte: 10 })).toEqual(['a', 'b']);
    expect(passing({ attribute: 'port', lt: 20 })).toEqual(['a']);
    expect(passing({ attribute: 'port', lte: 20 })).toEqual(['a', 'b']);
    expect(passing({ attribute: 'port', gte: 0 })).toEqual(['a', 'b']);
    expect(passing({ attribute: 'port', gte: 15 })).toEqual(['b']);
    expect(passing({ attribute: 'port', lte: 15 })).toEqual(['a']);
  });

  it('olderThanDays and newerThanDays split at exactly N days before the audit clock, and an unreadable date meets neither', () => {
    expect(passing({ attribute: 'when', olderThanDays: 30 })).toEqual(['b']);
    expect(passing({ attribute: 'when', newerThanDays: 30 })).toEqual(['a']);
    expect(passing({ attribute: 'when', newerThanDays: 0 })).toEqual([]);
    expect(passing({ attribute: 'when', olderThanDays: 0 })).toEqual(['a', 'b']);
  });

  it('takes only strings as dates: a number that would read as a year is no date', () => {
    const g = graphOf([{ id: 'y', class: 'Application', attributes: { version: '1', when: 2026 } }], []);
    expect(passing({ attribute: 'when', newerThanDays: 1000 }, {}, g)).toEqual([]);
    expect(passing({ attribute: 'when', olderThanDays: 0 }, {}, g)).toEqual([]);
  });

  it('counts only the direction asked for on a CI with relationships of the type both ways', () => {
    const g = graphOf(
      ['x', 'y', 'z'].map((id) => ({ id, class: 'Application', attributes: { version: '1' } })),
      ['x DEPENDS_ON y', 'y DEPENDS_ON z'],
    );
    expect(passing({ relationship: { type: 'DEPENDS_ON', direction: 'in', min: 1, max: 1 } }, {}, g)).toEqual(['y', 'z']);
    expect(passing({ relationship: { type: 'DEPENDS_ON', direction: 'out', min: 1, max: 1 } }, {}, g)).toEqual(['x', 'y']);
    expect(passing({ relationship: { type: 'DEPENDS_ON', direction: 'any', min: 2 } }, {}, g)).toEqual(['y']);
  });

  it('reads the record fields by name', () => {
    expect(passing({ field: 'owner', equals: 'team-b' })).toEqual(['c']);
    expect(passing({ field: 'criticality', lt: 3 })).toEqual(['b']);
    expect(passing({ field: 'status', in: ['maintenance'] })).toEqual(['b']);
    expect(passing({ field: 'environment', equals: 'staging' })).toEqual(['b']);
    expect(passing({ field: 'class', equals: 'Database' })).toEqual(['c']);
    expect(passing({ field: 'id', matches: '^[ab]$' })).toEqual(['a', 'b']);
    expect(passing({ field: 'name', equals: 'd' })).toEqual(['d']);
  });

  it('tag, not, all and any combine as logic says', () => {
    expect(passing({ tag: 'gold' })).toEqual(['b']);
    expect(passing({ not: { tag: 'pci' } })).toEqual(['c', 'd']);
    expect(passing({ all: [{ tag: 'pci' }, { attribute: 'port', gt: 10 }] })).toEqual(['b']);
    expect(passing({ any: [{ tag: 'gold' }, { field: 'class', equals: 'Database' }] })).toEqual(['b', 'c']);
    expect(passing({ all: [{ tag: 'pci' }] })).toEqual(['a', 'b']);
    expect(passing({ any: [{ tag: 'none' }] })).toEqual([]);
  });

  it('counts relationships of one type out, in or either way, between min and max inclusive', () => {
    expect(passing({ relationship: { type: 'DEPENDS_ON', direction: 'out', min: 1 } })).toEqual(['a', 'b']);
    expect(passing({ relationship: { type: 'DEPENDS_ON', direction: 'in', min: 2 } })).toEqual(['c']);
    expect(passing({ relationship: { type: 'DEPENDS_ON', direction: 'in', min: 3 } })).toEqual([]);
    expect(passing({ relationship: { type: 'DEPENDS_ON' } })).toEqual(['a', 'b', 'c']);
    expect(passing({ relationship: { type: 'DEPENDS_ON', min: 0, max: 0 } })).toEqual(['d']);
    expect(passing({ relationship: { type: 'DEPENDS_ON', direction: 'in', min: 0, max: 1 } })).toEqual(['a', 'b', 'd']);
    expect(passing({ relationship: { type: 'DEPENDS_ON', direction: 'in', min: 0, max: 2 } })).toEqual(['a', 'b', 'c', 'd']);
    expect(passing({ relationship: { type: 'RUNS_ON', min: 0, max: 0 } })).toEqual(['a', 'b', 'c', 'd']);
  });

  it('judges a CI the graph does not hold as having no relationships', () => {
    const late = graphOf([{ id: 'late', class: 'Application', attributes: { version: '1' } }], []).cis[0]!;
    const input = { ...G, cis: [...G.cis, late] };
    expect(passing({ relationship: { type: 'DEPENDS_ON', min: 0, max: 5 } }, {}, input)).toContain('late');
    expect(passing({ relationship: { type: 'DEPENDS_ON', min: 1 } }, {}, input)).not.toContain('late');
  });

  it('reports a failing CI with the class, the rule and its description, the condition as evidence and the default severity', () => {
    expect(run(G, { condition: { tag: 'gold' }, scope: { classes: ['Database'] } })).toEqual([
      {
        rule: 'r',
        ci: 'c',
        severity: 'warning',
        message: 'Database "c" fails rule "r": the rule',
        evidence: { condition: { tag: 'gold' } },
      },
    ]);
    const r = audit(G, { builtins: disableAllBut(null), rules: [{ id: 'r', description: 'x', condition: { tag: 'gold' } }] });
    expect(r.rules).toEqual([{ id: 'r', category: 'compliance', description: 'x', findings: 3 }]);
    const cat = audit(G, {
      builtins: disableAllBut(null),
      rules: [{ id: 'r', description: 'x', category: 'completeness', severity: 'info', condition: { tag: 'gold' } }],
    });
    expect(cat.rules[0]!.category).toBe('completeness');
    expect(cat.findings.map((f) => f.severity)).toEqual(['info', 'info', 'info']);
  });
});

describe('user rule scope', () => {
  it('takes every CI when empty', () => {
    expect(inScope({})).toEqual(['a', 'b', 'c', 'd']);
  });
  it('takes a class with its subclasses, and several classes', () => {
    expect(inScope({ classes: ['ApplicationService'] })).toEqual(['d']);
    expect(inScope({ classes: ['Database', 'IdentityProvider'] })).toEqual(['c', 'd']);
  });
  it('filters by environment, status, every listed tag and equal attribute values', () => {
    expect(inScope({ environments: ['staging'] })).toEqual(['b']);
    expect(inScope({ statuses: ['in_service'] })).toEqual(['a', 'c', 'd']);
    expect(inScope({ tags: ['pci', 'gold'] })).toEqual(['b']);
    expect(inScope({ tags: ['pci'] })).toEqual(['a', 'b']);
    expect(inScope({ attributes: { port: 20 } })).toEqual(['b']);
    expect(inScope({ attributes: { port: 20, label: 'abc-1' } })).toEqual([]);
    expect(inScope({ classes: ['Application'], environments: ['production'] })).toEqual(['a']);
  });
});

/** The error `fn` throws (the test fails when it throws nothing). */
function thrown(fn: () => unknown): Error & { details?: unknown } {
  try {
    fn();
  } catch (err) {
    return err as Error & { details?: unknown };
  }
  throw new Error('expected a refusal, got none');
}
const parse = (file: unknown) => parseRuleFile(JSON.stringify(file), 'r.json');
const compile = (file: unknown) => compileRuleSet(parse(file), registry, 'r.json');
const rule = (extra: Record<string, unknown>) => ({ id: 'x', description: 'd', condition: { tag: 't' }, ...extra });

describe('rule file refusals', () => {
  it('reads an empty file as the defaults, and a missing file as the same rule set', () => {
    expect(parseRuleFile('', 'empty.yaml')).toEqual({ version: 1, builtins: {}, rules: [] });
    expect(compileRuleSet(undefined, registry).hash).toBe(compile({}).hash);
    expect(compileRuleSet(undefined, registry).rules).toHaveLength(12);
  });

  it('says a file is not YAML or JSON, naming it', () => {
    const err = thrown(() => parseRuleFile('rules: [unclosed', 'bad.yaml'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^rule file "bad\.yaml": not valid YAML or JSON: ./);
  });

  it('names the file-level field, or "file" itself, with zod issues as details', () => {
    const top = thrown(() => parse({ rulez: [] }));
    expect(top).toBeInstanceOf(InputError);
    expect(top.message).toMatch(/^rule file "r\.json": file: /);
    expect(top.details).toEqual([{ path: [], code: 'unrecognized_keys', message: expect.stringContaining('rulez') }]);
    expect(thrown(() => parse({ version: 2 })).message).toMatch(/^rule file "r\.json": field "version": /);
    const b = thrown(() => parse({ builtins: { stale: 3 } }));
    expect(b.message).toMatch(/^rule file "r\.json": field "builtins\.stale": /);
    expect((b.details as { path: unknown[] }[])[0]!.path).toEqual(['builtins', 'stale']);
    expect(thrown(() => parse({ rules: 'x' })).message).toBe(
      'rule file "r.json": field "rules": Invalid input: expected array, received string',
    );
  });

  it('says what a built-in rule’s entry or an attribute value should have been, never that it is "not a condition"', () => {
    for (const stale of ['yes', true])
      expect(thrown(() => parse({ builtins: { stale } })).message).toBe(
        'rule file "r.json": field "builtins.stale": expected false (off) or an object of parameters',
      );
    expect(thrown(() => parse({ rules: [rule({ scope: { attributes: { tier: { gold: true } } } })] })).message).toBe(
      'rule file "r.json": rule "x", field "scope.attributes.tier": expected a string, number, boolean or null',
    );
    expect(thrown(() => parse({ rules: [rule({ condition: { attribute: 'a', equals: [1] } })] })).message).toMatch(
      /\(closest: "equals" expected a string, number, boolean or null\)$/,
    );
  });

  it('names a rule that is not an object by its position', () => {
    expect(thrown(() => parse({ rules: [rule({}), null] })).message).toBe(
      'rule file "r.json": rule #2: Invalid input: expected object, received null',
    );
  });

  it('names a rule by its id, or by its position when it has none, and the field inside it', () => {
    expect(thrown(() => parse({ rules: [rule({}), { description: 'd', condition: { tag: 't' } }] })).message).toMatch(
      /^rule file "r\.json": rule #2, field "id": /,
    );
    expect(thrown(() => parse({ rules: [rule({ extra: 1 })] })).message).toMatch(/^rule file "r\.json": rule "x": /);
    const nested = thrown(() => parse({ rules: [rule({ scope: { environments: ['prod'] } })] }));
    expect(nested.message).toMatch(/^rule file "r\.json": rule "x", field "scope\.environments\.0": /);
    expect((nested.details as { path: unknown[] }[])[0]!.path).toEqual(['rules', 0, 'scope', 'environments', 0]);
    expect(thrown(() => parse({ rules: [rule({ scope: { statuses: ['live'] } })] })).message).toContain('field "scope.statuses.0"');
  });

  it('holds rule ids to lower-kebab-case of at most 80 characters and descriptions to 1–500 characters', () => {
    expect(thrown(() => parse({ rules: [rule({ id: 'Bad_Id' })] })).message).toBe(
      'rule file "r.json": rule "Bad_Id", field "id": must be lower-kebab-case (a-z, 0-9, -), at most 80 characters',
    );
    expect(parse({ rules: [rule({ id: `a${'-'.repeat(79)}` })] }).rules[0]!.id).toHaveLength(80);
    expect(() => parse({ rules: [rule({ id: `a${'-'.repeat(80)}` })] })).toThrow('field "id"');
    expect(() => parse({ rules: [rule({ id: '1abc' })] })).toThrow('field "id"');
    expect(() => parse({ rules: [rule({ description: '' })] })).toThrow('field "description"');
    expect(parse({ rules: [rule({ description: 'x'.repeat(500) })] }).rules).toHaveLength(1);
    expect(() => parse({ rules: [rule({ description: 'x'.repeat(501) })] })).toThrow('field "description"');
    expect(() => parse({ rules: [rule({ category: 'style' })] })).toThrow('field "category"');
  });

  it('spells out a rule’s defaults: severity warning, category compliance, empty scope, relationship any way at least once', () => {
    expect(parse({ rules: [rule({ condition: { relationship: { type: 'RUNS_ON' } } })] }).rules[0]).toEqual({
      id: 'x',
      description: 'd',
      severity: 'warning',
      category: 'compliance',
      scope: {},
      condition: { relationship: { type: 'RUNS_ON', direction: 'any', min: 1 } },
    });
  });

  it('refuses a condition with no operator or two, naming the operators', () => {
    const two = thrown(() => parse({ rules: [rule({ condition: { attribute: 'a', equals: 1, exists: true } })] }));
    expect(two.message).toBe(
      'rule file "r.json": rule "x", field "condition": give exactly one operator: exists, equals, notEquals, in, matches, gt, gte, lt, lte, olderThanDays, newerThanDays',
    );
    expect(() => parse({ rules: [rule({ condition: { field: 'owner' } })] })).toThrow('give exactly one operator');
    expect(thrown(() => parse({ rules: [rule({ condition: { field: 'colour', exists: true } })] })).message).toMatch(
      /^rule file "r\.json": rule "x", field "condition": not a condition: expected an object with one of all, any, not, attribute, field, tag, relationship \(closest: "field" Invalid option: expected one of "id"\|"class"\|.+\)$/,
    );
    expect(thrown(() => parse({ rules: [rule({ condition: { colour: 1 } })] })).message).toBe(
      'rule file "r.json": rule "x", field "condition": not a condition: expected an object with one of all, any, not, attribute, field, tag, relationship',
    );
  });

  it('points at the deepest issue among the keys written, the first branch’s on a tie (all, any, not, attribute, field, tag, relationship)', () => {
    const closest = (condition: unknown) => /\(closest: "([^"]*)"/.exec(thrown(() => parse({ rules: [rule({ condition })] })).message)?.[1];
    expect(closest({ tag: '', relationship: { type: '' } })).toBe('relationship.type');
    expect(closest({ any: [{ tag: '' }], tag: '' })).toBe('any.0.tag');
    expect(closest({ attribute: '', tag: '' })).toBe('attribute');
    expect(closest({ attribute: 'a', tag: '' })).toBe('tag');
    // A nested condition that fits no branch is named where it stands.
    expect(thrown(() => parse({ rules: [rule({ condition: { not: { colour: 1 } } })] })).message).toMatch(
      /\(closest: "not" not a condition\)$/,
    );
    // An unknown key inside a written key counts like any other issue there.
    expect(closest({ relationship: { type: 'RUNS_ON', weight: 1 }, attribute: 'a' })).toBe('relationship');
  });

  it('points at the key the author wrote when no branch of a condition fits, never at one they did not write', () => {
    expect(thrown(() => parse({ rules: [rule({ condition: { relationship: 'RUNS_ON' } })] })).message).toBe(
      'rule file "r.json": rule "x", field "condition": not a condition: expected an object with one of all, any, not, attribute, field, tag, relationship (closest: "relationship" Invalid input: expected object, received string)',
    );
    expect(
      thrown(() => parse({ rules: [rule({ condition: { all: [{ not: { relationship: { type: 'X', min: -1 } } }] } })] })).message,
    ).toMatch(/^rule file "r\.json": rule "x", field "condition\.all\.0\.not\.relationship\.min": /);
  });

  it('refuses empty combinations, empty names and out-of-range values', () => {
    const refused = (condition: unknown) => () => parse({ rules: [rule({ condition })] });
    for (const c of [
      { all: [] },
      { any: [] },
      { tag: '' },
      { attribute: '', exists: true },
      { attribute: 'a', exists: 'yes' },
      { attribute: 'a', matches: 'x'.repeat(501) },
      { attribute: 'a', olderThanDays: -1 },
      { attribute: 'a', newerThanDays: -1 },
      { attribute: 'a', gt: '3' },
      { attribute: 'a', in: 3 },
      { attribute: 'a', equals: { nested: 1 } },
      { relationship: { type: '' } },
      { relationship: { type: 'RUNS_ON', min: -1 } },
      { relationship: { type: 'RUNS_ON', min: 1.5 } },
      { relationship: { type: 'RUNS_ON', max: -1 } },
      { relationship: { type: 'RUNS_ON', direction: 'up' } },
      { relationship: { type: 'RUNS_ON', weight: 1 } },
    ])
      expect(refused(c), JSON.stringify(c)).toThrow(InputError);
    expect(parse({ rules: [rule({ condition: { attribute: 'a', matches: 'x'.repeat(500) } })] }).rules).toHaveLength(1);
    expect(parse({ rules: [rule({ condition: { attribute: 'a', olderThanDays: 0 } })] }).rules).toHaveLength(1);
  });

  it('names the path to an unknown relationship type or a bad pattern deep inside a condition, with rule, path and value as details', () => {
    const deep = thrown(() =>
      compile({ rules: [rule({ condition: { all: [{ tag: 't' }, { not: { any: [{ relationship: { type: 'LIKES' } }] } }] } })] }),
    );
    expect(deep).toBeInstanceOf(SemanticError);
    expect(deep.message).toBe(
      'rule file "r.json": rule "x", field "condition.all.1.not.any.0.relationship.type": unknown relationship type "LIKES"',
    );
    expect(deep.details).toEqual({
      rule: 'x',
      path: ['condition', 'all', '1', 'not', 'any', '0', 'relationship', 'type'],
      value: 'LIKES',
    });
    const re = thrown(() => compile({ rules: [rule({ condition: { any: [{ field: 'name', matches: '[' }] } })] }));
    expect(re.message).toMatch(/^rule file "r\.json": rule "x", field "condition\.any\.0\.matches": not a valid regular expression: ./);
    expect(re.details).toEqual({ rule: 'x', path: ['condition', 'any', '0', 'matches'], value: '[' });
    const cls = thrown(() => compile({ rules: [rule({ scope: { classes: ['Database', 'Nope'] } })] }));
    expect(cls.message).toBe('rule file "r.json": rule "x", field "scope.classes": unknown class "Nope"');
    expect(cls.details).toEqual({ rule: 'x', path: ['scope', 'classes'], value: 'Nope' });
  });

  it('refuses two user rules with one id, and a user rule named like a built-in', () => {
    const twice = thrown(() => compile({ rules: [rule({}), rule({ description: 'again' })] }));
    expect(twice).toBeInstanceOf(SemanticError);
    expect(twice.message).toBe('rule file "r.json": rule "x" is defined twice (or shadows a built-in rule)');
    expect(twice.details).toEqual({ rule: 'x', path: ['id'] });
    expect(() => compile({ builtins: { stale: false }, rules: [rule({ id: 'stale' })] })).toThrow('rule "stale" is defined twice');
  });

  it('names an unknown built-in with the known ones, and a bad parameter with its path, as details', () => {
    const unknown = thrown(() => compile({ builtins: { stael: {} } }));
    expect(unknown).toBeInstanceOf(InputError);
    expect(unknown.message).toBe(
      'rule file "r.json": built-in rule "stael" does not exist (known: required-attributes, missing-owner, orphan, duplicate, stale, retired-dependency, dependency-cycle, environment-crossing, certificate-expiry, single-point-of-failure, redundancy-underprovisioned, unsupported)',
    );
    expect(unknown.details).toEqual([{ path: ['builtins', 'stael'], code: 'unknown_rule', message: 'no such built-in rule' }]);
    const bad = thrown(() => compile({ builtins: { stale: { days: 'three' } } }));
    expect(bad.message).toMatch(/^rule file "r\.json": built-in rule "stale", field "days": ./);
    expect(bad.details).toEqual([{ path: ['builtins', 'stale', 'days'], code: 'invalid_type', message: expect.any(String) }]);
    const cls = thrown(() => compile({ builtins: { unsupported: { classes: ['ApplicationService', 'Nope'] } } }));
    expect(cls).toBeInstanceOf(SemanticError);
    expect(cls.message).toBe('rule file "r.json": built-in rule "unsupported", field "classes": unknown class "Nope"');
    expect(cls.details).toEqual({ rule: 'unsupported', path: ['classes'], value: 'Nope' });
  });

  it('names the source "rule file" when the caller gives none, and the parameters as a whole or by index', () => {
    expect(() => compileRuleSet(parse({ builtins: { stael: {} } }), registry)).toThrow(
      'rule file "rule file": built-in rule "stael" does not exist',
    );
    expect(thrown(() => compile({ builtins: { orphan: { severty: 'info' } } })).message).toMatch(
      /^rule file "r\.json": built-in rule "orphan", field "\(parameters\)": ./,
    );
    const idx = thrown(() => compile({ builtins: { unsupported: { classes: ['ApplicationService', 1] } } }));
    expect(idx.message).toMatch(/^rule file "r\.json": built-in rule "unsupported", field "classes\.1": ./);
    expect(idx.details).toEqual([{ path: ['builtins', 'unsupported', 'classes', 1], code: 'invalid_type', message: expect.any(String) }]);
  });

  it('refuses a rule without a condition or with a null one as input, naming the field', () => {
    for (const condition of [undefined, null]) {
      const err = thrown(() => parse({ rules: [{ id: 'x', description: 'd', condition }] }));
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(/^rule file "r\.json": rule "x", field "condition": /);
    }
  });

  it('keeps a disabled built-in out of the rules and in the configuration as false', () => {
    const rs = compile({ builtins: { orphan: false } });
    expect(rs.rules.map((r) => r.id)).not.toContain('orphan');
    expect(rs.rules).toHaveLength(11);
    expect(rs.config.builtins.orphan).toBe(false);
    expect(rs.hash).not.toBe(compile({}).hash);
  });
});
