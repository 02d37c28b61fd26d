/**
 * Importing on behalf of a source — idempotent re-import, stale report and --prune, two sources
 * describing one CI, candidate duplicates — written once and run on both stores
 * (source-import.test.ts on SQLite, source-import.neo4j.test.ts on the real Neo4j).
 */
import { expect, it } from 'vitest';
import type { Cmdb } from '../../engine/cmdb.ts';
import { importFromSource, readStored } from '../../engine/io/source-import.ts';
import { reconcile } from '../../engine/importers/reconcile.ts';
import { convertKubernetes } from '../../engine/importers/kubernetes.ts';
import { convertServiceNow } from '../../engine/importers/servicenow.ts';
import type { ImportDocument } from '../../engine/importers/types.ts';
import { ConflictError } from '../../engine/errors.ts';
import { fixtureFiles, importDocument } from './helpers.ts';

const ctx = { actor: 'test' };

export function sourceImportSpec(open: () => Promise<Cmdb>): void {
  const k8s = convertKubernetes(fixtureFiles('kubernetes')).document;
  const snow = convertServiceNow(fixtureFiles('servicenow')).document;
  const SNOW_DB_HOST = 'snow:5a1e0c9b1b2f4c10a7d3e9f0c1b2a308';

  async function withCmdb(fn: (cmdb: Cmdb) => Promise<void>): Promise<void> {
    const cmdb = await open();
    try {
      await fn(cmdb);
    } finally {
      await cmdb.close();
    }
  }

  it('records the source on every CI and relationship, and a re-import changes nothing', async () => {
    await withCmdb(async (cmdb) => {
      const first = await importFromSource(cmdb, k8s, ctx, { source: 'kubernetes' });
      expect(first.created).toBe(k8s.cis.length + k8s.relationships.length);
      const ci = await cmdb.store.getCI('k8s:shop/deployment/checkout');
      expect(ci?.attributes.sources).toEqual(['kubernetes']);
      expect(ci?.attributes.sourceFields).toMatchObject({
        name: 'kubernetes',
        'attributes.namespace': 'kubernetes',
        'attributes.replicas': 'kubernetes',
      });
      const rel = await cmdb.store.getRelationship('k8s:shop/service/checkout|ROUTES_TO|k8s:shop/deployment/checkout');
      expect(rel?.attributes.sources).toEqual(['kubernetes']);
      const again = await importFromSource(cmdb, k8s, ctx, { source: 'kubernetes' });
      expect({ created: again.created, updated: again.updated, seq: again.seq }).toEqual({ created: 0, updated: 0, seq: first.seq });
      expect(again.stale).toEqual({ cis: [], relationships: [] });
    });
  });

  it('reports CIs of the source that are gone by default, and removes them with prune', async () => {
    await withCmdb(async (cmdb) => {
      await importFromSource(cmdb, k8s, ctx, { source: 'kubernetes' });
      const gone = new Set(['k8s:shop/cronjob/nightly-report', 'k8s:shop/deployment/inventory']);
      const smaller: ImportDocument = {
        cis: k8s.cis.filter((c) => !gone.has(c.id)),
        relationships: k8s.relationships.filter((r) => !gone.has(r.from) && !gone.has(r.to)),
      };
      const reported = await importFromSource(cmdb, smaller, ctx, { source: 'kubernetes' });
      expect(reported.stale.cis).toEqual(['k8s:shop/cronjob/nightly-report', 'k8s:shop/deployment/inventory']);
      expect(reported.stale.relationships).toContain('k8s:shop/cronjob/nightly-report|DEPENDS_ON|k8s:shop/service/orders-db');
      expect(reported.pruned).toEqual({ cis: 0, relationships: 0 });
      expect(await cmdb.store.getCI('k8s:shop/deployment/inventory')).toBeDefined();

      // a manual relationship to a CI about to be pruned goes with it; a CI another source also describes stays
      await importDocument(cmdb, {
        cis: [{ id: 'dashboard', class: 'Application', name: 'dashboard', attributes: {} }],
        relationships: [{ type: 'DEPENDS_ON', from: 'dashboard', to: 'k8s:shop/deployment/inventory' }],
      });
      await importFromSource(
        cmdb,
        {
          cis: [
            {
              id: 'k8s:shop/cronjob/nightly-report',
              class: 'KubernetesWorkload',
              name: 'nightly-report',
              attributes: { owner: 'reports' },
            },
          ],
          relationships: [],
        },
        ctx,
        { source: 'scheduler' },
      );
      const pruned = await importFromSource(cmdb, smaller, ctx, { source: 'kubernetes', prune: true });
      expect(pruned.pruned.cis).toBe(1);
      expect(await cmdb.store.getCI('k8s:shop/deployment/inventory')).toBeUndefined();
      expect(await cmdb.store.getRelationship('dashboard|DEPENDS_ON|k8s:shop/deployment/inventory')).toBeUndefined();
      const kept = await cmdb.store.getCI('k8s:shop/cronjob/nightly-report');
      expect(kept?.attributes.sources).toEqual(['scheduler']);
      expect(kept?.attributes.namespace).toBe('shop'); // values stay; only the ownership goes
      expect(await cmdb.store.getRelationship('k8s:shop/cronjob/nightly-report|DEPENDS_ON|k8s:shop/service/orders-db')).toBeUndefined();
      expect(cmdb.mirror.graph.hasNode('k8s:shop/deployment/inventory')).toBe(false);
      const quiet = await importFromSource(cmdb, smaller, ctx, { source: 'kubernetes', prune: true });
      expect({ created: quiet.created, updated: quiet.updated, pruned: quiet.pruned }).toEqual({
        created: 0,
        updated: 0,
        pruned: { cis: 0, relationships: 0 },
      });
    });
  });

  it('makes a CI seen by two sources one CI, each field from the source with precedence', async () => {
    await withCmdb(async (cmdb) => {
      await importFromSource(cmdb, snow, ctx, { source: 'servicenow' });
      const discovery: ImportDocument = {
        cis: [
          {
            id: 'disc:db-host',
            class: 'Server',
            name: 'SRV-DB-01',
            attributes: { serialNumber: 'cz12345678', os: 'RHEL 9.4', kernel: '5.14.0' },
          },
          { id: 'disc:postgres', class: 'Process', name: 'postgres', attributes: { host: 'srv-db-01', port: 5432 } },
        ],
        relationships: [{ type: 'RUNS_ON', from: 'disc:postgres', to: 'disc:db-host' }],
      };
      const precedence = ['discovery', 'servicenow'];
      const merged = await importFromSource(cmdb, discovery, ctx, { source: 'discovery', precedence });
      expect(merged.matched).toEqual([{ incoming: 'disc:db-host', stored: SNOW_DB_HOST, key: ['serialNumber'] }]);
      expect(await cmdb.store.getCI('disc:db-host')).toBeUndefined();
      const host = (await cmdb.store.getCI(SNOW_DB_HOST))!;
      expect(host.name).toBe('SRV-DB-01');
      expect(host.attributes).toMatchObject({
        os: 'RHEL 9.4',
        kernel: '5.14.0',
        hostname: 'srv-db-01',
        sources: ['discovery', 'servicenow'],
      });
      expect((host.attributes.sourceFields as Record<string, string>)['attributes.os']).toBe('discovery');
      expect((host.attributes.sourceFields as Record<string, string>)['attributes.hostname']).toBe('servicenow');
      expect(await cmdb.store.getRelationship(`disc:postgres|RUNS_ON|${SNOW_DB_HOST}`)).toBeDefined();

      // the weaker source's re-import cannot take the fields back, and changes nothing
      const back = await importFromSource(cmdb, snow, ctx, { source: 'servicenow', precedence });
      expect({ created: back.created, updated: back.updated }).toEqual({ created: 0, updated: 0 });
      expect((await cmdb.store.getCI(SNOW_DB_HOST))!.attributes.os).toBe('RHEL 9.4');
      // and the stronger one's re-import changes nothing either
      const again = await importFromSource(cmdb, discovery, ctx, { source: 'discovery', precedence });
      expect({ created: again.created, updated: again.updated }).toEqual({ created: 0, updated: 0 });
    });
  });

  it('reports candidate duplicates instead of merging into one of several matches', async () => {
    await withCmdb(async (cmdb) => {
      await importDocument(cmdb, {
        cis: [
          { id: 'srv-a', class: 'Server', name: 'a', attributes: { hostname: 'web01' } },
          { id: 'srv-b', class: 'Server', name: 'b', attributes: { hostname: 'WEB01' } },
        ],
        relationships: [],
      });
      const r = await importFromSource(
        cmdb,
        {
          cis: [
            { id: 'cmdb-scan:web01', class: 'Server', name: 'web01', attributes: { hostname: 'web01' } },
            { id: 'cmdb-scan:web01-again', class: 'Server', name: 'web01 again', attributes: { hostname: 'web01' } },
          ],
          relationships: [],
        },
        ctx,
        { source: 'scan' },
      );
      expect(r.matched).toEqual([]);
      expect(r.candidateDuplicates).toEqual(
        expect.arrayContaining([
          { incoming: 'cmdb-scan:web01', candidates: ['srv-a', 'srv-b'], key: ['hostname'], reason: 'several_candidates' },
          { incoming: 'cmdb-scan:web01', candidates: ['cmdb-scan:web01-again'], key: ['hostname'], reason: 'within_input' },
        ]),
      );
      expect(await cmdb.store.getCI('cmdb-scan:web01')).toBeDefined();
      expect((await cmdb.store.getCI('srv-a'))!.attributes.sources).toBeUndefined();
    });
  });

  it('expects the versions it read, so a write in between refuses the whole import', async () => {
    await withCmdb(async (cmdb) => {
      await importFromSource(cmdb, snow, ctx, { source: 'servicenow' });
      const stored = await readStored(cmdb);
      const host = stored.cis.find((c) => c.id === SNOW_DB_HOST)!;
      const plan = reconcile({
        registry: cmdb.registry,
        source: 'discovery',
        document: { cis: [{ id: 'd:1', class: 'Server', name: 'x', attributes: { serialNumber: 'CZ12345678' } }], relationships: [] },
        stored,
      });
      expect(plan.expectedVersions.get(SNOW_DB_HOST)).toBe(host.version);
      await cmdb.apply([{ op: 'upsertCI', ci: { ...host, name: 'renamed meanwhile' } }], ctx);
      const mutation = {
        op: 'upsertCI' as const,
        ci: {
          ...host,
          ...plan.document.cis[0]!,
          status: host.status,
          environment: host.environment,
          criticality: host.criticality,
          tags: host.tags,
          redundancy: host.redundancy,
        },
        expectedVersion: plan.expectedVersions.get(SNOW_DB_HOST)!,
      };
      await expect(cmdb.apply([mutation], ctx)).rejects.toBeInstanceOf(ConflictError);
    });
  });
}
