/** Running the `cmdb` command as a user does, shared by the CLI tests of both stores. */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const CMDB = fileURLToPath(new URL('../bin/cmdb.js', import.meta.url));
const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmdb --store SPEC ARGS…` to completion; a non-zero exit is returned, not thrown. */
export async function cmdbAt(storeSpec: string, cwd: string, ...args: string[]): Promise<CliResult> {
  return cmdbWith({}, storeSpec, cwd, ...args);
}

/** `cmdbAt` with extra environment variables (e.g. CMDB_TOKEN); CMDB_TOKEN is never inherited from the test run. */
export async function cmdbWith(env: Record<string, string>, storeSpec: string, cwd: string, ...args: string[]): Promise<CliResult> {
  const { CMDB_TOKEN: _inherited, ...base } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [CMDB, '--store', storeSpec, ...args], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...base, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A layered NDJSON file big enough that its write takes seconds. */
export async function writeBigNdjson(path: string, cis: number): Promise<void> {
  const out = createWriteStream(path);
  const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  for (let i = 0; i < cis; i++)
    await write(
      `${JSON.stringify({ kind: 'ci', id: `vm-${i}`, class: 'VirtualMachine', name: `vm ${i}`, attributes: { hostname: `vm${i}.corp`, cpuCores: 4 } })}\n`,
    );
  for (let i = 1; i < cis; i++)
    await write(`${JSON.stringify({ kind: 'relationship', type: 'DEPENDS_ON', from: `vm-${i}`, to: `vm-${i >> 1}` })}\n`);
  await new Promise<void>((r) => out.end(() => r()));
}
