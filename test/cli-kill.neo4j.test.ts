/**
 * SIGKILL in the middle of a large `cmdb import` into Neo4j: the import is one transaction, so the
 * server rolls it back when the client's connection dies, and the store is exactly as before; the
 * next start hydrates a mirror equal to it (`cmdb check`). The SQLite twin is in cli.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CMDB, cmdbAt, writeBigNdjson } from './cli-harness.ts';
import { clearNeo4j, describeNeo4j, neo4jUri, rawDriver } from './neo4j-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-cli-neo4j-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write transactions of the import still open on the server (this test's own query excluded). */
async function importTransactions(): Promise<number> {
  const driver = rawDriver();
  try {
    const { records } = await driver.executeQuery(
      'SHOW TRANSACTIONS YIELD currentQuery WHERE NOT currentQuery STARTS WITH "SHOW" RETURN count(*) AS n',
    );
    return Number(records[0]!.get('n'));
  } finally {
    await driver.close();
  }
}

describeNeo4j('cmdb import into Neo4j killed with SIGKILL', () => {
  const store = () => neo4jUri()!;
  const cmdb = (...args: string[]) => cmdbAt(store(), dir, ...args);
  beforeAll(() => clearNeo4j());

  it('leaves the store exactly as before, and the next start hydrates a mirror equal to it', async () => {
    const seed = join(dir, 'seed.json');
    writeFileSync(
      seed,
      JSON.stringify({
        cis: [
          { id: 'keep-1', class: 'Server', name: 'kept' },
          { id: 'keep-2', class: 'Rack', name: 'kept rack' },
        ],
        relationships: [{ type: 'LOCATED_IN', from: 'keep-1', to: 'keep-2' }],
      }),
    );
    expect((await cmdb('import', seed)).code).toBe(0);
    const before = (await cmdb('export')).stdout;
    expect(JSON.parse(before).cis).toHaveLength(2);

    const big = join(dir, 'big.ndjson');
    await writeBigNdjson(big, 40_000);
    const child = spawn(process.execPath, [CMDB, '--store', store(), 'import', big, '--json'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // Parsing writes nothing; kill once the import's transaction has been open on the server a while.
    const deadline = Date.now() + 90_000;
    let seenAt = 0;
    while (Date.now() < deadline) {
      if ((await importTransactions()) > 0) seenAt ||= Date.now();
      if (seenAt && Date.now() - seenAt > 1500) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seenAt).toBeGreaterThan(0);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The server notices the dead connection and rolls the transaction back.
    const gone = Date.now() + 60_000;
    while (Date.now() < gone && (await importTransactions()) > 0) await new Promise((r) => setTimeout(r, 200));
    expect(await importTransactions()).toBe(0);

    expect((await cmdb('export')).stdout).toBe(before);
    const check = await cmdb('check', '--json');
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({
      consistent: true,
      seq: { store: 3, mirror: 3 },
      counts: { storeCis: 2, storeRelationships: 1 },
    });
  }, 240_000);
});
