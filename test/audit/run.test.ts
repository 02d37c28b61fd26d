/**
 * `runAudit`'s own folding, apart from any rule: the order of one rule's findings (subject — CI or
 * relationship id, a subjectless finding first — then message), and `failsOn`, which decides the
 * exit status of `cmdb audit run --fail-on` in CI pipelines.
 */
import { describe, expect, it } from 'vitest';
import { auditContext, compareFindings, failsOn, type AuditResult } from '../../engine/audit/run.ts';
import { graphOf } from './helpers.ts';
import type { Finding, Severity } from '../../engine/audit/types.ts';

const finding = (subject: { ci?: string; relationship?: string }, message: string): Finding => ({
  rule: 'r',
  severity: 'warning',
  message,
  evidence: {},
  ...subject,
});

describe('compareFindings', () => {
  it('orders by subject id across CIs and relationships, a subjectless finding first, then by message', () => {
    const fs = [
      finding({ ci: 'b' }, 'z'),
      finding({ relationship: 'a-rel' }, 'm'),
      finding({ ci: 'b' }, 'a'),
      finding({}, 'whole graph'),
      finding({ ci: 'a' }, 'x'),
      finding({ ci: 'b' }, 'a'),
    ];
    const sorted = [...fs].sort(compareFindings);
    expect(sorted.map((f) => `${f.ci ?? f.relationship ?? '-'}:${f.message}`)).toEqual([
      '-:whole graph',
      'a:x',
      'a-rel:m',
      'b:a',
      'b:a',
      'b:z',
    ]);
  });

  it('puts a subjectless finding before every subject, digits and capitals included, on either side of the comparison', () => {
    const none = finding({}, 'whole graph');
    for (const id of ['0-first', 'A-upper', 'Z', '-dash', ' space'])
      for (const subject of [{ ci: id }, { relationship: id }]) {
        expect(compareFindings(none, finding(subject, 'm')), id).toBeLessThan(0);
        expect(compareFindings(finding(subject, 'm'), none), id).toBeGreaterThan(0);
      }
  });

  it('answers the sign both ways and 0 only for the same subject and message', () => {
    expect(compareFindings(finding({ ci: 'a' }, 'm'), finding({ ci: 'b' }, 'a'))).toBeLessThan(0);
    expect(compareFindings(finding({ ci: 'b' }, 'a'), finding({ ci: 'a' }, 'm'))).toBeGreaterThan(0);
    expect(compareFindings(finding({ ci: 'a' }, 'a'), finding({ ci: 'a' }, 'b'))).toBeLessThan(0);
    expect(compareFindings(finding({ ci: 'a' }, 'b'), finding({ ci: 'a' }, 'a'))).toBeGreaterThan(0);
    expect(compareFindings(finding({ ci: 'a' }, 'a'), finding({ ci: 'a' }, 'a'))).toBe(0);
  });
});

describe('failsOn (the exit status of --fail-on)', () => {
  const result = (counts: Partial<Record<Severity, number>>) =>
    ({ summary: { bySeverity: { error: 0, warning: 0, info: 0, ...counts } } }) as unknown as AuditResult;

  it('never fails without --fail-on, whatever was found', () => {
    expect(failsOn(result({ error: 3, warning: 2 }), undefined)).toBe(false);
  });

  it('fails on error only for errors, and on warning for errors or warnings — never for info alone', () => {
    expect(failsOn(result({ error: 1 }), 'error')).toBe(true);
    expect(failsOn(result({ warning: 1, info: 4 }), 'error')).toBe(false);
    expect(failsOn(result({ warning: 1 }), 'warning')).toBe(true);
    expect(failsOn(result({ error: 1 }), 'warning')).toBe(true);
    expect(failsOn(result({ info: 4 }), 'warning')).toBe(false);
    expect(failsOn(result({}), 'warning')).toBe(false);
  });
});

describe('auditContext', () => {
  const input = graphOf(
    [
      { id: 'a', class: 'Application' },
      { id: 'b', class: 'Database' },
    ],
    ['a DEPENDS_ON b'],
  );

  it('hands the rules every CI document by id, one map per run built on first read', () => {
    const ctx = auditContext(input);
    expect(ctx.byId.get('a')).toBe(input.cis[0]);
    expect(ctx.byId.get('b')).toBe(input.cis[1]);
    expect(ctx.byId.size).toBe(2);
    expect(ctx.byId).toBe(ctx.byId);
    expect(auditContext(input).byId).not.toBe(ctx.byId);
    expect(ctx.cis).toBe(input.cis);
    expect(ctx.index).toBe(input.index);
  });

  it('derives a value once per key and run, and again for another key or another run', () => {
    const ctx = auditContext(input);
    const k1 = {};
    const k2 = {};
    let made = 0;
    const make = () => ({ n: ++made });
    const first = ctx.derived(k1, make);
    expect(ctx.derived(k1, make)).toBe(first);
    expect(made).toBe(1);
    expect(ctx.derived(k2, make)).toEqual({ n: 2 });
    expect(auditContext(input).derived(k1, make)).toEqual({ n: 3 });
    // A value that is itself undefined is kept too (asked once).
    let asked = 0;
    const k3 = {};
    ctx.derived(k3, () => void asked++);
    ctx.derived(k3, () => void asked++);
    expect(asked).toBe(1);
  });
});
