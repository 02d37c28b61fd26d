/**
 * What Neo4j-backed test files share: the Bolt URL the global setup started (or NEO4J_URI), a
 * `describeNeo4j` that skips loudly when there is none, and a contract harness that hands out an
 * empty database per test (Community has one database, so those files never run in parallel).
 */
import { describe, inject } from 'vitest';
import neo4j from 'neo4j-driver';
import { Neo4jStore, type Neo4jStoreOptions } from '../engine/store/neo4j-store.ts';
import type { GraphStore } from '../engine/store/port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by test/global-setup.ts; undefined when Neo4j tests are skipped. */
    neo4jUri: string | undefined;
  }
}

export const NEO4J_SKIP_MESSAGE =
  '\n*** Neo4j tests SKIPPED in this file: no Neo4j for the tests (no NEO4J_URI, and no `java` on PATH or CMDB_SKIP_NEO4J=1; CMDB_REQUIRE_NEO4J=1 makes this an error) ***\n';

/** The Bolt URL of the test Neo4j, or undefined when Neo4j tests are skipped. */
export function neo4jUri(): string | undefined {
  let provided: string | undefined;
  try {
    provided = inject('neo4jUri');
  } catch {
    provided = undefined;
  }
  return provided || process.env.NEO4J_URI || undefined;
}

const uri = neo4jUri();
if (!uri) {
  if (process.env.CMDB_REQUIRE_NEO4J === '1') throw new Error('CMDB_REQUIRE_NEO4J=1 but no Neo4j is available to the tests');
  console.warn(NEO4J_SKIP_MESSAGE);
}

/** `describe` when a Neo4j is available, else `describe.skip` (with the warning above). */
export const describeNeo4j: typeof describe = uri ? describe : (describe.skip as typeof describe);

export function storeOptions(url = uri ?? '', extra: Partial<Neo4jStoreOptions> = {}): Neo4jStoreOptions {
  const opts: Neo4jStoreOptions = { url, ...extra };
  if (process.env.NEO4J_USER) opts.user = process.env.NEO4J_USER;
  if (process.env.NEO4J_PASSWORD) opts.password = process.env.NEO4J_PASSWORD;
  return opts;
}

/** Removes every node and relationship (the schema stays), in batches so big graphs fit in memory. */
export async function clearNeo4j(url = uri ?? ''): Promise<void> {
  const user = process.env.NEO4J_USER;
  const driver = neo4j.driver(url, user ? neo4j.auth.basic(user, process.env.NEO4J_PASSWORD ?? '') : undefined);
  const session = driver.session();
  try {
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await session.close();
    await driver.close();
  }
}

/** A `StoreHarness` for test/store-contract.ts: every `create()` starts from an empty database. */
export function neo4jHarness(extra: Partial<Neo4jStoreOptions> = {}): {
  create(): Promise<GraphStore>;
  reopen(store: GraphStore): Promise<GraphStore>;
} {
  return {
    async create() {
      await clearNeo4j();
      const store = new Neo4jStore(storeOptions(uri, extra));
      await store.init();
      return store;
    },
    async reopen() {
      const again = new Neo4jStore(storeOptions(uri, extra));
      await again.init();
      return again;
    },
  };
}

/** A plain driver on the test server, to look at the graph the way a user would in Neo4j Browser. */
export function rawDriver(url = uri ?? ''): ReturnType<typeof neo4j.driver> {
  const user = process.env.NEO4J_USER;
  return neo4j.driver(url, user ? neo4j.auth.basic(user, process.env.NEO4J_PASSWORD ?? '') : undefined, { disableLosslessIntegers: true });
}
