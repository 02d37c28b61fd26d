/** The audit suite on SQLite (audit.neo4j.test.ts runs the same on Neo4j). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { auditSuite } from './audit-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

auditSuite('SqliteStore', () => ({
  async create() {
    const store = new SqliteStore(join(dir, `audit-${++n}.sqlite`));
    await store.init();
    return store;
  },
}));
