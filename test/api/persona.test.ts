/** Persona stories over HTTP on SQLite (the same spec runs on Neo4j in persona.neo4j.test.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { personaSuite } from './persona-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-persona-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

personaSuite('SqliteStore', async () => {
  const store = new SqliteStore(join(dir, 'persona.sqlite'));
  await store.init();
  return store;
});
