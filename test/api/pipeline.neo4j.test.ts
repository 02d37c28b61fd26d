/** The request-pipeline walk on the real Neo4j (the same spec as pipeline.test.ts on SQLite). */
import { describeNeo4j, neo4jHarness } from '../neo4j-env.ts';
import { pipelineSuite } from './pipeline-spec.ts';

describeNeo4j('Neo4j', () => {
  pipelineSuite('Neo4jStore', () => neo4jHarness().create());
});
