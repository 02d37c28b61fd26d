/**
 * `cmdb serve`: opens the store, hydrates the mirror, optionally loads the demo CMDB into an
 * empty store, and serves the app until SIGTERM/SIGINT, then stops accepting, lets in-flight
 * requests finish and closes the store.
 */
import { pino } from 'pino';
import { createApp } from './app.ts';
import { DEMO_FILE, globals, importFiles, openCmdb } from './cli.ts';

export interface ServeOptions {
  port: number;
  host: string;
  demo: boolean;
}

export async function serve(opts: ServeOptions): Promise<void> {
  const log = pino({ name: 'cmdb' });
  const cmdb = await openCmdb({ bars: process.stderr.isTTY === true });
  if (opts.demo && cmdb.mirror.graph.order === 0) {
    const summary = await importFiles(cmdb, [DEMO_FILE], 'demo-loader', false);
    log.info({ cis: summary.cis, relationships: summary.relationships, seq: summary.seq }, 'loaded the demo CMDB into the empty store');
  }
  const app = createApp({ cmdb, log: (err) => log.error({ err }, 'request failed') });
  const server = app.listen(opts.port, opts.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  log.info({ store: globals().store, cis: cmdb.mirror.graph.order, relationships: cmdb.mirror.graph.size, seq: cmdb.seq }, `graph-cmdb listening on http://${opts.host}:${port}`);

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close(async () => {
      await cmdb.close();
      log.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
