/** Persona stories over HTTP on the real Neo4j (the same spec as persona.test.ts on SQLite). */
import { describeNeo4j, neo4jHarness } from '../neo4j-env.ts';
import { personaSuite } from './persona-spec.ts';

describeNeo4j('Neo4j', () => {
  personaSuite('Neo4jStore', () => neo4jHarness().create());
});
