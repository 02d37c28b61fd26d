/**
 * The built-in rules as a rule-file author and a report reader see them: ids, categories (which
 * health score each lowers) and descriptions in report order, every default parameter spelled out
 * in the effective configuration (the rule-set hash covers them), a severity override honoured by
 * every rule, and an unknown parameter refused with the rule and field named.
 */
import { describe, expect, it } from 'vitest';
import { compileRuleSet, parseRuleFile } from '../../engine/audit/index.ts';
import { BUILTIN_RULES } from '../../engine/audit/rules/index.ts';
import { DEFAULT_SPOF_CLASSES } from '../../engine/audit/rules/single-point-of-failure.ts';
import { graphOf, registry, runOnly } from './helpers.ts';

const CATALOGUE: [string, string, string][] = [
  ['required-attributes', 'completeness', 'every live CI has the attributes its class requires (registry)'],
  ['missing-owner', 'completeness', 'every live CI has an owner'],
  ['orphan', 'correctness', 'every live CI has at least one relationship'],
  ['duplicate', 'correctness', 'no two live CIs share an identification key (registry)'],
  ['stale', 'correctness', 'every live CI was verified or updated within the last 180 days'],
  ['retired-dependency', 'correctness', 'no in-service CI relies on a retired or planned CI'],
  ['dependency-cycle', 'correctness', 'no CIs rely on each other in a loop'],
  ['environment-crossing', 'compliance', 'no production CI relies on a non-production CI'],
  ['certificate-expiry', 'compliance', 'no live certificate has expired or expires within 30 days'],
  ['single-point-of-failure', 'compliance', 'no tier-1 business service goes down when one box fails'],
  ['redundancy-underprovisioned', 'compliance', 'every redundancy group has at least minAvailable + 1 members'],
  ['unsupported', 'compliance', 'every in-service application service supports a business service'],
];

const compile = (file: unknown) => compileRuleSet(parseRuleFile(JSON.stringify(file), 'rules.json'), registry, 'rules.json');

describe('built-in rule catalogue', () => {
  it('lists every built-in rule with its category and description, in report order, as compiled and as declared', () => {
    expect(compile({}).rules.map((r) => [r.id, r.category, r.description])).toEqual(CATALOGUE);
    expect(BUILTIN_RULES.map((b) => [b.id, b.category])).toEqual(CATALOGUE.map(([id, category]) => [id, category]));
    // The declared description is the parameter-free one; the compiled one quotes the tuned N.
    expect(BUILTIN_RULES.map((b) => b.description)).toEqual(
      CATALOGUE.map(([id, , d]) =>
        id === 'stale'
          ? 'every live CI was verified or updated within the last N days'
          : id === 'certificate-expiry'
            ? 'no live certificate has expired or expires within N days'
            : d,
      ),
    );
  });

  it('spells out every default parameter in the effective configuration', () => {
    expect(compile({}).config.builtins).toEqual({
      'required-attributes': { severity: 'warning' },
      'missing-owner': { severity: 'warning' },
      orphan: { severity: 'warning' },
      duplicate: { severity: 'error' },
      stale: { severity: 'warning', days: 180 },
      'retired-dependency': { severity: 'error' },
      'dependency-cycle': { severity: 'warning' },
      'environment-crossing': { severity: 'warning' },
      'certificate-expiry': { severity: 'warning', days: 30 },
      'single-point-of-failure': { severity: 'error', criticality: 1, classes: DEFAULT_SPOF_CLASSES },
      'redundancy-underprovisioned': { severity: 'error' },
      unsupported: { severity: 'warning', classes: ['ApplicationService'], environments: ['production'] },
    });
    expect(DEFAULT_SPOF_CLASSES).toEqual([
      'Server',
      'Hypervisor',
      'KubernetesNode',
      'PDU',
      'Switch',
      'Router',
      'Firewall',
      'NetworkInterface',
    ]);
  });

  it('quotes a tuned N in the descriptions of stale and certificate-expiry', () => {
    const rules = compile({ builtins: { stale: { days: 7 }, 'certificate-expiry': { days: 0 } } }).rules;
    expect(rules.find((r) => r.id === 'stale')!.description).toBe('every live CI was verified or updated within the last 7 days');
    expect(rules.find((r) => r.id === 'certificate-expiry')!.description).toBe('no live certificate has expired or expires within 0 days');
  });

  it('accepts a severity for every built-in rule and refuses an unknown parameter, naming the rule and the field', () => {
    for (const [id] of CATALOGUE) {
      expect(compile({ builtins: { [id]: { severity: 'info' } } }).config.builtins[id]).toMatchObject({ severity: 'info' });
      expect(() => compile({ builtins: { [id]: { severity: 'fatal' } } })).toThrow(`built-in rule "${id}", field "severity"`);
      expect(() => compile({ builtins: { [id]: { severty: 'info' } } })).toThrow(
        `rule file "rules.json": built-in rule "${id}", field "(parameters)"`,
      );
    }
  });

  it('refuses parameters out of range: days below 1 for stale, below 0 for certificates, criticality outside 1–4', () => {
    expect(() => compile({ builtins: { stale: { days: 0 } } })).toThrow('built-in rule "stale", field "days"');
    expect(compile({ builtins: { stale: { days: 1 } } }).config.builtins.stale).toEqual({ severity: 'warning', days: 1 });
    expect(() => compile({ builtins: { stale: { days: 1.5 } } })).toThrow('field "days"');
    expect(() => compile({ builtins: { 'certificate-expiry': { days: -1 } } })).toThrow('built-in rule "certificate-expiry", field "days"');
    expect(() => compile({ builtins: { 'certificate-expiry': { days: 2.5 } } })).toThrow('field "days"');
    expect(() => compile({ builtins: { 'single-point-of-failure': { criticality: 0 } } })).toThrow('field "criticality"');
    expect(() => compile({ builtins: { 'single-point-of-failure': { criticality: 5 } } })).toThrow('field "criticality"');
    expect(() => compile({ builtins: { 'single-point-of-failure': { criticality: 1.5 } } })).toThrow('field "criticality"');
    expect(
      compile({ builtins: { 'single-point-of-failure': { criticality: 4 } } }).config.builtins['single-point-of-failure'],
    ).toMatchObject({
      criticality: 4,
    });
    expect(() => compile({ builtins: { 'dependency-cycle': { relationshipTypes: 'DEPENDS_ON' } } })).toThrow('field "relationshipTypes"');
    expect(() => compile({ builtins: { unsupported: { environments: 'production' } } })).toThrow('field "environments"');
  });

  it('reports findings with the severity a rule file sets', () => {
    const g = graphOf([{ id: 'lonely', class: 'Application', attributes: { version: '1' } }], []);
    expect(runOnly(g, 'orphan', { severity: 'error' }).map((f) => f.severity)).toEqual(['error']);
    expect(runOnly(g, 'orphan').map((f) => f.severity)).toEqual(['warning']);
  });
});
