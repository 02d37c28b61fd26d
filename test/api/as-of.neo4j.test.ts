/** asOf on HTTP reads on the real Neo4j (the same spec as test/api/as-of.test.ts on SQLite). */
import { describeNeo4j, neo4jHarness } from '../neo4j-env.ts';
import { asOfSuite } from './as-of-spec.ts';

describeNeo4j('Neo4j', () => {
  asOfSuite('Neo4jStore', () => neo4jHarness());
});
