/**
 * `cmdb serve`: opens the store, hydrates the mirror, optionally loads the demo CMDB into an
 * empty store, follows the store's event log (so writes by a CLI or another instance reach this
 * mirror within a second), and serves the app until SIGTERM/SIGINT; then /readyz turns 503, the
 * server stops accepting, in-flight requests finish (up to a grace period), and the store is closed.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { pino, type Logger } from 'pino';
import type { Cmdb } from '../engine/cmdb.ts';
import { createApp } from './app.ts';
import { DEFAULT_RATE_LIMIT } from './auth.ts';
import { InputError } from '../engine/errors.ts';
import type { CliContext } from './commands/context.ts';
import { importFiles } from './commands/data.ts';

export const DEMO_FILE = fileURLToPath(new URL('../fixtures/demo/cmdb.json', import.meta.url));

export interface ServeOptions {
  port: number;
  host: string;
  demo: boolean;
  /** false only with an explicit --no-auth. */
  auth: boolean;
  /** Requests per minute per token; 0 disables. */
  rateLimit?: number;
  /** How long in-flight requests may take after SIGTERM before connections are cut. */
  graceMs?: number;
  /** How often the event log is polled for other writers' events, ms (default 250). */
  followMs?: number;
}

export interface RunningServer {
  server: Server;
  cmdb: Cmdb;
  port: number;
  /** Stops accepting, waits for in-flight requests, closes the store. */
  shutdown(reason: string): Promise<void>;
}

export async function startServer(ctx: CliContext, opts: ServeOptions, log: Logger = pino({ name: 'cmdb' })): Promise<RunningServer> {
  // The server may create its store (`npm start` on a fresh machine); it acts as the CLI's principal for the demo load.
  const { cmdb, principal } = await ctx.openCmdb({ op: 'serve', permission: 'cmdb:read', write: true, bars: ctx.bars(), log });
  if (opts.demo && cmdb.mirror.graph.order === 0) {
    const summary = await importFiles(cmdb, [DEMO_FILE], principal.name, false);
    log.info(
      { cis: summary.cis, relationships: summary.relationships, seq: summary.seq, actor: principal.name },
      'loaded the demo CMDB into the empty store',
    );
  }
  cmdb.follow({ intervalMs: opts.followMs });
  const lifecycle = { draining: false };
  const app = createApp({
    cmdb,
    auth: opts.auth,
    logger: log,
    defaultMetrics: true,
    lifecycle,
    rateLimit: opts.rateLimit === 0 ? false : { ...DEFAULT_RATE_LIMIT, limit: opts.rateLimit ?? DEFAULT_RATE_LIMIT.limit },
  });
  const server = app.listen(opts.port, opts.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  log.info(
    { store: ctx.globals().store, cis: cmdb.mirror.graph.order, relationships: cmdb.mirror.graph.size, seq: cmdb.seq, auth: opts.auth },
    `graph-cmdb listening on http://${opts.host}:${port} (API docs at /api/v1/docs/)`,
  );
  if (!opts.auth)
    log.warn('AUTHENTICATION IS OFF (--no-auth): every request acts as "anonymous" with the admin role. Do not expose this server.');

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= new Promise<void>((resolve) => {
      lifecycle.draining = true;
      log.info({ reason }, 'shutting down: no new connections, finishing in-flight requests');
      const grace = setTimeout(() => {
        log.warn('grace period over: closing the remaining connections');
        server.closeAllConnections();
      }, opts.graceMs ?? 10_000);
      grace.unref();
      server.close(async () => {
        clearTimeout(grace);
        try {
          await cmdb.close();
          log.info('stopped');
        } catch (err) {
          log.error({ err }, 'closing the store failed');
        }
        resolve();
      });
      server.closeIdleConnections();
    });
    return stopping;
  };
  return { server, cmdb, port, shutdown };
}

export async function serve(ctx: CliContext, opts: ServeOptions): Promise<void> {
  const log = pino({ name: 'cmdb' });
  const running = await startServer(ctx, opts, log);
  const onSignal = (signal: string) => {
    void running.shutdown(signal).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
}

export function serveCommand(ctx: CliContext): Command {
  return new Command('serve')
    .description('start the HTTP API (OpenAPI docs at /api/v1/docs/); the mirror follows writes by other processes')
    .addOption(new Option('--port <port>', 'port to listen on').env('PORT').default('8080'))
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--demo', 'load the demo CMDB when the store is empty')
    .option('--no-auth', 'serve without bearer tokens: every request acts as "anonymous" (admin); for demos only')
    .addOption(new Option('--rate-limit <n>', 'requests per minute per token (0: off)').env('CMDB_RATE_LIMIT').default('1200'))
    .addOption(
      new Option('--follow-interval <ms>', "how often to read other writers' events from the store").env('CMDB_FOLLOW_MS').default('250'),
    )
    .action(async (opts: { port: string; host: string; demo?: boolean; auth: boolean; rateLimit: string; followInterval: string }) => {
      await serve(ctx, {
        port: Number(opts.port),
        host: opts.host,
        demo: opts.demo ?? false,
        auth: opts.auth,
        rateLimit: Number(opts.rateLimit),
        followMs: positiveInt(opts.followInterval, '--follow-interval'),
      });
    });
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`serve: ${flag} must be a positive integer (ms), not "${value}"`, [
      { path: [flag.replace(/^--/, '')], code: 'invalid_value', message: 'a positive integer' },
    ]);
  return n;
}
