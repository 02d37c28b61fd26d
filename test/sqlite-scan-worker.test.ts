/**
 * Hydration scans of big SQLite tables run in a worker thread (engine/store/sqlite-scan-worker.ts).
 * The worker path must stream exactly what the in-thread path streams, stop when the consumer
 * stops, and hydrate a mirror equal to the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { scanInWorker } from '../engine/store/sqlite-scan-worker.ts';
import { Mirror } from '../engine/mirror/mirror.ts';
import { checkMirror } from '../engine/mirror/check.ts';
import type { Mutation } from '../engine/store/port.ts';
import { ci, rel } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** 2,500 CIs (some with owners and redundancy rules) in a chain of 2,499 relationships. */
async function filledStore(): Promise<{ store: SqliteStore; path: string }> {
  const path = join(dir, `scan-${Date.now()}-${Math.random()}.sqlite`);
  const store = new SqliteStore(path);
  await store.init();
  const batch: Mutation[] = [];
  for (let i = 0; i < 2500; i++) {
    const extra = i % 7 === 0 ? { owner: `team-${i % 3}`, redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] } : {};
    batch.push({ op: 'upsertCI', ci: ci({ id: `ci-${String(i).padStart(5, '0')}`, class: 'Server', name: `server ${i}`, ...extra }) });
  }
  for (let i = 1; i < 2500; i++) {
    batch.push({
      op: 'upsertRelationship',
      relationship: rel({ type: 'DEPENDS_ON', from: `ci-${String(i).padStart(5, '0')}`, to: `ci-${String(i - 1).padStart(5, '0')}` }),
    });
  }
  await store.apply(batch, { actor: 'scan-test' });
  return { store, path };
}

describe('hydration scans in a worker thread', () => {
  it('stream the same pages as the in-thread scan, for both tables and any page size', async () => {
    const { store, path } = await filledStore();
    // The same file through a second store that scans every table in the worker.
    const inWorker = new SqliteStore(path, { scanInWorkerMinRows: 0 });
    await inWorker.init();
    for (const pageSize of [1000, 2500, 700]) {
      const here = { cis: await all(store.streamCISummaries(pageSize)), rels: await all(store.streamRelationshipEnds(pageSize)) };
      const worker = { cis: await all(inWorker.streamCISummaries(pageSize)), rels: await all(inWorker.streamRelationshipEnds(pageSize)) };
      expect(worker).toEqual(here);
      expect(here.cis.flat()).toHaveLength(2500);
      expect(here.rels.flat()).toHaveLength(2499);
      expect(here.cis.flat().filter((c) => c.owner !== undefined && c.redundancy.length === 1)).toHaveLength(358);
    }
    await inWorker.close();
    await store.close();
  });

  it('hydrate a mirror equal to the store', async () => {
    const { store: filled, path } = await filledStore();
    await filled.close();
    const store = new SqliteStore(path, { scanInWorkerMinRows: 0 });
    await store.init();
    const mirror = await Mirror.hydrate(store);
    const check = await checkMirror(mirror, store);
    expect(check.consistent).toBe(true);
    expect(check.counts).toMatchObject({ mirrorCis: 2500, mirrorRelationships: 2499 });
    await store.close();
  });

  it('stop reading when the consumer stops, and report a failing scan as an error', async () => {
    const { store, path } = await filledStore();
    let pages = 0;
    for await (const page of scanInWorker<{ id: string }>(path, 'SELECT id FROM cis WHERE id > ? ORDER BY id LIMIT ?', 100)) {
      expect(page).toHaveLength(100);
      if (++pages === 3) break;
    }
    expect(pages).toBe(3);
    await expect(all(scanInWorker(path, 'SELECT id FROM no_such_table WHERE id > ? LIMIT ?', 100))).rejects.toThrow(/no such table/);
    await expect(all(scanInWorker(join(dir, 'missing.sqlite'), 'SELECT id FROM cis WHERE id > ? LIMIT ?', 100))).rejects.toThrow();
    await store.close();
  });
});
