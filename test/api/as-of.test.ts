/** asOf on HTTP reads on SQLite (test/api/as-of.neo4j.test.ts runs the same spec on Neo4j). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { asOfSuite } from './as-of-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-as-of-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

asOfSuite('SqliteStore', () => ({
  async create() {
    const store = new SqliteStore(join(dir, `as-of-${++n}.sqlite`));
    await store.init();
    return store;
  },
}));
