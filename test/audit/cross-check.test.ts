/**
 * The tuned audit against its straightforward reference (test/audit/reference.ts) on a generated
 * CMDB of a few thousand CIs with seeded defects of every kind the tuned code treats specially:
 * duplicates by serial (case and spaces differing), hostname, name, a triple, a retired twin, two
 * records whose sys_ids disagree; unreadable, numeric, expired and soon-expiring certificates; a
 * discovery with drift, id matches, key matches, ambiguous and unknown CIs and relationship drift;
 * snapshots with changed, unchanged-but-copied, system-field-only, added and removed documents.
 * Every result must be identical, findings, scores and orders included.
 */
import { describe, expect, it } from 'vitest';
import { generateGraph, type GeneratedCI } from '../../fixtures/generate.ts';
import { compileRuleSet, runAudit } from '../../engine/audit/index.ts';
import { diffSnapshots, type Snapshot } from '../../engine/audit/snapshot.ts';
import { reconcile, type Discovery } from '../../engine/audit/reconcile.ts';
import type { CI } from '../../engine/model/ci.ts';
import type { Relationship } from '../../engine/model/relationship.ts';
import { graphOf, registry, type CiSpec } from './helpers.ts';
import {
  refCertificateExpiry,
  refDiffSnapshots,
  refDuplicate,
  refEnvironmentCrossing,
  refOrphan,
  refReconcile,
  refRequiredAttributes,
  refRetiredDependency,
  refRunAudit,
  refStale,
} from './reference.ts';

const NOW = new Date('2026-07-01T00:00:00Z');
const SERVERS = new Set(['Server', 'Hypervisor', 'KubernetesNode']);

function seeded(): { specs: CiSpec[]; rels: string[] } {
  const specs: CiSpec[] = [];
  const rels: string[] = [];
  for (const item of generateGraph({ cis: 3000, seed: 11 })) {
    if (item.kind === 'relationship') rels.push(`${item.from} ${item.type} ${item.to}`);
    else {
      const { kind: _k, ...ci } = item;
      specs.push(ci as GeneratedCI as CiSpec);
    }
  }
  const extra: CiSpec[] = [];
  const clone = (c: CiSpec, id: string, attributes: Record<string, unknown>, more: Partial<CiSpec> = {}) =>
    extra.push({ ...c, id, name: `${c.name}-${id}`, attributes: { ...c.attributes, ...attributes }, ...more });
  let servers = 0;
  let vms = 0;
  let apps = 0;
  let certs = 0;
  specs.forEach((c, i) => {
    const serial = c.attributes?.serialNumber;
    if (SERVERS.has(c.class) && typeof serial === 'string' && servers++ % 40 === 0) {
      // Same serial, other case and padding; every other twin was created first (it is the original).
      // Where the twin's id sorts last it was created first, where it sorts first it was created
      // later: the original is chosen by date before id.
      if (servers % 80 === 1)
        clone(c, `zz-s-${c.id}`, { serialNumber: ` ${serial.toUpperCase()} ` }, { createdAt: '2020-01-01T00:00:00.000Z' });
      else clone(c, `dup-s-${c.id}`, { serialNumber: ` ${serial.toUpperCase()} ` }, { createdAt: '2026-10-31T00:00:00.000Z' });
      if (servers % 120 === 1) clone(c, `dup-t-${c.id}`, { serialNumber: serial.toLowerCase() });
      if (servers % 200 === 1) clone(c, `dup-r-${c.id}`, { serialNumber: serial }, { status: 'retired' });
    }
    if (SERVERS.has(c.class) && typeof serial === 'string' && servers % 97 === 3) {
      c.attributes = { ...c.attributes, servicenowSysId: `SYS-${c.id}` };
      clone(c, `dup-x-${c.id}`, { servicenowSysId: `other-${c.id}` });
    }
    if (c.class === 'VirtualMachine' && vms++ % 30 === 0)
      clone(c, `dup-h-${c.id}`, { hostname: String(c.attributes?.hostname).toUpperCase() });
    if (c.class === 'Application' && apps % 4 === 1) {
      // A certificate the application relies on: expired, expiring soon, unreadable or far off.
      const at = ['2026-05-01T00:00:00Z', '2026-07-15T00:00:00Z', 'next year', '2028-01-01T00:00:00Z'][(apps % 16) >> 2]!;
      extra.push({
        id: `cert-x-${c.id}`,
        class: 'Certificate',
        name: `cert-x-${c.id}`,
        attributes: { commonName: `x.${c.id}`, expiresAt: at },
      });
      rels.push(`${c.id} DEPENDS_ON cert-x-${c.id}`);
    }
    if (c.class === 'Application' && apps++ % 10 === 0) {
      clone(c, `dup-n-${c.id}`, {});
      extra.push({ id: `db-named-${c.id}`, class: 'Database', name: c.name ?? c.id, attributes: {} });
      extra[extra.length - 2]!.name = (c.name ?? c.id).toUpperCase();
    }
    if (c.class === 'Certificate') {
      const k = certs++;
      if (k % 7 === 3) c.attributes = { ...c.attributes, expiresAt: 'soon' };
      else if (k % 11 === 5) c.attributes = { ...c.attributes, expiresAt: 1_800_000_000 };
      else if (k % 13 === 6) c.attributes = { ...c.attributes, expiresAt: '2026-07-20T00:00:00Z' };
      else if (k % 17 === 8) c.status = 'retired';
    }
    // Update and verification dates in every form the stale rule reads: canonical (old, recent, at
    // the 180-day limit to the millisecond), date-only, no milliseconds, with an offset, rolled over
    // (February 30th), out of range (month 13) and unreadable; verifiedAt newer, older or unreadable.
    if (i % 5 === 2) {
      const forms = [
        '2025-01-01T00:00:00.000Z',
        '2026-01-02T00:00:00.000Z', // the limit (NOW - 180 days), exactly
        '2026-01-01T23:59:59.999Z',
        '2025-06-01',
        '2025-06-01T00:00:00Z',
        '2026-01-02T01:00:00.000+05:00', // after the limit as a string, before it in time
        '2026-02-30T00:00:00.000Z',
        '2025-13-01T00:00:00.000Z',
        'last spring',
        '2026-06-01T00:00:00.000Z',
        ' 2025-01-01T00:00:00.000Z',
      ];
      c.updatedAt = forms[((i / 5) % forms.length) | 0]!;
      const verified = [undefined, '2026-06-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z', 'never', 1_750_000_000_000][(i % 10) >> 1];
      if (verified !== undefined) c.attributes = { ...c.attributes, verifiedAt: verified };
    }
    if (i % 89 === 13) c.attributes = { ...c.attributes, serialNumber: '', hostname: null, version: undefined, engine: ' ' };
    if (i % 53 === 7) c.owner = undefined;
    if (i % 61 === 9 && c.class !== 'Certificate') c.status = 'retired';
    if (i % 71 === 11) c.environment = 'staging';
  });
  return { specs: [...specs, ...extra], rels };
}

const { specs, rels } = seeded();
const input = graphOf(specs, rels, NOW);

describe('the tuned audit against its straightforward reference', () => {
  it('finds exactly what the reference finds, with the same scores, counts and order, on a graph with every kind of defect', () => {
    const set = compileRuleSet(undefined, registry);
    const got = runAudit(input, set);
    const want = refRunAudit(input, set, {
      duplicate: (ctx) => refDuplicate(ctx),
      'certificate-expiry': (ctx) => refCertificateExpiry(ctx),
      orphan: (ctx) => refOrphan(ctx),
      stale: (ctx) => refStale(ctx),
      'required-attributes': (ctx) => refRequiredAttributes(ctx),
      'environment-crossing': (ctx) => refEnvironmentCrossing(ctx),
      'retired-dependency': (ctx) => refRetiredDependency(ctx),
    });
    // The seeded defects are all there, so the comparison is not between two empty lists.
    const per = Object.fromEntries(got.rules.map((r) => [r.id, r.findings]));
    expect(per.duplicate).toBeGreaterThan(20);
    for (const rule of ['orphan', 'stale', 'required-attributes', 'environment-crossing', 'retired-dependency'])
      expect(per[rule], rule).toBeGreaterThan(10);
    expect(per['certificate-expiry']).toBeGreaterThan(10);
    expect(got.findings.some((f) => f.rule === 'certificate-expiry' && String(f.message).includes('unreadable'))).toBe(true);
    expect(got.findings.some((f) => f.rule === 'duplicate' && (f.evidence.members as string[]).length === 3)).toBe(true);
    expect(got).toEqual(want);
  });

  it('diffs two snapshots exactly as an attribute walk of every pair does', () => {
    const cis = input.cis;
    const relsOf = new Map<string, Relationship>();
    input.graph.forEachEdge((id, a, from, to) =>
      relsOf.set(id, { id, type: a.type, from, to, attributes: {}, version: 1, createdAt: 'x', updatedAt: 'x' }),
    );
    const a: Snapshot = { seq: 1, cis: new Map(cis.map((c) => [c.id, c])), relationships: relsOf };
    const b: Snapshot = { seq: 9, cis: new Map(a.cis), relationships: new Map(a.relationships) };
    cis.forEach((c, i) => {
      if (i % 50 === 0) b.cis.set(c.id, { ...c, attributes: { ...c.attributes, touched: i }, version: 2 });
      else if (i % 50 === 1)
        b.cis.set(c.id, { ...c, attributes: { ...c.attributes } }); // a copy, same content
      else if (i % 50 === 2)
        b.cis.set(c.id, { ...c, version: 7, updatedAt: 'later' }); // system fields only
      else if (i % 50 === 3) b.cis.set(c.id, { ...c, status: 'maintenance', tags: ['moved'] });
      else if (i % 50 === 4) b.cis.delete(c.id);
      else if (i % 50 === 5) {
        const { owner: _o, ...rest } = c;
        b.cis.set(c.id, { ...rest, attributes: Object.fromEntries(Object.entries(c.attributes).slice(1)) } as CI);
      }
    });
    for (let i = 0; i < 20; i++) b.cis.set(`new-${i}`, { ...cis[i]!, id: `new-${i}` });
    let k = 0;
    for (const [id, r] of a.relationships) {
      if (k++ % 40 === 0) b.relationships.delete(id);
      else if (k % 40 === 1) b.relationships.set(id, { ...r, attributes: { weight: k } });
    }
    const got = diffSnapshots(a, b);
    expect(got.cis.changed.length).toBeGreaterThan(100);
    expect(got.relationships.removed.length).toBeGreaterThan(10);
    expect(got).toEqual(refDiffSnapshots(a, b));
  });

  it('reconciles a discovery exactly as the whole identification index does, with and without a site scope', () => {
    const family = ['Server', 'Hypervisor', 'KubernetesNode', 'VirtualMachine'];
    const discovered: Discovery = { source: 'scan', at: null, scope: { classes: family }, cis: [], relationships: [] };
    let m = 0;
    for (const c of input.cis) {
      if (!family.includes(c.class) || m++ % 3 !== 0) continue;
      const { version: _v, createdAt: _c, updatedAt: _u, ...data } = c;
      let row = data;
      if (m % 4 === 1) row = { ...data, id: `scan-${m}` }; // matched by key, not id
      if (m % 10 === 1) row = { ...row, attributes: { ...row.attributes, memoryGb: 4096 } };
      if (m % 15 === 1) row = { ...row, owner: 'someone-else', status: 'maintenance' };
      discovered.cis.push({
        data: row,
        reported: [...(m % 15 === 1 ? ['owner', 'status'] : []), ...Object.keys(row.attributes).map((x) => `attributes.${x}`)],
      });
      input.graph.forEachOutEdge(c.id, (_e, a, _s, to) => {
        if (a.type === 'LOCATED_IN' && m % 5 !== 2) discovered.relationships.push({ type: 'LOCATED_IN', from: row.id, to: to });
      });
      if (m % 9 === 4) discovered.relationships.push({ type: 'LOCATED_IN', from: row.id, to: row.id === c.id ? `unknown-${m}` : c.id });
      if (m % 20 === 1)
        discovered.cis.push({
          data: {
            ...data,
            id: `unknown-${m}`,
            name: `unknown ${m}`,
            attributes: { serialNumber: `NEW${m}`, hostname: `new-${m}.example` },
          },
          reported: [],
        });
    }
    for (const c of input.cis)
      if (c.id.startsWith('dup-s-') && c.status !== 'retired')
        discovered.cis.push({ data: { ...c, id: `amb-${c.id}`, attributes: { serialNumber: c.attributes.serialNumber } }, reported: [] });
    // Targets named by the relationships must be in the snapshot (racks are CMDB ids the scan reports as themselves).
    const ids = new Set(discovered.cis.map((c) => c.data.id));
    for (const r of discovered.relationships)
      for (const end of [r.from, r.to])
        if (!ids.has(end)) {
          ids.add(end);
          const ci = input.cis.find((c) => c.id === end);
          if (ci) discovered.cis.push({ data: ci, reported: [] });
          else
            discovered.cis.push({
              data: {
                id: end,
                class: 'Rack',
                name: end,
                status: 'in_service',
                environment: 'production',
                criticality: 3,
                attributes: {},
                tags: [],
                redundancy: [],
              },
              reported: [],
            });
        }
    const got = reconcile(discovered, input.cis, input.graph, registry);
    expect(got.matched.length).toBeGreaterThan(100);
    expect([got.drift.length, got.unregistered.length, got.duplicates.length, got.missing.length].every((n) => n > 0)).toBe(true);
    expect(got.relationships.unregistered.length + got.relationships.missing.length).toBeGreaterThan(0);
    expect(got).toEqual(refReconcile(discovered, input.cis, input.graph, registry));

    const dc = input.cis.find((c) => c.class === 'DataCenter')!.id;
    const sited: Discovery = { ...discovered, scope: { classes: family, locatedIn: [dc] } };
    const got2 = reconcile(sited, input.cis, input.graph, registry);
    expect(got2.missing.length).toBeGreaterThan(0);
    expect(got2.missing.length).toBeLessThan(got.missing.length + 1);
    expect(got2).toEqual(refReconcile(sited, input.cis, input.graph, registry));
  });
});

describe('the tuned diff and reconciliation against their references, where the fast paths part', () => {
  it('diffs snapshots whose maps are in other orders, re-created, copied rather than shared, or differ deep inside a value', () => {
    const cis = input.cis;
    const a: Snapshot = { seq: 1, cis: new Map(cis.map((c) => [c.id, c])), relationships: new Map() };
    const variants: Map<string, CI>[] = [];
    // Deep copies (two checkpoints), with changes of every shape among them.
    const copies = new Map<string, CI>();
    cis.forEach((c, i) => {
      const copy = JSON.parse(JSON.stringify(c)) as CI;
      if (i % 97 === 0) copy.attributes = { ...copy.attributes, nested: { deep: [1, { x: i }] } };
      if (i % 89 === 0) copy.tags = [...copy.tags, 'extra'];
      if (i % 83 === 0) (copy as unknown as Record<string, unknown>).owner = undefined; // undefined against a missing or set key
      if (i % 79 === 0) copy.version = 99; // system field only
      if (i % 73 !== 5) copies.set(c.id, copy);
    });
    variants.push(copies);
    // The same documents, the map built in reverse (nothing in step).
    variants.push(new Map([...a.cis].reverse()));
    // Deleted and re-created (moved to the end), with additions in between and a few removals.
    const moved = new Map(a.cis);
    cis.forEach((c, i) => {
      if (i % 31 === 0) {
        moved.delete(c.id);
        moved.set(`mid-${i}`, { ...c, id: `mid-${i}` });
        moved.set(c.id, i % 62 === 0 ? c : { ...c, name: `${c.name}-renamed` });
      } else if (i % 41 === 0) moved.delete(c.id);
    });
    variants.push(moved);
    // Only additions, and only removals.
    variants.push(new Map([...a.cis, ['zz-added', { ...cis[0]!, id: 'zz-added' }]]));
    variants.push(new Map([...a.cis].slice(10)));
    for (const cisB of variants) {
      const b: Snapshot = { seq: 2, cis: cisB, relationships: new Map() };
      const want = refDiffSnapshots(a, b);
      expect(diffSnapshots(a, b)).toEqual(want);
      // and the other way round
      expect(diffSnapshots(b, a)).toEqual(refDiffSnapshots(b, a));
    }
    // Documents with attributes deep-equal but in another key order are equal copies.
    const reordered = new Map(cis.map((c) => [c.id, { ...c, attributes: Object.fromEntries(Object.entries(c.attributes).reverse()) }]));
    expect(diffSnapshots(a, { seq: 3, cis: reordered, relationships: new Map() }).cis.changed).toEqual([]);
  });

  it('reconciles a CMDB handed in id order (as the stores stream it) exactly as one in any other order', () => {
    const family = ['Server', 'Hypervisor', 'VirtualMachine'];
    const discovered: Discovery = { source: 'scan', at: null, scope: { classes: family }, cis: [], relationships: [] };
    let m = 0;
    for (const c of input.cis) {
      if (!family.includes(c.class) || m++ % 4 !== 0) continue;
      const { version: _v, createdAt: _c, updatedAt: _u, ...data } = c;
      discovered.cis.push({
        data: m % 8 === 1 ? { ...data, id: `scan-${m}`, owner: 'elsewhere' } : data,
        reported: m % 8 === 1 ? ['owner'] : [],
      });
    }
    const byId = [...input.cis].sort((p, q) => (p.id < q.id ? -1 : 1));
    const reversed = [...byId].reverse();
    const want = refReconcile(discovered, input.cis, input.graph, registry);
    expect(want.missing.length).toBeGreaterThan(100);
    expect(want.drift.length).toBeGreaterThan(10);
    for (const cmdb of [byId, reversed, input.cis]) {
      expect(reconcile(discovered, cmdb, input.graph, registry)).toEqual(refReconcile(discovered, cmdb, input.graph, registry));
    }
    expect(reconcile(discovered, byId, input.graph, registry)).toEqual(want);
  });
});
