/** The audit suite on the real Neo4j (the same spec as audit.test.ts on SQLite). */
import { describeNeo4j, neo4jHarness } from '../neo4j-env.ts';
import { auditSuite } from './audit-spec.ts';

describeNeo4j('Neo4j', () => {
  auditSuite('Neo4jStore', () => neo4jHarness());
});
