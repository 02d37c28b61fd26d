/**
 * Reconciliation of fixtures/discovery/dc-west-scan.json with the demo CMDB on a real store: each
 * outcome exactly as fixtures/discovery/README.md lists it, report only by default, and `apply`
 * writing the corrections in one batch as the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Cmdb } from '../../engine/cmdb.ts';
import { Registry } from '../../engine/model/registry.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { importParsed, readImportFiles } from '../../engine/io/import.ts';
import { verifyDiscovered } from '../../engine/verification/reconciliation.ts';

const DEMO = join(import.meta.dirname, '../../fixtures/demo/cmdb.json');
const SCAN = join(import.meta.dirname, '../../fixtures/discovery/dc-west-scan.json');

export function reconcileSuite(name: string, harness: () => { create(): Promise<GraphStore> }) {
  describe(`reconciliation with discovered data on ${name}`, () => {
    let cmdb: Cmdb;
    beforeAll(async () => {
      cmdb = await Cmdb.open({ store: await harness().create(), registry: Registry.load() });
      await importParsed(cmdb, await readImportFiles([DEMO]), { actor: 'demo-loader' });
    }, 120_000);
    afterAll(async () => cmdb?.close());

    it('reports every outcome of the scan exactly and writes nothing', async () => {
      const seq = cmdb.seq;
      const r = await verifyDiscovered(cmdb, SCAN, { source: 'rackscan' });
      expect(cmdb.seq).toBe(seq);
      expect(r.matched.map((m) => [m.id, m.discovered, m.key.join('+')])).toEqual([
        ['esx-west-01', 'rs-10-20-250-20', 'serialNumber'],
        ['esx-west-02', 'rs-10-20-250-21', 'serialNumber'],
        ['esx-west-03', 'rs-10-20-250-22', 'serialNumber'],
        ['esx-west-04', 'rs-10-20-250-23', 'serialNumber'],
        ['esx-west-05', 'rs-10-20-250-24', 'serialNumber'],
        ['rack-west-a2', 'rs-rack-0001', 'name'],
        ['rack-west-b1', 'rs-rack-0002', 'name'],
        ['rack-west-b2', 'rs-rack-0003', 'name'],
        ['rack-west-c1', 'rs-rack-0004', 'name'],
        ['srv-backup-west-01', 'rs-10-20-250-19', 'serialNumber'],
      ]);
      expect(r.drift).toEqual([
        { id: 'esx-west-01', discovered: 'rs-10-20-250-20', fields: [{ field: 'attributes.memoryGb', cmdb: 1024, discovered: 1536 }] },
        {
          id: 'srv-backup-west-01',
          discovered: 'rs-10-20-250-19',
          fields: [{ field: 'attributes.os', cmdb: 'Windows Server 2022', discovered: 'Windows Server 2025' }],
        },
      ]);
      expect(r.unregistered).toEqual([{ discovered: 'rs-10-20-31-7', class: 'Server', name: 'LAB-WEST-07' }]);
      expect(r.missing).toEqual([{ id: 'esx-west-06', class: 'Hypervisor', name: 'esx-west-06.west.nwo.internal' }]);
      expect(r.duplicates).toEqual([
        { discovered: 'rs-10-20-30-11', candidates: ['srv-db-02', 'srv-west-dbrep-2'], key: ['serialNumber'] },
      ]);
      expect(r.relationships).toEqual({
        unregistered: [
          { type: 'LOCATED_IN', from: 'esx-west-05', to: 'rack-west-b2' },
          { type: 'LOCATED_IN', from: 'rs-10-20-31-7', to: 'rack-west-c1' },
        ],
        missing: [{ id: 'esx-west-05|LOCATED_IN|rack-west-b1', type: 'LOCATED_IN', from: 'esx-west-05', to: 'rack-west-b1' }],
      });
      expect(r.applied).toBeNull();
    });

    it('applies corrections as the source in one batch, then finds only what it may not fix', async () => {
      const r = await verifyDiscovered(cmdb, SCAN, { source: 'rackscan', apply: true });
      expect(r.applied).toMatchObject({ cis: 3, relationships: 2 });
      expect((await cmdb.store.getCI('esx-west-01'))!.attributes.memoryGb).toBe(1536);
      expect((await cmdb.store.getCI('rs-10-20-31-7'))!.attributes).toMatchObject({
        serialNumber: 'CZ2K19X7Q',
        discoverySource: 'rackscan',
      });
      const events = await cmdb.store.eventsAfter(r.seq, 100);
      expect(new Set(events.map((e) => e.actor))).toEqual(new Set(['discovery:rackscan']));
      const again = await verifyDiscovered(cmdb, SCAN, { source: 'rackscan' });
      expect([again.drift, again.unregistered, again.relationships.unregistered]).toEqual([[], [], []]);
      expect(again.missing.map((m) => m.id)).toEqual(['esx-west-06']);
      expect(again.relationships.missing.map((m) => m.id)).toEqual(['esx-west-05|LOCATED_IN|rack-west-b1']);
    });

    it('refuses a snapshot whose source disagrees, or with a bad row, naming it', async () => {
      await expect(verifyDiscovered(cmdb, SCAN, { source: 'lansweeper' })).rejects.toThrow(/says its source is "rackscan"/);
    });
  });
}
