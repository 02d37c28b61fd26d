/** The request-pipeline walk on SQLite (test/api/pipeline.neo4j.test.ts runs it on Neo4j). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { pipelineSuite } from './pipeline-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

pipelineSuite('SqliteStore', async () => {
  const store = new SqliteStore(join(dir, 'pipeline.sqlite'));
  await store.init();
  return store;
});
