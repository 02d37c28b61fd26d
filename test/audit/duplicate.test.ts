/**
 * The `duplicate` rule beyond rules.test.ts's pass/fail pair: which record is the original (earliest
 * created, then smaller id — not list or id order alone), the key values it reports (the CI's own
 * fields or attributes, as recorded), and the pre-pass `sharingAKey` on its own: exactly the live
 * CIs sharing a key value with another, so a pre-pass that let everything through (correct but a
 * million-CI index again) fails here.
 */
import { describe, expect, it } from 'vitest';
import { sharingAKey } from '../../engine/audit/rules/duplicate.ts';
import { graphOf, registry, runOnly, type CiSpec } from './helpers.ts';

const srv = (id: string, attributes: Record<string, unknown>, extra: Partial<CiSpec> = {}): CiSpec => ({
  id,
  class: 'Server',
  attributes,
  ...extra,
});

describe('duplicate: the original and the evidence', () => {
  it('takes the earliest-created record as the original even when its id sorts last, and the smaller id on a tie', () => {
    const g = graphOf(
      [
        srv('a-late', { serialNumber: 'S1' }, { createdAt: '2026-03-01T00:00:00Z' }),
        srv('z-early', { serialNumber: 's1' }, { createdAt: '2026-01-01T00:00:00Z' }),
        srv('m-mid', { serialNumber: 'S1 ' }, { createdAt: '2026-02-01T00:00:00Z' }),
        srv('b-tie', { serialNumber: 'S2' }, { createdAt: '2026-01-01T00:00:00Z' }),
        srv('a-tie', { serialNumber: 'S2' }, { createdAt: '2026-01-01T00:00:00Z' }),
      ],
      [],
    );
    const fs = runOnly(g, 'duplicate');
    expect(fs.map((f) => [f.ci, f.evidence.original, f.evidence.members])).toEqual([
      ['a-late', 'z-early', ['z-early', 'm-mid', 'a-late']],
      ['b-tie', 'a-tie', ['a-tie', 'b-tie']],
      ['m-mid', 'z-early', ['z-early', 'm-mid', 'a-late']],
    ]);
    expect(fs[0]!).toMatchObject({
      rule: 'duplicate',
      severity: 'error',
      message: 'Server "a-late" duplicates "z-early" (same serialNumber)',
      evidence: { key: { serialNumber: 's1' } },
    });
  });

  it('reports a key on the CI’s own name as recorded on the original, and an attribute key from its attributes', () => {
    const g = graphOf(
      [
        { id: 'app-1', class: 'Application', name: 'Orders', attributes: {}, createdAt: '2026-01-01T00:00:00Z' },
        { id: 'app-2', class: 'Application', name: 'orders ', attributes: {}, createdAt: '2026-02-01T00:00:00Z' },
        { id: 'db-1', class: 'Database', name: 'orders', attributes: {} },
      ],
      [],
    );
    const fs = runOnly(g, 'duplicate', { severity: 'warning' });
    expect(fs).toEqual([
      {
        rule: 'duplicate',
        ci: 'app-2',
        severity: 'warning',
        message: 'Application "app-2" duplicates "app-1" (same name)',
        evidence: { original: 'app-1', key: { name: 'Orders' }, members: ['app-1', 'app-2'] },
      },
    ]);
  });
});

describe('duplicate: a key of several fields', () => {
  it('names every field of the key in the message and reports each as recorded on the original', () => {
    const g = graphOf(
      [
        srv('srv-1', { hostname: 'Web01', domain: 'Shop.example' }, { createdAt: '2026-01-01T00:00:00Z' }),
        srv('srv-2', { hostname: 'web01', domain: 'shop.example' }, { createdAt: '2026-02-01T00:00:00Z' }),
      ],
      [],
    );
    expect(runOnly(g, 'duplicate')).toEqual([
      {
        rule: 'duplicate',
        ci: 'srv-2',
        severity: 'error',
        message: 'Server "srv-2" duplicates "srv-1" (same hostname + domain)',
        evidence: { original: 'srv-1', key: { hostname: 'Web01', domain: 'Shop.example' }, members: ['srv-1', 'srv-2'] },
      },
    ]);
  });
});

describe('sharingAKey', () => {
  it('keeps exactly the live CIs sharing a value under some key of their class, in the given order', () => {
    const { cis } = graphOf(
      [
        srv('s1', { serialNumber: 'A' }),
        srv('s2', { serialNumber: 'B', hostname: 'h', domain: 'x' }),
        srv('s3', { serialNumber: 'a ' }),
        srv('s4', { serialNumber: 'C', hostname: 'H', domain: 'X' }),
        srv('s5', { serialNumber: 'D', hostname: 'h', domain: 'y' }),
        srv('s6', { serialNumber: 'E' }),
        srv('s7', { serialNumber: 'A' }, { status: 'retired' }),
        srv('s8', {}),
        srv('s9', {}),
        { id: 'p1', class: 'Pod', name: 'x', attributes: { namespace: 'a' } },
        { id: 'p2', class: 'Pod', name: 'y', attributes: { namespace: 'a' } },
        { id: 'p3', class: 'Pod', name: 'z', attributes: { namespace: 'b' } },
        { id: 'p4', class: 'Pod', name: 'Z', attributes: { namespace: 'B' } },
      ],
      [],
    );
    // s1/s3: serial; s2/s4: hostname+domain (and hostname); s5: hostname alone; s6: unique; s7 retired;
    // s8/s9: no key values; p1/p2 share a namespace but not the whole key; p3/p4 share both fields.
    expect(sharingAKey(cis, registry).map((c) => c.id)).toEqual(['s1', 's2', 's3', 's4', 's5', 'p3', 'p4']);
  });

  it('keeps nothing when no two live CIs share a value, even when their key fields run together alike', () => {
    const { cis } = graphOf(
      [
        srv('s1', { serialNumber: 'A' }),
        srv('s2', { serialNumber: 'B' }),
        srv('s3', { serialNumber: 'A' }, { status: 'retired' }),
        // "ab" + "c" and "a" + "bc" (either field first): the same letters, not the same key.
        { id: 'p1', class: 'Pod', name: 'ab', attributes: { namespace: 'c' } },
        { id: 'p2', class: 'Pod', name: 'a', attributes: { namespace: 'bc' } },
        { id: 'p3', class: 'Pod', name: 'c', attributes: { namespace: 'ab' } },
        { id: 'p4', class: 'Pod', name: 'bc', attributes: { namespace: 'a' } },
      ],
      [],
    );
    expect(sharingAKey(cis, registry)).toEqual([]);
  });
});
