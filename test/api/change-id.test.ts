/** X-Change-Id on HTTP writes on SQLite (test/api/change-id.neo4j.test.ts runs the same spec on Neo4j). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { changeIdSuite } from './change-id-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-change-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

changeIdSuite('SqliteStore', () => ({
  async create() {
    const store = new SqliteStore(join(dir, `change-id-${++n}.sqlite`));
    await store.init();
    return store;
  },
}));
