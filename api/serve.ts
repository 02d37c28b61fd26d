/**
 * `cmdb serve`: opens the store, hydrates the mirror, optionally loads the demo CMDB into an
 * empty store, and serves the app until SIGTERM/SIGINT; then /readyz turns 503, the server stops
 * accepting, in-flight requests finish (up to a grace period), and the store is closed.
 */
import type { Server } from 'node:http';
import { pino, type Logger } from 'pino';
import type { Cmdb } from '../engine/cmdb.ts';
import { createApp } from './app.ts';
import { DEFAULT_RATE_LIMIT } from './auth.ts';
import { DEMO_FILE, globals, importFiles, openCmdb } from './cli.ts';

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
}

export interface RunningServer {
  server: Server;
  cmdb: Cmdb;
  port: number;
  /** Stops accepting, waits for in-flight requests, closes the store. */
  shutdown(reason: string): Promise<void>;
}

export async function startServer(opts: ServeOptions, log: Logger = pino({ name: 'cmdb' })): Promise<RunningServer> {
  const cmdb = await openCmdb({ bars: process.stderr.isTTY === true });
  if (opts.demo && cmdb.mirror.graph.order === 0) {
    const summary = await importFiles(cmdb, [DEMO_FILE], 'demo-loader', false);
    log.info({ cis: summary.cis, relationships: summary.relationships, seq: summary.seq }, 'loaded the demo CMDB into the empty store');
  }
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
  log.info({ store: globals().store, cis: cmdb.mirror.graph.order, relationships: cmdb.mirror.graph.size, seq: cmdb.seq, auth: opts.auth }, `graph-cmdb listening on http://${opts.host}:${port} (API docs at /api/v1/docs/)`);
  if (!opts.auth) log.warn('AUTHENTICATION IS OFF (--no-auth): every request acts as "anonymous" with the admin role. Do not expose this server.');

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

export async function serve(opts: ServeOptions): Promise<void> {
  const log = pino({ name: 'cmdb' });
  const running = await startServer(opts, log);
  const onSignal = (signal: string) => {
    void running.shutdown(signal).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
}
