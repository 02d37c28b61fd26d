/** The API suite on SQLite (test/api/api.neo4j.test.ts runs the same suite on Neo4j). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { apiSuite } from './api-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

apiSuite('SqliteStore', () => ({
  async create() {
    const store = new SqliteStore(join(dir, `api-${++n}.sqlite`));
    await store.init();
    return store;
  },
}));
