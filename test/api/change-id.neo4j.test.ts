/** X-Change-Id on HTTP writes on the real Neo4j (the same spec as test/api/change-id.test.ts on SQLite). */
import { describeNeo4j, neo4jHarness } from '../neo4j-env.ts';
import { changeIdSuite } from './change-id-spec.ts';

describeNeo4j('Neo4j', () => {
  changeIdSuite('Neo4jStore', () => neo4jHarness());
});
