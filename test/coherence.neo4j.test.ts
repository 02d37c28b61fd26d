/** Two servers and a CLI on one Neo4j (the spec is in coherence-spec.ts; SQLite twin: coherence.test.ts). */
import { clearNeo4j, describeNeo4j, neo4jUri } from './neo4j-env.ts';
import { coherenceSpec } from './coherence-spec.ts';

describeNeo4j('coherence on Neo4j', () => {
  coherenceSpec('Neo4j', { store: () => neo4jUri()!, reset: () => clearNeo4j() });
});
