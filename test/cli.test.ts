/** The `cmdb` command as a user runs it: real processes, a real SQLite file. */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CMDB, cmdbAt, writeBigNdjson } from './cli-harness.ts';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = promisify(execFile);
const cmdb = (store: string, ...args: string[]) => cmdbAt(`sqlite:${store}`, dir, ...args);

describe('cmdb CLI', () => {
  it('prints help listing the commands', async () => {
    const res = await cmdb(join(dir, 'help.sqlite'), '--help');
    expect(res.code).toBe(0);
    for (const command of ['import', 'export', 'check', 'serve']) expect(res.stdout).toContain(command);
  });

  it('imports, reports as JSON, checks and exports', async () => {
    const store = join(dir, 'basic.sqlite');
    const file = join(dir, 'basic.json');
    writeFileSync(
      file,
      JSON.stringify({
        cis: [
          { id: 'a', class: 'Server', name: 'A' },
          { id: 'b', class: 'Rack', name: 'B' },
        ],
        relationships: [{ type: 'LOCATED_IN', from: 'a', to: 'b' }],
      }),
    );
    const imported = await cmdb(store, 'import', file, '--json');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ seq: 3, cis: 2, relationships: 1, created: 3, updated: 0, unchanged: 0 });
    const check = await cmdb(store, 'check', '--json');
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({
      consistent: true,
      counts: { storeCis: 2, mirrorCis: 2, storeRelationships: 1, mirrorRelationships: 1 },
    });
    const exported = await cmdb(store, 'export', '--format', 'ndjson');
    expect(
      exported.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).kind),
    ).toEqual(['ci', 'ci', 'relationship']);
  }, 60_000);

  it('refuses a bad file with exit code 1, a message naming file, row and field, and nothing written', async () => {
    const store = join(dir, 'bad.sqlite');
    const file = join(dir, 'bad-rows.csv');
    writeFileSync(file, 'id,class,name,environment\nok-1,Server,fine,production\nbad-1,Server,broken,moon\n');
    const res = await cmdb(store, 'import', file);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^cmdb: import: bad-rows\.csv line 3, field "environment": /);
    expect(res.stderr).not.toMatch(/at .*\.ts:\d+/);
    const exported = await cmdb(store, 'export');
    expect(JSON.parse(exported.stdout)).toEqual({ cis: [], relationships: [] });
  }, 60_000);

  it('imports under --change: the events record the change, an unknown change is refused with nothing written, and the audit lists only the import without one', async () => {
    const store = join(dir, 'change.sqlite');
    const seeded = await Cmdb.open({ store: new SqliteStore(store), registry: Registry.load() });
    await seeded.apply(
      [
        {
          op: 'putRecord',
          kind: 'change',
          id: 'CHG-000001',
          doc: {
            id: 'CHG-000001',
            state: 'approved',
            targets: [{ ci: 'a', effect: 'down' }],
            transitions: [{ from: 'cab_review', to: 'approved', by: 'cab', at: '2000-01-01T00:00:00Z' }],
          },
        },
      ],
      { actor: 'cab' },
    );
    await seeded.close();
    const since = new Date(Date.now() - 1).toISOString();
    const file = (name: string, ci: object) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify({ cis: [ci] }));
      return path;
    };
    const covered = await cmdb(
      store,
      'import',
      file('chg-a.json', { id: 'a', class: 'Server', name: 'A' }),
      '--change',
      'CHG-000001',
      '--json',
    );
    expect(covered.code).toBe(0);
    const unknown = await cmdb(store, 'import', file('chg-b.json', { id: 'b', class: 'Server', name: 'B' }), '--change', 'CHG-424242');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/change "CHG-424242" does not exist; the write is not authorised/);
    const bare = await cmdb(store, 'import', file('chg-c.json', { id: 'c', class: 'Server', name: 'C' }), '--json');
    expect(bare.code).toBe(0);

    const reader = new SqliteStore(store);
    await reader.init();
    const events = (await reader.eventsAfter(0, 100)).filter((e) => e.entity === 'ci');
    await reader.close();
    expect(events.map((e) => [e.id, e.changeId ?? null])).toEqual([
      ['a', 'CHG-000001'],
      ['c', null],
    ]);
    const audit = await cmdb(store, 'audit', 'unauthorised', '--since', since, '--json');
    expect(audit.code).toBe(0);
    expect((JSON.parse(audit.stdout) as { events: { id: string; reason: string }[] }).events.map((e) => [e.id, e.reason])).toEqual([
      ['c', 'no_change'],
    ]);
  }, 60_000);

  it('answers the on-call questions on the demo CMDB: impact, deps, spof', async () => {
    const store = join(dir, 'demo.sqlite');
    const demo = fileURLToPath(new URL('../fixtures/demo/cmdb.json', import.meta.url));
    expect((await cmdb(store, 'import', demo)).code).toBe(0);
    const impact = JSON.parse((await cmdb(store, 'impact', 'srv-db-01', '--json')).stdout);
    expect(impact.origins).toEqual([{ id: 'srv-db-01', effect: 'down', state: 'down' }]);
    expect(impact.seq).toBeGreaterThan(0);
    const checkout = impact.services.find((s: { id: string }) => s.id === 'svc-checkout');
    expect(checkout).toMatchObject({ state: 'down', criticality: 1 });
    expect(impact.impacted.find((c: { id: string }) => c.id === 'db-orders-01')).toMatchObject({
      state: 'down',
      depth: 1,
      via: [{ from: 'db-orders-01', type: 'RUNS_ON', to: 'srv-db-01' }],
    });
    const human = await cmdb(store, 'impact', 'esx-east-02');
    expect(human.stdout).toMatch(/DEGRADED\s+svc-payments/);
    expect(human.stdout).not.toMatch(/DOWN\s+svc-payments/);
    const deps = JSON.parse((await cmdb(store, 'deps', 'svc-checkout', '--json')).stdout);
    expect(deps.dependencies.map((d: { id: string }) => d.id)).toContain('srv-db-01');
    const spof = JSON.parse((await cmdb(store, 'spof', 'svc-checkout', '--json')).stdout);
    expect(spof.spofs.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['srv-db-01', 'san-east-01']));
    const missing = await cmdb(store, 'impact', 'no-such-ci');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/impact: CI "no-such-ci" not found/);
    // Seven processes, each loading TypeScript through tsx: seconds apiece on a busy machine.
  }, 120_000);

  it('refuses an unknown store spec clearly', async () => {
    const res = await run(process.execPath, [CMDB, '--store', 'postgres://x', 'check']).catch((e) => e);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/store: "postgres:\/\/x" is neither sqlite:PATH nor bolt:\/\/host:port/);
  });

  it('leaves the store exactly as before when killed with SIGKILL in the middle of a large import', async () => {
    const store = join(dir, 'killed.sqlite');
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
    expect((await cmdb(store, 'import', seed)).code).toBe(0);
    const before = (await cmdb(store, 'export')).stdout;

    const big = join(dir, 'big.ndjson');
    await writeBigNdjson(big, 150_000);
    const child = spawn(process.execPath, [CMDB, '--store', `sqlite:${store}`, 'import', big, '--json'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // The parse phase writes nothing; the write transaction grows the WAL. Kill as soon as it does.
    const wal = `${store}-wal`;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(existsSync(wal) && statSync(wal).size > 4 * 1024 * 1024)) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(wal).size).toBeGreaterThan(4 * 1024 * 1024);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    expect((await cmdb(store, 'export')).stdout).toBe(before);
    const check = await cmdb(store, 'check', '--json');
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({
      consistent: true,
      seq: { store: 3, mirror: 3 },
      counts: { storeCis: 2, storeRelationships: 1 },
    });
  }, 120_000);
});
