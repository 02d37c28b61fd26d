/** History, as-of reads, baselines and the hash chain on the real Neo4j (the same spec as history.test.ts). */
import { describeNeo4j, neo4jHarness, rawDriver } from '../neo4j-env.ts';
import { historySuite } from './history-spec.ts';
import { reconcileSuite } from './reconcile-spec.ts';

describeNeo4j('Neo4j', () => {
  historySuite('Neo4jStore', () => ({
    ...neo4jHarness(),
    async tamper(_store, seq) {
      // A plain Cypher SET, as anyone with Neo4j Browser access could run it.
      const driver = rawDriver();
      const session = driver.session();
      try {
        await session.run('MATCH (e:Event {seq: $seq}) SET e.actor = "mallory"', { seq });
      } finally {
        await session.close();
        await driver.close();
      }
    },
  }));
  reconcileSuite('Neo4jStore', () => neo4jHarness());
});
