/**
 * Every Cypher statement Neo4jStore runs, as pure functions so they can be tested on their own
 * (STYLE.md #10). Values always travel as parameters; the only things interpolated are labels,
 * relationship types and index names, and those pass `classLabel` / `relType` first, which accept
 * nothing but PascalCase / UPPER_SNAKE identifiers (so no quote, backtick or space can get in).
 *
 * Every lookup carries a `USING INDEX` hint. Without them a plan made while the database was
 * empty (label scan of nothing: "cheapest") stays cached after a big import and turns each id
 * lookup into a scan — measured: one 10k-id batch ran for over 14 minutes instead of 1 s.
 *
 * Graph layout (browsable with natural Cypher):
 *   (:CI:<Class> {id, class, name, status, environment, criticality, owner, attributes(json),
 *                 tags[], redundancy(json), version, createdAt, updatedAt})
 *   (:CI)-[:<TYPE> {id, attributes(json), version, createdAt, updatedAt}]->(:CI)
 *   (:Record {kind, id, doc(json), version, createdAt, updatedAt})   -- changes, incidents …
 *   (:Event {seq, at, actor, op, entity, id, before(json), after(json), changeId, hash, prevHash})
 *   (:Sequence {name: 'events', value})   -- hands out seq numbers, and serialises writers
 */
import { InputError, SemanticError } from '../errors.ts';

export const CLASS_LABEL = /^[A-Z][A-Za-z0-9]*$/;
export const REL_TYPE = /^[A-Z][A-Z0-9_]*$/;
/** Labels the store uses for its own nodes: a CI class with one of these names would be miscounted. */
export const RESERVED_LABELS: ReadonlySet<string> = new Set(['CI', 'Event', 'Record', 'Sequence']);
export const SEQUENCE_NAME = 'events';

/** The CI class as a Neo4j label; refuses anything that is not a PascalCase identifier. */
export function classLabel(cls: string, where = 'neo4j'): string {
  if (typeof cls !== 'string' || !CLASS_LABEL.test(cls)) {
    throw new InputError(`${where}: class ${JSON.stringify(cls)} is not a PascalCase class id`, [
      { path: ['class'], code: 'invalid_string', message: 'must be a PascalCase class id' },
    ]);
  }
  if (RESERVED_LABELS.has(cls)) {
    throw new SemanticError(`${where}: class "${cls}" is reserved by the Neo4j store (labels ${[...RESERVED_LABELS].join(', ')})`, {
      path: ['class'],
      value: cls,
    });
  }
  return cls;
}

/** The relationship type as a Neo4j type; refuses anything that is not an UPPER_SNAKE identifier. */
export function relType(type: string, where = 'neo4j'): string {
  if (typeof type !== 'string' || !REL_TYPE.test(type)) {
    throw new InputError(`${where}: relationship type ${JSON.stringify(type)} is not an UPPER_SNAKE type`, [
      { path: ['type'], code: 'invalid_string', message: 'must be an UPPER_SNAKE relationship type' },
    ]);
  }
  return type;
}

/** Idempotent schema: uniqueness on CI ids and event seqs, lookup of an entity's events. */
export const SCHEMA_STATEMENTS: readonly string[] = [
  'CREATE CONSTRAINT cmdb_ci_id IF NOT EXISTS FOR (n:CI) REQUIRE n.id IS UNIQUE',
  'CREATE CONSTRAINT cmdb_event_seq IF NOT EXISTS FOR (e:Event) REQUIRE e.seq IS UNIQUE',
  'CREATE INDEX cmdb_event_entity_id IF NOT EXISTS FOR (e:Event) ON (e.entity, e.id)',
  'CREATE CONSTRAINT cmdb_sequence_name IF NOT EXISTS FOR (s:Sequence) REQUIRE s.name IS UNIQUE',
  'CREATE CONSTRAINT cmdb_record_kind_id IF NOT EXISTS FOR (r:Record) REQUIRE (r.kind, r.id) IS UNIQUE',
  'CREATE CONSTRAINT cmdb_checkpoint_name_part IF NOT EXISTS FOR (c:Checkpoint) REQUIRE (c.name, c.part) IS UNIQUE',
];

/** Replay checkpoints: `:Checkpoint` nodes, one per part, bytes as a byte-array property (never in the event log). */
export const DELETE_CHECKPOINT = 'MATCH (c:Checkpoint {name: $name}) DELETE c';
export const PUT_CHECKPOINT_PARTS = 'UNWIND $rows AS row CREATE (:Checkpoint {name: $name, part: row.part, seq: $seq, data: row.data})';
export const GET_CHECKPOINT = 'MATCH (c:Checkpoint {name: $name}) RETURN c.part AS part, c.seq AS seq, c.data AS data ORDER BY part';

/**
 * Relationship ids are unique per type in Neo4j (relationship property uniqueness constraints,
 * Neo4j 5.7+); uniqueness across types is kept by `apply`, which looks ids up in every type.
 */
export function relIdConstraint(type: string): string {
  const t = relType(type);
  return `CREATE CONSTRAINT cmdb_rel_id_${t} IF NOT EXISTS FOR ()-[r:${t}]-() REQUIRE r.id IS UNIQUE`;
}

/** Fallback when the constraint cannot be made (a hand-made type with duplicate ids): an index still serves the hints. */
export function relIdIndex(type: string): string {
  const t = relType(type);
  return `CREATE INDEX cmdb_rel_idx_${t} IF NOT EXISTS FOR ()-[r:${t}]-() ON (r.id)`;
}

export const AWAIT_INDEXES = 'CALL db.awaitIndexes(300)';

export const ENSURE_SEQUENCE = 'MERGE (s:Sequence {name: $name}) ON CREATE SET s.value = 0';

/**
 * First statement of every write transaction. Setting a property takes the node's exclusive lock
 * even when the value does not change, so concurrent writers queue here — before they read
 * anything — which makes the version checks that follow race-free.
 */
export const LOCK_SEQUENCE = 'MERGE (s:Sequence {name: $name}) ON CREATE SET s.value = 0 SET s.value = s.value RETURN s.value AS value';

export const SET_SEQUENCE = 'MATCH (s:Sequence {name: $name}) SET s.value = $value';

export const LAST_SEQ = 'OPTIONAL MATCH (s:Sequence {name: $name}) RETURN coalesce(s.value, 0) AS value';

export const REL_TYPES_IN_USE = 'CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS types';

export const READ_CIS = 'UNWIND $ids AS id MATCH (n:CI {id: id}) USING INDEX n:CI(id) RETURN n {.*} AS n';

export const GET_CI = 'MATCH (n:CI {id: $id}) USING INDEX n:CI(id) RETURN n {.*} AS n';

/** Relationships by id, looked up in each type's index (a typeless match would scan them all). */
export function readRels(types: readonly string[]): string {
  if (types.length === 0) throw new Error('neo4j: readRels needs at least one relationship type');
  const branches = types.map((t) => `MATCH (a)-[r:${relType(t)} {id: id}]->(b) USING INDEX r:${t}(id) RETURN r, a.id AS from, b.id AS to`);
  return `UNWIND $ids AS id CALL (id) { ${branches.join(' UNION ALL ')} } RETURN r {.*} AS r, type(r) AS type, from, to`;
}

/** Relationship count per type, from the count store (O(1) each): empty types need no lookup. */
export function relTypeCounts(types: readonly string[]): string {
  if (types.length === 0) throw new Error('neo4j: relTypeCounts needs at least one relationship type');
  return types.map((t) => `MATCH ()-[r:${relType(t)}]->() WITH count(r) AS n RETURN '${t}' AS type, n`).join(' UNION ALL ');
}

/** Every relationship attached to the given CIs (to refuse deleting a CI that still has some). */
export const ATTACHED_RELS =
  'UNWIND $ids AS id MATCH (n:CI {id: id}) USING INDEX n:CI(id) MATCH (n)-[r]-() WITH DISTINCT r ' +
  'RETURN r {.*} AS r, type(r) AS type, startNode(r).id AS from, endNode(r).id AS to';

export function createCIs(label: string): string {
  return `UNWIND $rows AS row CREATE (n:CI:${classLabel(label)}) SET n = row`;
}

export function updateCIs(label: string): string {
  return `UNWIND $rows AS row MATCH (n:CI {id: row.id}) USING INDEX n:CI(id) SET n = row SET n:${classLabel(label)}`;
}

/** A class change: the old class label goes (the new one is set by `updateCIs`). */
export function removeClassLabel(label: string): string {
  return `UNWIND $ids AS id MATCH (n:CI {id: id}) USING INDEX n:CI(id) REMOVE n:${classLabel(label)}`;
}

export const DELETE_CIS = 'UNWIND $ids AS id MATCH (n:CI {id: id}) USING INDEX n:CI(id) DELETE n';

export function createRels(type: string): string {
  return (
    `UNWIND $rows AS row MATCH (a:CI {id: row.from}) USING INDEX a:CI(id) MATCH (b:CI {id: row.to}) USING INDEX b:CI(id) ` +
    `CREATE (a)-[r:${relType(type)}]->(b) SET r = row.props RETURN count(r) AS n`
  );
}

export function updateRels(type: string): string {
  const t = relType(type);
  return `UNWIND $rows AS row MATCH ()-[r:${t} {id: row.id}]->() USING INDEX r:${t}(id) SET r = row.props`;
}

export function deleteRels(type: string): string {
  const t = relType(type);
  return `UNWIND $ids AS id MATCH ()-[r:${t} {id: id}]->() USING INDEX r:${t}(id) DELETE r`;
}

export const CREATE_EVENTS = 'UNWIND $rows AS row CREATE (e:Event) SET e = row';
/** The hash of one event, to chain the next batch to it. */
export const EVENT_HASH = 'MATCH (e:Event {seq: $seq}) RETURN e.hash AS hash';

export const PAGE_CIS = 'MATCH (n:CI) USING INDEX n:CI(id) WHERE n.id > $after RETURN n {.*} AS n ORDER BY n.id LIMIT $limit';

/** The mirror's view of CIs: only the properties hydration needs. */
export const PAGE_CI_SUMMARIES =
  'MATCH (n:CI) USING INDEX n:CI(id) WHERE n.id > $after ' +
  // Columns, not a map projection: the driver decodes plain values ~3× faster (hydration).
  'RETURN n.id AS id, n.class AS class, n.name AS name, n.status AS status, n.environment AS environment, n.criticality AS criticality, n.owner AS owner, n.redundancy AS redundancy ORDER BY n.id LIMIT $limit';

/** Id, type and ends of relationships of one type, in id order. */
export function pageRelEnds(type: string): string {
  const t = relType(type);
  return `MATCH (a)-[r:${t}]->(b) USING INDEX r:${t}(id) WHERE r.id > $after RETURN r.id AS id, type(r) AS type, a.id AS from, b.id AS to ORDER BY r.id LIMIT $limit`;
}

export function pageRels(type: string): string {
  const t = relType(type);
  return (
    `MATCH (a)-[r:${t}]->(b) USING INDEX r:${t}(id) WHERE r.id > $after ` +
    `RETURN r {.*} AS r, type(r) AS type, a.id AS from, b.id AS to ORDER BY r.id LIMIT $limit`
  );
}

export const READ_RECORDS = 'UNWIND $keys AS k MATCH (r:Record {kind: k.kind, id: k.id}) USING INDEX r:Record(kind, id) RETURN r {.*} AS r';

export const GET_RECORD = 'MATCH (r:Record {kind: $kind, id: $id}) USING INDEX r:Record(kind, id) RETURN r {.*} AS r';

export const CREATE_RECORDS = 'UNWIND $rows AS row CREATE (r:Record) SET r = row';

export const UPDATE_RECORDS =
  'UNWIND $rows AS row MATCH (r:Record {kind: row.kind, id: row.id}) USING INDEX r:Record(kind, id) SET r = row';

export const DELETE_RECORDS = 'UNWIND $keys AS k MATCH (r:Record {kind: k.kind, id: k.id}) USING INDEX r:Record(kind, id) DELETE r';

export const PAGE_RECORDS =
  'MATCH (r:Record) USING INDEX r:Record(kind, id) WHERE r.kind = $kind AND r.id > $after RETURN r {.*} AS r ORDER BY r.id LIMIT $limit';

export const COUNTS =
  'CALL () { MATCH (n:CI) RETURN count(n) AS cis } ' +
  'CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships } ' +
  'CALL () { MATCH (e:Event) RETURN count(e) AS events } ' +
  'CALL () { MATCH (r:Record) RETURN count(r) AS records } ' +
  'RETURN cis, relationships, events, records';

export const HISTORY =
  'MATCH (e:Event {entity: $entity, id: $id}) USING INDEX e:Event(entity, id) WHERE e.seq > $after RETURN e {.*} AS e ORDER BY e.seq LIMIT $limit';

export const EVENTS_AFTER = 'MATCH (e:Event) USING INDEX e:Event(seq) WHERE e.seq > $after RETURN e {.*} AS e ORDER BY e.seq LIMIT $limit';
