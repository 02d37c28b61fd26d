/**
 * A CLI that behaves (issue #9, build item 7): quiet exit on a closed pipe, `--version`, errors as
 * JSON with `--json`, validation errors naming field and reason, "did you mean" for CI ids, reads
 * that never create a store, text by default, empty answers that say so, one flag per concept.
 * Output texts run the real program in-process on a real SQLite file; what only a process shows
 * (pipes, exit codes, stderr) runs `cmdb` as a child process.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../api/cli.ts';
import type { CliIo } from '../api/commands/context.ts';
import { CMDB, cmdbAt } from './cli-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-cli-behaviour-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const spec = `sqlite:${join(dir, 'demo.sqlite')}`;
const DEMO = fileURLToPath(new URL('../fixtures/demo/cmdb.json', import.meta.url));

/** The program in-process as OS user "tester": stdout and stderr text. */
async function cmdb(...args: string[]): Promise<{ out: string; err: string }> {
  const res = { out: '', err: '' };
  const io: CliIo = { stdout: (t) => (res.out += t), stderr: (t) => (res.err += t), stderrIsTTY: false, env: {}, user: 'tester' };
  await buildProgram(io).program.parseAsync(['node', 'cmdb', '--store', spec, ...args]);
  return res;
}

/** Runs `cmdb ARGS` in a child process, reads its first stdout chunk, then closes the pipe as `head` does. */
function readFirstChunkThenClose(args: string[]): Promise<{ code: number | null; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CMDB, '--store', spec, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, first }));
  });
}

beforeAll(async () => {
  await cmdb('import', DEMO);
}, 120_000);

describe('cmdb CLI behaviour', () => {
  it('ends quietly with exit 0 when the reader closes the pipe early (export | head, impact --json | head)', async () => {
    const [exported, impact] = await Promise.all([
      readFirstChunkThenClose(['export']),
      readFirstChunkThenClose(['impact', 'dc-east', '--json']),
    ]);
    expect(exported.first).toMatch(/^\{/);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(impact.first).toMatch(/^\{/);
    expect(impact).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);

  it('prints its version, and errors as {"error":{code,message,details}} on stderr with --json', async () => {
    const [version, unknownCi, usage] = await Promise.all([
      cmdbAt(spec, dir, '--version'),
      cmdbAt(spec, dir, 'impact', 'srv-db-1', '--json'),
      cmdbAt(spec, dir, 'kb', 'search', '--json'),
    ]);
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect(unknownCi.code).toBe(1);
    expect(unknownCi.stdout).toBe('');
    expect(JSON.parse(unknownCi.stderr)).toEqual({
      error: {
        code: 'not_found',
        message: 'impact: CI "srv-db-1" not found — did you mean "srv-db-01", "srv-db-02"?',
        details: { id: 'srv-db-1', suggestions: ['srv-db-01', 'srv-db-02'] },
      },
    });
    expect(usage.code).toBe(1);
    expect(JSON.parse(usage.stderr)).toMatchObject({
      error: { code: 'invalid_input', message: expect.stringContaining("missing required argument 'query'") },
    });
  }, 60_000);

  it('never creates a store for a read: it says where it looked and how to create one', async () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const { CMDB_STORE: _s, CMDB_TOKEN: _t, ...env } = process.env;
    const res = await promisify(execFile)(process.execPath, [CMDB, 'impact', 'srv-db-01'], { cwd: elsewhere, env }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect((res as { code?: number }).code).toBe(1);
    expect(res.stderr).toContain(`impact: no CMDB at "${join(elsewhere, 'data', 'cmdb.sqlite')}"`);
    expect(res.stderr).toContain('cmdb import FILE');
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
  }, 60_000);

  it('names the field and the reason of a validation error, and every further issue', async () => {
    await expect(
      cmdb('change', 'create', '--title', '', '--ci', 'db-orders-01', '--start', 'saturday', '--end', 'sunday'),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^change create: field "title": .+ \(and 2 more\)$/),
      details: [
        expect.objectContaining({ path: ['title'] }),
        expect.objectContaining({ path: ['window', 'start'] }),
        expect.objectContaining({ path: ['window', 'end'] }),
      ],
    });
    const res = await cmdbAt(spec, dir, 'change', 'create', '--title', 'x', '--start', 'saturday', '--end', '2027-01-01T00:00:00Z');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^cmdb: change create: field "window\.start": \S/);
  }, 60_000);

  it('suggests the closest CI ids for an unknown one, wherever a CI id is typed', async () => {
    await expect(cmdb('deps', 'svc-chekout')).rejects.toThrow('deps: CI "svc-chekout" not found — did you mean "svc-checkout"?');
    await expect(cmdb('incident', 'create', '--title', 'x', '--ci', 'srv-db-01', 'srv-db-9')).rejects.toThrow(
      /incident create: CI "srv-db-9" not found — did you mean "srv-db-01"/,
    );
    await expect(cmdb('spof', 'zzzz-nothing-like-it')).rejects.toThrow(/^spof: CI "zzzz-nothing-like-it" not found$/);
  });

  it('prints text by default and JSON with --json, and says so when an answer is empty', async () => {
    expect((await cmdb('kb', 'search', 'qwertyuiop')).out).toBe('no articles match "qwertyuiop"\n');
    expect(JSON.parse((await cmdb('kb', 'search', 'qwertyuiop', '--json')).out)).toEqual([]);
    expect((await cmdb('incident', 'list')).out).toBe('no incidents\n');
    expect((await cmdb('problem', 'list')).out).toBe('no problems\n');
    const created = JSON.parse((await cmdb('incident', 'create', '--title', 'orders slow', '--ci', 'db-orders-01', '--json')).out) as {
      id: string;
      reportedBy: string;
    };
    expect(created.reportedBy).toBe('local:tester');
    const text = (await cmdb('incident', 'show', created.id)).out;
    expect(text).toMatch(new RegExp(`^${created.id}  orders slow\\n  priority P\\d`));
    expect(text).toContain('CIs db-orders-01');
    expect(text).not.toContain('{');
    expect(JSON.parse((await cmdb('incident', 'show', created.id, '--json')).out)).toMatchObject({
      incident: { id: created.id },
      sla: { incident: created.id },
    });
  });

  it('uses --ci for CIs in every command, keeping --target as a deprecated alias of change create', async () => {
    const viaCi = JSON.parse((await cmdb('change', 'create', '--title', 'a', '--ci', 'db-orders-01:degraded', '--json')).out) as {
      targets: unknown;
    };
    const viaTarget = await cmdb('change', 'create', '--title', 'b', '--target', 'db-orders-01:degraded', '--json');
    expect(JSON.parse(viaTarget.out)).toMatchObject({ targets: viaCi.targets });
    expect(viaTarget.err).toContain('--target is deprecated; use --ci');
    const io: CliIo = { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, env: {}, user: 'tester' };
    const { program } = buildProgram(io);
    const sub = (path: string[]) => path.reduce((c, name) => c.commands.find((x) => x.name() === name)!, program);
    const help = sub(['change', 'create']).helpInformation();
    expect(help).toContain('--ci <ci[:effect]>');
    expect(help).not.toContain('--target');
    for (const path of [
      ['change', 'list'],
      ['incident', 'create'],
      ['incident', 'list'],
      ['kb', 'add'],
    ])
      expect(sub(path).helpInformation()).toContain('--ci');
    for (const path of [['import'], ['change', 'create'], ['incident', 'create'], ['kb', 'add']])
      expect(sub(path).helpInformation()).not.toMatch(/--as\b|--actor\b/);
  });

  it('has no import loop through api/cli.ts: no command module, serve or token command imports it', () => {
    const api = fileURLToPath(new URL('../api/', import.meta.url));
    const files = [
      ...readdirSync(join(api, 'commands')).map((f) => join(api, 'commands', f)),
      join(api, 'serve.ts'),
      join(api, 'token-command.ts'),
    ];
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/from '(\.\.?\/)+cli\.ts'|import\('(\.\.?\/)+cli\.ts'\)/);
  });
});
