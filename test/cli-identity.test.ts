/**
 * Who the CLI acts as (issue #9, build item 3): a token from --token / CMDB_TOKEN, verified against
 * the store's tokens with the same permissions as over HTTP, or `local:<OS user>` without one —
 * recorded as such in the event log; votes and role-gated transitions need a token. Most cases run
 * the real program in-process on a real SQLite file (fast on a shared machine); one runs the
 * `cmdb` process with CMDB_TOKEN in its environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../api/cli.ts';
import type { CliIo } from '../api/commands/context.ts';
import { ForbiddenError } from '../engine/errors.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { cmdbWith } from './cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-cli-identity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'identity.sqlite');
const spec = `sqlite:${file}`;

/** Runs `cmdb --store spec [--token T] ARGS…` in-process as OS user "tester"; returns stdout. */
async function cmdb(args: string[], token?: string): Promise<string> {
  let out = '';
  const io: CliIo = { stdout: (t) => (out += t), stderr: () => {}, stderrIsTTY: false, env: {}, user: 'tester' };
  const { program } = buildProgram(io);
  await program.parseAsync(['node', 'cmdb', '--store', spec, ...(token ? ['--token', token] : []), ...args]);
  return out;
}
const json = async <T>(args: string[], token?: string) => JSON.parse(await cmdb([...args, '--json'], token)) as T;

/** The store's event log as it is on disk, read with a second connection. */
async function events(entity: string, id: string) {
  const store = new SqliteStore(file);
  await store.init();
  try {
    return await store.history(entity, id);
  } finally {
    await store.close();
  }
}

async function lastSeq(): Promise<number> {
  const store = new SqliteStore(file);
  await store.init();
  try {
    return await store.lastSeq();
  } finally {
    await store.close();
  }
}

const tokens: Record<string, string> = {};

beforeAll(async () => {
  const graph = join(dir, 'graph.json');
  writeFileSync(
    graph,
    JSON.stringify({
      cis: [
        { id: 'shop', class: 'BusinessService', name: 'Shop', criticality: 1 },
        { id: 'api', class: 'Application', name: 'shop api' },
        { id: 'db', class: 'Database', name: 'shop db' },
      ],
      relationships: [
        { type: 'DEPENDS_ON', from: 'shop', to: 'api' },
        { type: 'DEPENDS_ON', from: 'api', to: 'db' },
      ],
    }),
  );
  await cmdb(['import', graph]);
  for (const [name, role] of [
    ['cab-ana', 'cab_member'],
    ['cab-ben', 'cab_member'],
    ['vic', 'viewer'],
    ['erin', 'engineer'],
    ['carol', 'change_manager'],
  ] as const) {
    tokens[name] = (await json<{ token: string }>(['token', 'create', '--role', role, '--name', name])).token;
  }
}, 120_000);

describe('cmdb CLI identity', () => {
  it('records a write without a token as local:<OS user> in the event log', async () => {
    const [created] = await events('ci', 'db');
    expect(created).toMatchObject({ op: 'create', actor: 'local:tester' });
    const [token] = await events('token', (await json<{ id: string }[]>(['token', 'list'])).find((t) => t.id)!.id);
    expect(token!.actor).toBe('local:tester');
  });

  it('records a write with a token under the token holder’s name, with that role’s permissions as over HTTP', async () => {
    const more = join(dir, 'more.json');
    writeFileSync(more, JSON.stringify({ cis: [{ id: 'cache', class: 'Cache', name: 'shop cache' }] }));
    await cmdb(['import', more], tokens.carol);
    expect((await events('ci', 'cache'))[0]).toMatchObject({ op: 'create', actor: 'carol' });
    // An engineer has no `cmdb:import` over HTTP, so not here either; nothing is written.
    writeFileSync(more, JSON.stringify({ cis: [{ id: 'cache-2', class: 'Cache', name: 'refused' }] }));
    await expect(cmdb(['import', more], tokens.erin)).rejects.toThrow(
      /import: role "engineer" of token "erin" does not have permission "cmdb:import"/,
    );
    expect(await events('ci', 'cache-2')).toEqual([]);
    // A viewer may read but not log an incident.
    expect(await cmdb(['incident', 'list'], tokens.vic)).toBe('no incidents\n');
    await expect(cmdb(['incident', 'create', '--title', 'x', '--ci', 'db'], tokens.vic)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses an unknown, malformed or revoked token for reads and writes alike, writing nothing', async () => {
    const before = await lastSeq();
    for (const bad of ['cmdb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-token']) {
      await expect(cmdb(['incident', 'list'], bad)).rejects.toMatchObject({ code: 'unauthorized' });
      await expect(cmdb(['incident', 'create', '--title', 'x', '--ci', 'db'], bad)).rejects.toMatchObject({ code: 'unauthorized' });
    }
    const throwaway = (await json<{ token: string }>(['token', 'create', '--role', 'engineer', '--name', 'leaver'])).token;
    expect(await cmdb(['incident', 'list'], throwaway)).toBe('no incidents\n');
    await cmdb(['token', 'revoke', 'leaver']);
    await expect(cmdb(['incident', 'list'], throwaway)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await lastSeq()).toBe(before + 2); // the token's creation and revocation only
  });

  it('lets the local user draft and move a change but not vote; a cab_member token votes under its name and role', async () => {
    const created = await json<{ id: string; requester: string }>([
      'change',
      'create',
      '--title',
      'patch db',
      '--ci',
      'db',
      '--start',
      '2027-03-06T22:00:00Z',
      '--end',
      '2027-03-07T02:00:00Z',
      '--plan',
      'apply',
      '--backout',
      'restore',
    ]);
    expect(created.requester).toBe('local:tester');
    for (const to of ['submitted', 'assessed', 'cab_review']) await cmdb(['change', 'transition', created.id, to]);
    const versionBefore = (await json<{ version: number }>(['change', 'show', created.id])).version;

    await expect(cmdb(['change', 'approve', created.id])).rejects.toThrow(/change approve: needs a token/);
    await expect(cmdb(['change', 'transition', created.id, 'rejected', '--reason', 'no'])).rejects.toThrow(/needs a token/);
    await expect(cmdb(['change', 'transition', created.id, 'approved'])).rejects.toThrow(/needs a token/);
    await expect(cmdb(['change', 'approve', created.id], tokens.vic)).rejects.toThrow(
      /role "viewer" of token "vic" does not have permission "changes:approve"/,
    );
    // The self-asserted identity of old is refused, not ignored.
    await expect(cmdb(['change', 'approve', created.id, '--as', 'cab-ana', '--role', 'cab_member'])).rejects.toThrow(
      /--as is no longer accepted/,
    );
    expect((await json<{ version: number; approvals: unknown[] }>(['change', 'show', created.id])).approvals).toEqual([]);
    expect((await json<{ version: number }>(['change', 'show', created.id])).version).toBe(versionBefore);

    await cmdb(['change', 'approve', created.id, '--reason', 'fine'], tokens['cab-ana']);
    const approved = await json<{ state: string; approvals: { by: string; role: string }[] }>(
      ['change', 'approve', created.id, '--reason', 'fine too'],
      tokens['cab-ben'],
    );
    expect(approved.state).toBe('approved');
    expect(approved.approvals.map((a) => [a.by, a.role])).toEqual([
      ['cab-ana', 'cab_member'],
      ['cab-ben', 'cab_member'],
    ]);
    expect((await events('change', created.id)).at(-1)).toMatchObject({ actor: 'cab-ben' });
  });

  it('takes the token from CMDB_TOKEN in a real cmdb process', async () => {
    const file2 = join(dir, 'env.json');
    writeFileSync(file2, JSON.stringify({ cis: [{ id: 'queue', class: 'MessageQueue', name: 'orders queue' }] }));
    const ok = await cmdbWith({ CMDB_TOKEN: tokens.carol! }, spec, dir, 'import', file2);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('as carol');
    expect((await events('ci', 'queue'))[0]).toMatchObject({ actor: 'carol' });
    const refused = await cmdbWith(
      { CMDB_TOKEN: 'cmdb_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      spec,
      dir,
      'incident',
      'list',
      '--json',
    );
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
