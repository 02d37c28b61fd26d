/** The `PATCH /incidents/:id` observedBy spec on the real Neo4j (the same spec as incident-patch.test.ts on SQLite). */
import { describeNeo4j, neo4jHarness } from '../neo4j-env.ts';
import { incidentPatchHttpSuite } from './incident-patch-spec.ts';

describeNeo4j('Neo4j', () => {
  incidentPatchHttpSuite('Neo4jStore', () => neo4jHarness());
});
