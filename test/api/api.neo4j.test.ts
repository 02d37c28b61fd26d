/**
 * The API suite on the real Neo4j (the same spec as test/api/api.test.ts on SQLite), and the
 * fault test: Neo4j is stopped while the app runs and started again on the same data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { Neo4jStore } from '../../engine/store/neo4j-store.ts';
import { withBreaker } from '../../engine/store/breaker.ts';
import { freePort, startNeo4j, type RunningNeo4j } from '../../scripts/neo4j.ts';
import { describeNeo4j, neo4jHarness, storeOptions } from '../neo4j-env.ts';
import { apiSuite } from './api-spec.ts';
import { apiFixture } from './harness.ts';
import { outageScenario } from './outage-spec.ts';

describeNeo4j('Neo4j', () => {
  apiSuite('Neo4jStore', () => neo4jHarness());

  describe('store outage (real Neo4j stopped and started)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cmdb-api-fault-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it(
      'answers mirror reads at once, refuses writes with a clean 503 within 1 s once Neo4j is known down, and recovers by itself when it is back',
      { timeout: 400_000 },
      async () => {
        // A Neo4j of its own, so stopping it does not disturb the shared test server.
        const port = await freePort();
        const dataDir = join(dir, 'data');
        let neo: RunningNeo4j | undefined = await startNeo4j({ port, dataDir, runDir: dir, detached: false, heap: '512m' });
        const store = withBreaker(new Neo4jStore(storeOptions(neo.uri, { connectionTimeoutMs: 1_000, maxTransactionRetryTimeMs: 1_000 })), {
          watchMs: 250,
          probeMs: 250,
        });
        await store.init();
        const fx = await apiFixture(store, {}, true, { ttlMs: 200 });
        try {
          await outageScenario(fx, {
            tokenTtlMs: 200,
            recoveryMs: 120_000,
            stop: async () => {
              await neo!.stop();
              neo = undefined;
            },
            start: async () => {
              neo = await startNeo4j({ port, dataDir, runDir: dir, detached: false, heap: '512m' });
            },
          });
        } finally {
          await fx.close().catch(() => undefined);
          await neo?.stop();
        }
      },
    );
  });
});
