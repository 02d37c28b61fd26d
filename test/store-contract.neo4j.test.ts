/** Runs the one store contract against every adapter: SQLite always, Neo4j against the real server. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { storeContract } from './store-contract.ts';
import { describeNeo4j, neo4jHarness } from './neo4j-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('SqliteStore', () => ({
  async create() {
    const store = new SqliteStore(join(dir, `store-${++n}.sqlite`));
    await store.init();
    return store;
  },
  async reopen(store) {
    const again = new SqliteStore(store.location);
    await again.init();
    return again;
  },
}));

describeNeo4j('Neo4jStore contract', () => {
  storeContract('Neo4jStore', () => neo4jHarness());
});
