/** User rules as data: scope, the condition language, validation errors naming rule and field, the rule-set hash. */
import { describe, expect, it } from 'vitest';
import { compileRuleSet, parseRuleFile } from '../../engine/audit/index.ts';
import { audit, disableAllBut, graphOf, registry, subjects } from './helpers.ts';

const db = (id: string, extra: Record<string, unknown> = {}) => ({ id, class: 'Database', attributes: { engine: 'postgres' }, ...extra });

describe('user rules', () => {
  const g = graphOf(
    [
      db('db-prod', { tags: ['pci'] }),
      db('db-backed'),
      db('db-stg', { environment: 'staging' }),
      db('db-my', { attributes: { engine: 'mysql', port: 3306 } }),
      { id: 'bk', class: 'BackupVault' },
    ],
    ['db-backed BACKED_UP_BY bk'],
  );

  it('reports each CI in scope that fails the condition (scope by class and environment)', () => {
    const file = {
      builtins: disableAllBut(null),
      rules: [
        {
          id: 'prod-db-backed-up',
          description: 'production databases are backed up',
          severity: 'error',
          scope: { classes: ['Database'], environments: ['production'] },
          condition: { relationship: { type: 'BACKED_UP_BY', direction: 'out', min: 1 } },
        },
      ],
    };
    const r = audit(g, file);
    expect(subjects(r.findings)).toEqual(['db-my', 'db-prod']);
    expect(r.findings[0]).toMatchObject({ rule: 'prod-db-backed-up', severity: 'error' });
    expect(r.rules).toEqual([
      { id: 'prod-db-backed-up', category: 'compliance', description: 'production databases are backed up', findings: 2 },
    ]);
  });

  it('combines conditions with all, any and not, over attributes, fields and tags, scoped by tags and attribute values', () => {
    const rules = [
      {
        id: 'pci-owned',
        description: 'PCI CIs are owned by team-a and not mysql',
        scope: { tags: ['pci'] },
        condition: { all: [{ field: 'owner', equals: 'team-a' }, { not: { attribute: 'engine', equals: 'mysql' } }] },
      },
      {
        id: 'pg-port',
        description: 'postgres declares a port',
        scope: { attributes: { engine: 'postgres' } },
        condition: { any: [{ attribute: 'port', exists: true }, { tag: 'pci' }] },
      },
      {
        id: 'mysql-port',
        description: 'mysql on 3306',
        scope: { attributes: { engine: 'mysql' } },
        condition: { attribute: 'port', in: [3306] },
      },
      {
        id: 'name-pattern',
        description: 'names start with db-',
        scope: { classes: ['Database'] },
        condition: { field: 'name', matches: '^db-[a-z]+$' },
      },
    ];
    const r = audit(g, { builtins: disableAllBut(null), rules });
    expect(r.findings.map((f) => `${f.rule} ${f.ci}`)).toEqual(['pg-port db-backed', 'pg-port db-stg']);
  });

  it('compares numbers and dates against the audit clock', () => {
    const g2 = graphOf(
      [
        db('d1', { attributes: { engine: 'pg', port: 70000, patchedAt: '2026-01-01' } }),
        db('d2', { attributes: { engine: 'pg', port: 5432, patchedAt: '2026-10-01' } }),
      ],
      [],
    );
    const rules = [
      { id: 'port-range', description: 'ports below 65536', condition: { attribute: 'port', lt: 65536 } },
      {
        id: 'patched',
        description: 'patched within 90 days',
        scope: { classes: ['Database'] },
        condition: { attribute: 'patchedAt', newerThanDays: 90 },
      },
    ];
    expect(audit(g2, { builtins: disableAllBut(null), rules }).findings.map((f) => `${f.rule} ${f.ci}`)).toEqual([
      'port-range d1',
      'patched d1',
    ]);
  });
});

describe('rule file validation', () => {
  const bad = (file: unknown) => () => compileRuleSet(parseRuleFile(JSON.stringify(file), 'rules.json'), registry);

  it('names the rule and the field of a malformed condition', () => {
    expect(bad({ rules: [{ id: 'r1', description: 'd', condition: { attribute: 'x', exists: true, equals: 1 } }] })).toThrow(
      /rules\.json": rule "r1", field "condition"/,
    );
    expect(bad({ rules: [{ id: 'r2', description: 'd', severity: 'fatal', condition: { tag: 'x' } }] })).toThrow(
      /rule "r2", field "severity"/,
    );
    expect(bad({ rules: [{ id: 'r3', description: 'd', condition: { nope: 1 } }] })).toThrow(
      /rule "r3", field "condition": not a condition/,
    );
  });
  it('refuses unknown classes, relationship types, bad regular expressions and duplicate ids', () => {
    expect(bad({ rules: [{ id: 'r1', description: 'd', scope: { classes: ['Nope'] }, condition: { tag: 'x' } }] })).toThrow(
      /rule "r1", field "scope.classes": unknown class "Nope"/,
    );
    expect(bad({ rules: [{ id: 'r1', description: 'd', condition: { relationship: { type: 'LIKES' } } }] })).toThrow(
      /rule "r1", field "condition.relationship.type": unknown relationship type "LIKES"/,
    );
    expect(bad({ rules: [{ id: 'r1', description: 'd', condition: { field: 'name', matches: '(' } }] })).toThrow(
      /rule "r1", field "condition.matches": not a valid regular expression/,
    );
    expect(bad({ rules: [{ id: 'orphan', description: 'd', condition: { tag: 'x' } }] })).toThrow(/rule "orphan" is defined twice/);
  });
  it('refuses unknown built-in rules and bad built-in parameters', () => {
    expect(bad({ builtins: { stael: { days: 3 } } })).toThrow(/built-in rule "stael" does not exist/);
    expect(bad({ builtins: { stale: { days: 'three' } } })).toThrow(/built-in rule "stale", field "days"/);
    expect(bad({ builtins: { 'single-point-of-failure': { classes: ['Serverr'] } } })).toThrow(/unknown class "Serverr"/);
  });
  it('reads YAML', () => {
    const rs = compileRuleSet(
      parseRuleFile(
        'builtins:\n  stale: { days: 90 }\n  unsupported: false\nrules:\n  - id: x\n    description: d\n    condition: { tag: t }\n',
        'r.yaml',
      ),
      registry,
    );
    expect(rs.rules.map((r) => r.id)).not.toContain('unsupported');
    expect(rs.config.builtins.stale).toEqual({ severity: 'warning', days: 90 });
  });
  it('hashes the effective rule set: defaults spelled out give the same hash, a changed parameter another', () => {
    const h = (file: unknown) => compileRuleSet(parseRuleFile(JSON.stringify(file), 'r'), registry).hash;
    expect(h({})).toBe(h({ builtins: { stale: { days: 180 } } }));
    expect(h({})).not.toBe(h({ builtins: { stale: { days: 181 } } }));
    expect(h({})).toMatch(/^[0-9a-f]{64}$/);
  });
});
