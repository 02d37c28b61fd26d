/**
 * Neo4jStore against a real Neo4j (started by test/global-setup.ts): what only Neo4j has (the shared
 * contract runs in store-contract.neo4j.test.ts) — labels per class, real relationship types browsable with natural
 * Cypher, constraints, integer types, and labels/types that can never carry injected Cypher.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Driver } from 'neo4j-driver';
import { InputError, SemanticError } from '../engine/errors.ts';
import type { CIData } from '../engine/model/ci.ts';
import * as Q from '../engine/store/neo4j-cypher.ts';
import { Neo4jStore, compareIds } from '../engine/store/neo4j-store.ts';
import { ci, rel } from './store-contract.ts';
import { clearNeo4j, describeNeo4j, neo4jUri, rawDriver, storeOptions } from './neo4j-env.ts';

const actor = { actor: 'neo4j-test' };

describe('Neo4j Cypher statements', () => {
  it('interpolates only validated labels and types', () => {
    expect(Q.createCIs('Server')).toBe('UNWIND $rows AS row CREATE (n:CI:Server) SET n = row');
    expect(Q.deleteRels('DEPENDS_ON')).toBe('UNWIND $ids AS id MATCH ()-[r:DEPENDS_ON {id: id}]->() USING INDEX r:DEPENDS_ON(id) DELETE r');
    expect(Q.readRels(['DEPENDS_ON', 'RUNS_ON'])).toContain(
      'MATCH (a)-[r:DEPENDS_ON {id: id}]->(b) USING INDEX r:DEPENDS_ON(id) RETURN r, a.id AS from, b.id AS to UNION ALL MATCH (a)-[r:RUNS_ON {id: id}]->(b) USING INDEX r:RUNS_ON(id)',
    );
    for (const bad of ['Server`) DETACH DELETE n //', 'server', 'Ser ver', 'Server:Admin', '', 'Sérveur']) {
      expect(() => Q.createCIs(bad)).toThrow(InputError);
      expect(() => Q.updateCIs(bad)).toThrow(InputError);
      expect(() => Q.removeClassLabel(bad)).toThrow(InputError);
    }
    for (const bad of ['DEPENDS_ON]->() DETACH DELETE r //', 'depends_on', 'DEPENDS ON', 'A|B', '`X`', '']) {
      expect(() => Q.createRels(bad)).toThrow(InputError);
      expect(() => Q.relIdConstraint(bad)).toThrow(InputError);
      expect(() => Q.readRels(['DEPENDS_ON', bad])).toThrow(InputError);
    }
    expect(() => Q.classLabel('Event')).toThrow(SemanticError);
  });

  it('orders ids by code point, like Neo4j and SQLite', () => {
    const ids = ['b', 'a|X|c', 'a', '\u{1F600}', '\uFFFD', 'A', 'a-b'];
    expect([...ids].sort(compareIds)).toEqual(['A', 'a', 'a-b', 'a|X|c', 'b', '\uFFFD', '\u{1F600}']);
  });
});

describeNeo4j('Neo4jStore graph layout', () => {
  let store: Neo4jStore;
  let driver: Driver;
  const cypher = async (q: string, params: Record<string, unknown> = {}) =>
    (await driver.executeQuery(q, params)).records.map((r) => r.toObject());

  beforeAll(() => {
    driver = rawDriver();
  });
  afterAll(async () => {
    await driver.close();
  });
  beforeEach(async () => {
    await clearNeo4j();
    store = new Neo4jStore(storeOptions(neo4jUri(), { relationshipTypes: ['DEPENDS_ON', 'RUNS_ON', 'HOSTED_ON'] }));
    await store.init();
  });
  afterEach(async () => {
    await store.close();
  });

  const web = ci({
    id: 'web-01',
    class: 'VirtualMachine',
    name: 'web 01',
    criticality: 2,
    tags: ['dmz'],
    attributes: { hostname: 'web01.corp', cpus: 4 },
  });
  const db = ci({ id: 'db-01', class: 'Database', name: 'orders db', redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }] });
  const esx = ci({ id: 'esx-04', class: 'Hypervisor', name: 'esx 04' });

  it('labels CIs :CI:<Class> and moves the label when the class changes', async () => {
    await store.apply([{ op: 'upsertCI', ci: web }], actor);
    expect(await cypher('MATCH (n:CI:VirtualMachine {id: $id}) RETURN labels(n) AS labels', { id: 'web-01' })).toEqual([
      { labels: ['CI', 'VirtualMachine'] },
    ]);
    await store.apply([{ op: 'upsertCI', ci: { ...web, class: 'Server' } }], actor);
    const [row] = await cypher('MATCH (n:CI {id: $id}) RETURN labels(n) AS labels, n.class AS class', { id: 'web-01' });
    expect([...(row!.labels as string[])].sort()).toEqual(['CI', 'Server']);
    expect(row!.class).toBe('Server');
    expect(await cypher('MATCH (n:VirtualMachine) RETURN n')).toEqual([]);
  });

  it('stores relationships as real Neo4j types that natural Cypher can walk', async () => {
    await store.apply(
      [
        { op: 'upsertCI', ci: web },
        { op: 'upsertCI', ci: db },
        { op: 'upsertCI', ci: esx },
        { op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'web-01', to: 'db-01', attributes: { port: 5432 } }) },
        { op: 'upsertRelationship', relationship: rel({ type: 'HOSTED_ON', from: 'web-01', to: 'esx-04' }) },
        { op: 'upsertRelationship', relationship: rel({ type: 'HOSTED_ON', from: 'db-01', to: 'esx-04' }) },
      ],
      actor,
    );
    expect(await cypher('MATCH (a:CI)-[r:DEPENDS_ON]->(b:CI) RETURN a.name AS a, r.id AS id, b.name AS b')).toEqual([
      { a: 'web 01', id: 'web-01|DEPENDS_ON|db-01', b: 'orders db' },
    ]);
    const onEsx = await cypher('MATCH (:Hypervisor {id: "esx-04"})<-[:HOSTED_ON]-(x:CI) RETURN x.id AS id ORDER BY id');
    expect(onEsx.map((r) => r.id)).toEqual(['db-01', 'web-01']);
    expect(await cypher('MATCH (:CI {id: "web-01"})-[:DEPENDS_ON|HOSTED_ON*1..2]->(p) RETURN count(DISTINCT p) AS n')).toEqual([{ n: 2 }]);
    const [props] = await cypher('MATCH ()-[r:DEPENDS_ON]->() RETURN properties(r) AS p');
    expect(props!.p).toMatchObject({ id: 'web-01|DEPENDS_ON|db-01', version: 1, attributes: '{"port":5432}' });
    const [ciProps] = await cypher('MATCH (n:CI {id: "db-01"}) RETURN properties(n) AS p');
    expect(ciProps!.p).toMatchObject({
      id: 'db-01',
      class: 'Database',
      name: 'orders db',
      status: 'in_service',
      environment: 'production',
      criticality: 3,
      tags: [],
      redundancy: '[{"relationship":"DEPENDS_ON","minAvailable":1}]',
      attributes: '{}',
    });
  });

  it('replaces a relationship whose type changes, keeping its id and history', async () => {
    const r1 = rel({ id: 'link-1', type: 'DEPENDS_ON', from: 'web-01', to: 'db-01' });
    await store.apply(
      [
        { op: 'upsertCI', ci: web },
        { op: 'upsertCI', ci: db },
        { op: 'upsertRelationship', relationship: r1 },
      ],
      actor,
    );
    const res = await store.apply([{ op: 'upsertRelationship', relationship: { ...r1, type: 'RUNS_ON' }, expectedVersion: 1 }], actor);
    expect(res.events[0]).toMatchObject({
      op: 'update',
      before: { type: 'DEPENDS_ON', version: 1 },
      after: { type: 'RUNS_ON', version: 2 },
    });
    expect(await cypher('MATCH ()-[r]->() RETURN type(r) AS t, r.id AS id')).toEqual([{ t: 'RUNS_ON', id: 'link-1' }]);
    expect(await store.getRelationship('link-1')).toMatchObject({ type: 'RUNS_ON', version: 2 });
  });

  it('creates the uniqueness constraints and indexes', async () => {
    const constraints = await cypher(
      'SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN name, type, labelsOrTypes, properties',
    );
    const byName = new Map(constraints.map((c) => [c.name as string, c]));
    expect(byName.get('cmdb_ci_id')).toMatchObject({ type: 'UNIQUENESS', labelsOrTypes: ['CI'], properties: ['id'] });
    expect(byName.get('cmdb_event_seq')).toMatchObject({ type: 'UNIQUENESS', labelsOrTypes: ['Event'], properties: ['seq'] });
    expect(byName.get('cmdb_record_kind_id')).toMatchObject({ labelsOrTypes: ['Record'], properties: ['kind', 'id'] });
    for (const t of ['DEPENDS_ON', 'RUNS_ON', 'HOSTED_ON']) {
      expect(byName.get(`cmdb_rel_id_${t}`)).toMatchObject({ type: 'RELATIONSHIP_UNIQUENESS', labelsOrTypes: [t], properties: ['id'] });
    }
    const indexes = await cypher('SHOW INDEXES YIELD name, labelsOrTypes, properties, state RETURN name, labelsOrTypes, properties, state');
    expect(indexes.find((i) => i.name === 'cmdb_event_entity_id')).toMatchObject({
      labelsOrTypes: ['Event'],
      properties: ['entity', 'id'],
      state: 'ONLINE',
    });
  });

  it('plans every lookup as an index seek, even on an empty database', async () => {
    const plans: [string, string][] = [
      [Q.READ_CIS, 'ids'],
      [Q.GET_CI, ''],
      [Q.readRels(['DEPENDS_ON', 'RUNS_ON']), 'ids'],
      [Q.ATTACHED_RELS, 'ids'],
      [Q.updateCIs('Server'), 'rows'],
      [Q.createRels('DEPENDS_ON'), 'rows'],
      [Q.updateRels('DEPENDS_ON'), 'rows'],
      [Q.deleteRels('DEPENDS_ON'), 'ids'],
      [Q.DELETE_CIS, 'ids'],
      [Q.PAGE_CIS, ''],
      [Q.pageRels('DEPENDS_ON'), ''],
      [Q.HISTORY, ''],
      [Q.EVENTS_AFTER, ''],
      [Q.READ_RECORDS, 'keys'],
      [Q.PAGE_RECORDS, ''],
    ];
    for (const [stmt] of plans) {
      const res = await driver.executeQuery(`EXPLAIN ${stmt}`, {
        ids: [],
        rows: [],
        keys: [],
        id: 'x',
        after: '',
        limit: 1,
        entity: 'ci',
        kind: 'change',
      });
      const ops: string[] = [];
      const walk = (p: { operatorType: string; children: unknown[] }) => {
        ops.push(p.operatorType.split('@')[0]!);
        for (const c of p.children) walk(c as typeof p);
      };
      walk(res.summary.plan as unknown as { operatorType: string; children: unknown[] });
      expect(
        ops.filter((o) => /Scan/.test(o)),
        stmt,
      ).toEqual([]);
    }
  });

  it('indexes a relationship type on first use', async () => {
    await store.apply(
      [
        { op: 'upsertCI', ci: web },
        { op: 'upsertCI', ci: db },
        { op: 'upsertRelationship', relationship: rel({ type: 'BACKED_UP_BY', from: 'db-01', to: 'web-01' }) },
      ],
      actor,
    );
    const found = await cypher('SHOW CONSTRAINTS YIELD name WHERE name = "cmdb_rel_id_BACKED_UP_BY" RETURN name');
    expect(found).toHaveLength(1);
  });

  it('stores integers as Neo4j INTEGER and returns them as JS numbers', async () => {
    await store.apply(
      [
        { op: 'upsertCI', ci: web },
        { op: 'upsertCI', ci: db },
        { op: 'upsertRelationship', relationship: rel({ type: 'DEPENDS_ON', from: 'web-01', to: 'db-01' }) },
      ],
      actor,
    );
    const [types] = await cypher(
      'MATCH (n:CI {id: "web-01"}) MATCH ()-[r:DEPENDS_ON]->() MATCH (e:Event {seq: 1}) MATCH (s:Sequence) ' +
        'RETURN valueType(n.criticality) AS crit, valueType(n.version) AS v, valueType(r.version) AS rv, valueType(e.seq) AS seq, valueType(s.value) AS last',
    );
    expect(types).toEqual({
      crit: 'INTEGER NOT NULL',
      v: 'INTEGER NOT NULL',
      rv: 'INTEGER NOT NULL',
      seq: 'INTEGER NOT NULL',
      last: 'INTEGER NOT NULL',
    });
    const saved = (await store.getCI('web-01'))!;
    expect(typeof saved.criticality).toBe('number');
    expect(typeof saved.version).toBe('number');
    expect(typeof (await store.lastSeq())).toBe('number');
    const [ev] = await store.eventsAfter(0, 1);
    expect(typeof ev!.seq).toBe('number');
    expect(await store.counts()).toEqual({ cis: 2, relationships: 1, events: 3, records: 0 });
  });

  it('never lets a malicious class or type reach Cypher', async () => {
    await store.apply(
      [
        { op: 'upsertCI', ci: web },
        { op: 'upsertCI', ci: db },
      ],
      actor,
    );
    const evilClass = { ...esx, class: 'Server) WITH n MATCH (m) DETACH DELETE m //' } as CIData;
    await expect(
      store.apply(
        [
          { op: 'upsertCI', ci: esx },
          { op: 'upsertCI', ci: evilClass },
        ],
        actor,
      ),
    ).rejects.toBeInstanceOf(InputError);
    const evilType = { id: 'x', type: 'DEPENDS_ON]->() MATCH (m) DETACH DELETE m //', from: 'web-01', to: 'db-01', attributes: {} };
    await expect(store.apply([{ op: 'upsertRelationship', relationship: evilType }], actor)).rejects.toBeInstanceOf(InputError);
    await expect(store.apply([{ op: 'upsertCI', ci: { ...esx, class: 'Event' } }], actor)).rejects.toBeInstanceOf(SemanticError);
    expect(() => new Neo4jStore(storeOptions(neo4jUri(), { relationshipTypes: ['OK', 'BAD`'] }))).toThrow(InputError);
    expect(await store.counts()).toEqual({ cis: 2, relationships: 0, events: 2, records: 0 });
    // Values are parameters: a hostile id or attribute is stored verbatim.
    const hostile: CIData = {
      ...ci({ id: 'h', class: 'Server', name: '`) DETACH DELETE n //', attributes: { q: '"; MATCH (n) DELETE n' } }),
      id: "x'})-[:X]->(m) //",
    };
    await store.apply([{ op: 'upsertCI', ci: hostile }], actor);
    expect(await store.getCI(hostile.id)).toMatchObject(hostile);
  });

  it('reports progress during a large batch and commits it in one transaction', async () => {
    const n = 3000;
    const cis = Array.from({ length: n }, (_, i) =>
      ci({ id: `srv-${String(i).padStart(5, '0')}`, class: i % 2 ? 'Server' : 'VirtualMachine', name: `server ${i}` }),
    );
    const rels = cis.slice(1).map((c, i) => rel({ type: 'DEPENDS_ON', from: c.id, to: cis[i]!.id }));
    const seen: number[] = [];
    const small = new Neo4jStore(storeOptions(neo4jUri(), { chunkSize: 500 }));
    try {
      await small.init();
      const res = await small.apply(
        [
          ...cis.map((c) => ({ op: 'upsertCI' as const, ci: c })),
          ...rels.map((r) => ({ op: 'upsertRelationship' as const, relationship: r })),
        ],
        actor,
        {
          onProgress: (done) => seen.push(done),
        },
      );
      expect(res.seq).toBe(2 * n - 1);
      expect(seen.length).toBeGreaterThan(5);
      expect(seen[seen.length - 1]).toBe(2 * n - 1);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(await small.counts()).toMatchObject({ cis: n, relationships: n - 1 });
      let pages = 0;
      let count = 0;
      let last = '';
      for await (const page of small.streamRelationships(700)) {
        pages++;
        for (const r of page) {
          expect(compareIds(last, r.id)).toBeLessThan(0);
          last = r.id;
          count++;
        }
      }
      expect([pages, count]).toEqual([Math.ceil((n - 1) / 700), n - 1]);
    } finally {
      await small.close();
    }
  });
});
