/** Source imports on a real SQLite file (the same spec runs on Neo4j in source-import.neo4j.test.ts). */
import { afterAll, describe } from 'vitest';
import { sourceImportSpec } from './source-import-spec.ts';
import { sqliteCmdb, tempDir } from './helpers.ts';

const tmp = tempDir('cmdb-source-');
afterAll(() => tmp.cleanup());

describe('import from a source on SQLite', () => {
  sourceImportSpec(() => sqliteCmdb(tmp.dir));
});
