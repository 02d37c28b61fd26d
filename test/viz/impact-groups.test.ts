/**
 * Server-side grouping of big impact answers (engine/views/impact-groups.ts) and its wiring in the
 * impact API (`group=auto&maxNodes=N`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { groupImpact, type GroupableCI } from '../../engine/views/impact-groups.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { apiFixture } from '../api/harness.ts';

const step = (from: string, type: string, to: string) => ({ from, type, to });
/** One origin `pdu` (or one per hypervisor), `hosts` hypervisors on it, `vms` VMs on each hypervisor. */
function fanOut(
  hosts: number,
  vms: number,
  pduPerHost = false,
): { origins: { id: string }[]; impacted: GroupableCI[]; services: { id: string }[] } {
  const impacted: GroupableCI[] = [];
  for (let h = 0; h < hosts; h++) {
    const host = `esx-${h}`;
    const hv = step(host, 'POWERED_BY', pduPerHost ? `pdu-${h}` : 'pdu');
    impacted.push({ id: host, class: 'Hypervisor', state: 'down', depth: 1, via: [hv] });
    for (let v = 0; v < vms; v++)
      impacted.push({
        id: `vm-${h}-${v}`,
        class: 'VirtualMachine',
        state: 'down',
        depth: 2,
        via: [hv, step(`vm-${h}-${v}`, 'HOSTED_ON', host)],
      });
  }
  return { origins: pduPerHost ? Array.from({ length: hosts }, (_, h) => ({ id: `pdu-${h}` })) : [{ id: 'pdu' }], impacted, services: [] };
}

describe('groupImpact', () => {
  it('groups nothing while the map fits', () => {
    const r = groupImpact(fanOut(3, 3), { maxNodes: 13 });
    expect(r).toEqual({ maxNodes: 13, total: 13, visible: 13, pass: 0, groups: [] });
  });

  it('collapses the VMs of one hypervisor into "×N VirtualMachine", the biggest first, only until the map fits', () => {
    const report = fanOut(4, 10); // 1 + 4 + 40 = 45
    report.impacted = report.impacted.filter((c) => !c.id.startsWith('vm-3-') || c.id < 'vm-3-5'); // esx-3 has 5 VMs
    const r = groupImpact(report, { maxNodes: 30 });
    expect(r.pass).toBe(1);
    expect(r.groups.map((g) => [g.label, g.provider, g.count])).toEqual([
      ['×10 VirtualMachine', 'esx-0', 10],
      ['×10 VirtualMachine', 'esx-1', 10],
    ]);
    expect(r.visible).toBe(40 - 18);
    expect(r.visible).toBeLessThanOrEqual(30);
    expect(r.groups[0]!.members).toHaveLength(10);
  });

  it('falls back to one group per class, state and depth when siblings alone cannot fit', () => {
    const r = groupImpact(fanOut(50, 2, true), { maxNodes: 60 }); // 200 nodes; sibling groups alone leave 150
    expect(r.pass).toBe(2);
    expect(r.visible).toBe(200 - 99 - 49);
    expect(r.groups.map((g) => [g.label, g.depth, g.provider]).sort()).toEqual([
      ['×100 VirtualMachine', 2, null],
      ['×50 Hypervisor', 1, null],
    ]);
  });

  it('never groups a business service and gives the same groups for the same report', () => {
    const rep = fanOut(2, 5);
    rep.services = [{ id: 'vm-0-0' }];
    const a = groupImpact(rep, { maxNodes: 5 });
    expect(a.groups.flatMap((g) => g.members)).not.toContain('vm-0-0');
    expect(groupImpact({ ...rep, impacted: [...rep.impacted].reverse() }, { maxNodes: 5 })).toEqual(a);
  });
});

describe('impact API with group=auto', () => {
  it('adds counted groups past maxNodes and leaves impacted and counts as they were', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cmdb-groups-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const store = new SqliteStore(join(dir, 'g.sqlite'));
    await store.init();
    const f = await apiFixture(store);
    try {
      const plain = await request(f.app).get('/api/v1/cis/vm-17/impact').set('Authorization', f.auth.viewer).expect(200);
      const grouped = await request(f.app)
        .get('/api/v1/cis/vm-17/impact?group=auto&maxNodes=10')
        .set('Authorization', f.auth.viewer)
        .expect(200);
      expect(plain.body.groups).toBeUndefined();
      expect(grouped.body.groups).toMatchObject({ maxNodes: 10, pass: 0, groups: [] });
      expect(grouped.body.counts).toEqual(plain.body.counts);
      const body = await request(f.app)
        .post('/api/v1/impact')
        .set('Authorization', f.auth.viewer)
        .send({ origins: [{ ci: 'vm-17' }], group: 'auto', maxNodes: 10 })
        .expect(200);
      expect(body.body.impacted).toEqual(plain.body.impacted);
      await request(f.app).get('/api/v1/cis/vm-17/impact?group=all').set('Authorization', f.auth.viewer).expect(400);
      await request(f.app).get('/api/v1/cis/vm-17/impact?maxNodes=3').set('Authorization', f.auth.viewer).expect(400);
    } finally {
      await f.close();
    }
  });
});
