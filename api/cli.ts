/**
 * The `cmdb` command line: global options, the command registry, and how errors and broken pipes
 * end a run. Commands live in api/commands/* (and api/serve.ts, api/token-command.ts); each
 * exports a factory taking the CliContext, and nothing imports this file back.
 *
 * Conventions every command keeps: text by default, JSON with `--json`; errors go to stderr —
 * `cmdb: <message>` plus one line per further issue, or `{"error":{code,message,details}}` with
 * `--json`; exit 1 for a refused input or operation, 2 for a bug, 3 for `check` finding
 * differences. Output cut short by a closed pipe (`cmdb export | head`) ends the run quietly.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CmdbError } from '../engine/errors.ts';
import { DEFAULT_STORE } from '../engine/store/open.ts';
import { CliContext, type CliIo, type GlobalOptions } from './commands/context.ts';
import { osUser } from './commands/identity.ts';
import { dataCommands } from './commands/data.ts';
import { impactCommands } from './commands/impact.ts';
import { changeCommand } from './commands/change.ts';
import { itsmCommands } from './commands/itsm.ts';
import { serveCommand } from './serve.ts';
import { tokenCommand } from './token-command.ts';
import { convertCommand } from './commands/convert.ts';
import { auditCommands } from './commands/audit.ts';
import { baselineCommand } from './commands/baseline.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Every command of the CLI, in help order. Add a command by adding its factory here. */
const COMMANDS: ((ctx: CliContext) => Command | Command[])[] = [
  dataCommands,
  (ctx) => convertCommand((json) => ctx.bars(json)),
  serveCommand,
  impactCommands,
  changeCommand,
  itsmCommands,
  tokenCommand,
  (ctx) => {
    // The audit commands open the CMDB themselves; they go through the context so a read never creates a store.
    const open = async () => (await ctx.openCmdb({ op: 'audit', permission: 'cmdb:read' })).cmdb;
    return [...auditCommands(open), baselineCommand(open)];
  },
];

export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    user: osUser(),
  };
}

/** Whether the run asked for JSON (errors are then JSON too), judged before or after parsing. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

export function buildProgram(io: CliIo = processIo(), json = false): { program: Command; ctx: CliContext } {
  const program = new Command('cmdb')
    .description('graph-cmdb: a graph CMDB with change-impact analysis')
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(new Option('--store <spec>', 'sqlite:PATH or bolt://host:port').env('CMDB_STORE').default(DEFAULT_STORE))
    .addOption(new Option('--registry <file>', 'organisation registry extending the default catalog').env('CMDB_REGISTRY'))
    .addOption(
      new Option('--token <token>', 'act as this API token (same permissions as over HTTP); without one, as local:<OS user>').env(
        'CMDB_TOKEN',
      ),
    )
    .showHelpAfterError(json ? false : '(add --help for usage)');
  const ctx = new CliContext({ globals: () => program.opts<GlobalOptions>(), io });
  for (const make of COMMANDS) {
    const made = make(ctx);
    for (const command of Array.isArray(made) ? made : [made]) program.addCommand(command);
  }
  // Usage errors are thrown to main (not process.exit), and written as JSON there with --json.
  const configure = (c: Command) => {
    c.exitOverride().configureOutput({
      writeOut: (t) => io.stdout(t),
      writeErr: (t) => io.stderr(t),
      outputError: (t, write) => (json ? undefined : write(t)),
    });
    for (const sub of c.commands) configure(sub);
  };
  configure(program);
  return { program, ctx };
}

function renderError(err: CmdbError, json: boolean, io: CliIo): void {
  if (json) {
    io.stderr(`${JSON.stringify({ error: { code: err.code, message: err.message, details: err.details ?? null } })}\n`);
    return;
  }
  io.stderr(`cmdb: ${err.message}\n`);
  const details = err.details as unknown;
  if (Array.isArray(details) && details.length > 1) {
    for (const d of details.slice(1, 6) as { path?: unknown[]; message?: string }[]) {
      io.stderr(
        Array.isArray(d.path) && d.message ? `  also field "${d.path.join('.')}": ${d.message}\n` : `  also: ${JSON.stringify(d)}\n`,
      );
    }
    if (details.length > 6) io.stderr(`  … and ${details.length - 6} more\n`);
  }
}

function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

export async function main(argv: string[] = process.argv, io: CliIo = processIo()): Promise<void> {
  // A reader that stops early (`| head`) closes the pipe: stop quietly, as Unix tools do.
  const onPipeError = (err: NodeJS.ErrnoException) => {
    if (isBrokenPipe(err)) process.exit(process.exitCode ?? 0);
    io.stderr(`cmdb: cannot write output: ${err.message}\n`);
    process.exit(2);
  };
  process.stdout.on('error', onPipeError);
  const json = wantsJson(argv.slice(2));
  const { program } = buildProgram(io, json);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (isBrokenPipe(err)) return;
    if (err instanceof CommanderError) {
      // Help and --version end through here too, with exit code 0.
      if (err.exitCode !== 0 && json)
        io.stderr(
          `${JSON.stringify({ error: { code: 'invalid_input', message: err.message.replace(/^error: /, ''), details: { reason: err.code } } })}\n`,
        );
      process.exitCode = err.exitCode;
    } else if (err instanceof CmdbError) {
      renderError(err, json, io);
      process.exitCode = 1;
    } else {
      const message = `unexpected error: ${(err as Error).stack ?? String(err)}`;
      io.stderr(
        json
          ? `${JSON.stringify({ error: { code: 'internal', message: (err as Error).message ?? String(err), details: null } })}\n`
          : `cmdb: ${message}\n`,
      );
      process.exitCode = 2;
    }
  }
}
