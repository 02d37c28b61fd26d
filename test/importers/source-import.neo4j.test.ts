/** Source imports on the real Neo4j started by the global setup (same spec as on SQLite). */
import { describe } from 'vitest';
import { Cmdb } from '../../engine/cmdb.ts';
import { Neo4jStore } from '../../engine/store/neo4j-store.ts';
import { clearNeo4j, describeNeo4j, storeOptions } from '../neo4j-env.ts';
import { sourceImportSpec } from './source-import-spec.ts';
import { registry } from './helpers.ts';

describeNeo4j('import from a source on Neo4j', () => {
  describe('spec', () => {
    sourceImportSpec(async () => {
      await clearNeo4j();
      return Cmdb.open({ store: new Neo4jStore(storeOptions()), registry });
    });
  });
});
