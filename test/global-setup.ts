/**
 * vitest globalSetup for the Neo4j test project: uses NEO4J_URI when set, else starts a throwaway
 * Neo4j (fresh temp data dir, free port) with scripts/neo4j.ts and stops it afterwards. Tests read
 * the URL with `inject('neo4jUri')` (test/neo4j-env.ts); it is also put in process.env.NEO4J_URI.
 *
 * No Java: CMDB_REQUIRE_NEO4J=1 fails the run; otherwise the Neo4j tests are skipped, loudly.
 * CMDB_SKIP_NEO4J=1 skips them on purpose (fast local loops).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, javaAvailable, startNeo4j } from '../scripts/neo4j.ts';

const NEO4J_SKIP_MESSAGE =
  '\n*** Neo4j tests SKIPPED: no NEO4J_URI and no `java` on PATH (install JDK 17, or set NEO4J_URI; CMDB_REQUIRE_NEO4J=1 makes this an error) ***\n';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const required = process.env.CMDB_REQUIRE_NEO4J === '1';
  if (process.env.NEO4J_URI) {
    project.provide('neo4jUri', process.env.NEO4J_URI);
    return;
  }
  if (process.env.CMDB_SKIP_NEO4J === '1' && !required) {
    console.warn('\n*** Neo4j tests SKIPPED: CMDB_SKIP_NEO4J=1 ***\n');
    project.provide('neo4jUri', undefined);
    return;
  }
  if (!javaAvailable()) {
    if (required) throw new Error('CMDB_REQUIRE_NEO4J=1 but `java` is not on PATH and NEO4J_URI is not set: cannot run the Neo4j tests');
    console.warn(NEO4J_SKIP_MESSAGE);
    project.provide('neo4jUri', undefined);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-neo4j-test-'));
  const t0 = Date.now();
  let neo;
  try {
    neo = await startNeo4j({ port: await freePort(), dataDir: join(dir, 'data'), runDir: dir, detached: false });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  console.log(`[global-setup] Neo4j ready on ${neo.uri} in ${((Date.now() - t0) / 1000).toFixed(1)} s (data ${dir})`);
  process.env.NEO4J_URI = neo.uri;
  project.provide('neo4jUri', neo.uri);
  const running = neo;
  return async () => {
    await running.stop();
    delete process.env.NEO4J_URI;
    rmSync(dir, { recursive: true, force: true });
  };
}
