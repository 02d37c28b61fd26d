/**
 * The grouping context of an impact answer (engine/views/impact-context.ts): each CI's location and
 * the impacted business services it supports, computed on the server from the mirror graph — and
 * its wiring in POST /impact (`context: true`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { blastRadius } from '../../engine/impact/index.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { impactContext, withContext } from '../../engine/views/impact-context.ts';
import { apiFixture } from '../api/harness.ts';
import { graphOf, indexOf, registry } from '../impact/helpers.ts';

// pdu → esx → vm1 → app → svc-a (tier 1) and svc-b (tier 2); vm2 on esx runs nothing;
// esx and pdu stand in rack-1, rack-1 in dc-1; app also backs up to a vault (audit-only).
const g = graphOf(
  {
    pdu: { class: 'PDU' },
    esx: { class: 'Hypervisor' },
    vm1: { class: 'VirtualMachine' },
    vm2: { class: 'VirtualMachine' },
    app: { class: 'Application' },
    'svc-a': { class: 'BusinessService', criticality: 1 },
    'svc-b': { class: 'BusinessService', criticality: 2 },
    'rack-1': { class: 'Rack' },
    'dc-1': { class: 'DataCenter' },
    vault: { class: 'Application' },
  },
  [
    ['esx', 'POWERED_BY', 'pdu'],
    ['vm1', 'HOSTED_ON', 'esx'],
    ['vm2', 'HOSTED_ON', 'esx'],
    ['app', 'RUNS_ON', 'vm1'],
    ['svc-a', 'DEPENDS_ON', 'app'],
    ['svc-b', 'DEPENDS_ON', 'app'],
    ['esx', 'LOCATED_IN', 'rack-1'],
    ['pdu', 'LOCATED_IN', 'rack-1'],
    ['rack-1', 'LOCATED_IN', 'dc-1'],
    ['app', 'BACKED_UP_BY', 'vault'],
  ],
);
const report = blastRadius(indexOf(g), registry, [{ ci: 'pdu', effect: 'down' }]);

describe('impact context for grouping', () => {
  it('places a CI at its own location, else at the nearest location of its providers', () => {
    const ctx = impactContext(g, registry, report);
    expect(ctx.get('pdu')!.location).toBe('rack-1');
    expect(ctx.get('esx')!.location).toBe('rack-1');
    expect(ctx.get('vm2')!.location).toBe('rack-1');
    expect(ctx.get('app')!.location).toBe('rack-1');
    expect(ctx.get('svc-a')!.location).toBe('rack-1');
  });

  it('gives no location when none lies within maxHops provider levels', () => {
    const ctx = impactContext(g, registry, report, { maxHops: 1 });
    expect(ctx.get('vm1')!.location).toBe('rack-1');
    expect(ctx.get('app')!.location).toBeNull();
  });

  it("credits every CI on a service's provider chains with that service, in the report's service order", () => {
    const ctx = impactContext(g, registry, report);
    expect(report.services.map((s) => s.id)).toEqual(['svc-a', 'svc-b']);
    for (const id of ['pdu', 'esx', 'vm1', 'app']) expect(ctx.get(id)!.services).toEqual(['svc-a', 'svc-b']);
    expect(ctx.get('svc-b')!.services).toEqual(['svc-b']);
    expect(ctx.get('vm2')!.services).toEqual([]);
    expect(ctx.has('vault')).toBe(false);
  });

  it('adds location and services to new origin and impacted objects without changing the report', () => {
    const before = JSON.stringify(report);
    const out = withContext(g, registry, report);
    expect(JSON.stringify(report)).toBe(before);
    expect(out.origins[0]).toMatchObject({ id: 'pdu', location: 'rack-1', services: ['svc-a', 'svc-b'] });
    expect(out.impacted.map((c) => c.id)).toEqual(report.impacted.map((c) => c.id));
    expect(out.counts).toEqual(report.counts);
  });
});

describe('POST /impact with context', () => {
  it('adds each CI’s location and services only when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cmdb-context-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const store = new SqliteStore(join(dir, 'c.sqlite'));
    await store.init();
    const f = await apiFixture(store);
    try {
      const ask = (context?: boolean) =>
        request(f.app)
          .post('/api/v1/impact')
          .set('Authorization', f.auth.viewer)
          .send({ origins: [{ ci: 'vm-17' }], ...(context === undefined ? {} : { context }) })
          .expect(200);
      const plain = (await ask()).body;
      const rich = (await ask(true)).body;
      expect(plain.impacted[0]).not.toHaveProperty('services');
      expect(rich.impacted.map((c: { id: string }) => c.id)).toEqual(plain.impacted.map((c: { id: string }) => c.id));
      for (const c of [...rich.origins, ...rich.impacted]) {
        expect(c).toHaveProperty('location');
        expect(Array.isArray(c.services)).toBe(true);
      }
      for (const s of rich.services) expect(rich.impacted.find((c: { id: string }) => c.id === s.id).services).toContain(s.id);
      await request(f.app)
        .post('/api/v1/impact')
        .set('Authorization', f.auth.viewer)
        .send({ origins: [{ ci: 'vm-17' }], context: 'yes' })
        .expect(400);
    } finally {
      await f.close();
    }
  });
});
