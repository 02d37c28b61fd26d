/**
 * Neo4jStore when Neo4j is not there: unreachable at start-up fails fast and clearly, and a server
 * lost while running turns writes into StoreUnavailableError (HTTP 503), never a hang. The second
 * case kills its OWN throwaway Neo4j (separate port and data dir), not the shared test server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StoreUnavailableError } from '../engine/errors.ts';
import { Neo4jStore } from '../engine/store/neo4j-store.ts';
import { freePort, startNeo4j, type RunningNeo4j } from '../scripts/neo4j.ts';
import { ci } from './store-contract.ts';
import { describeNeo4j } from './neo4j-env.ts';

const actor = { actor: 'fault-test' };

describeNeo4j('Neo4jStore when Neo4j is unreachable at start-up', () => {
  it('fails init() quickly with StoreUnavailableError naming the URL', async () => {
    const port = await freePort();
    const store = new Neo4jStore({ url: `bolt://127.0.0.1:${port}` });
    const t0 = Date.now();
    try {
      const err = await store.init().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as Error).message).toMatch(new RegExp(`^neo4j: cannot reach bolt://127\\.0\\.0\\.1:${port} : `));
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(await store.ping()).toBe(false);
      await expect(store.apply([{ op: 'upsertCI', ci: ci({ id: 'a', class: 'Server', name: 'a' }) }], actor)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(store.getCI('a')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });

  it('gives up on a host that never answers within the connection timeout, not a hang', async () => {
    // 10.255.255.1 is routable-looking but silent here: either the SYN times out or the network refuses at once.
    const store = new Neo4jStore({ url: 'bolt://10.255.255.1:7687', connectionTimeoutMs: 2_000 });
    const t0 = Date.now();
    try {
      await expect(store.init()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await store.close();
    }
  });
});

describeNeo4j('Neo4jStore when Neo4j is lost while running', () => {
  let neo: RunningNeo4j | undefined;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmdb-neo4j-fault-'));
    neo = await startNeo4j({ port: await freePort(), dataDir: join(dir, 'data'), runDir: dir, detached: false });
  }, 180_000);
  afterAll(async () => {
    await neo?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('rejects apply() with StoreUnavailableError and reports ping false once the server is gone', async () => {
    const store = new Neo4jStore({ url: neo!.uri, maxTransactionRetryTimeMs: 2_000 });
    try {
      await store.init();
      await store.apply([{ op: 'upsertCI', ci: ci({ id: 'srv-1', class: 'Server', name: 'one' }) }], actor);
      expect(await store.ping()).toBe(true);

      process.kill(neo!.pid, 'SIGKILL');
      await neo!.stop(); // waits until the JVM is really gone

      const t0 = Date.now();
      const err = await store.apply([{ op: 'upsertCI', ci: ci({ id: 'srv-2', class: 'Server', name: 'two' }) }], actor).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as Error).message).toContain(neo!.uri);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(await store.ping()).toBe(false);
      await expect(store.lastSeq()).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
