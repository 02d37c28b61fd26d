/**
 * Store selection (`--store` / `CMDB_STORE`): `sqlite:PATH` (the default, `sqlite:./data/cmdb.sqlite`)
 * or `bolt://host:port` with credentials from NEO4J_USER / NEO4J_PASSWORD.
 *
 * `create: false` opens only a store that exists: a read run from the wrong folder must not leave
 * an empty `./data/cmdb.sqlite` behind and then answer "not found" as if the CMDB were empty.
 * (A Neo4j server is never created by opening it, so the option only matters for SQLite files.)
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, NotFoundError } from '../errors.ts';
import type { GraphStore } from './port.ts';
import { SqliteStore } from './sqlite-store.ts';
import { withBreaker, type BreakerOptions } from './breaker.ts';

export const DEFAULT_STORE = 'sqlite:./data/cmdb.sqlite';

export interface OpenStoreOptions {
  /** false: refuse (NotFoundError, details `{ path }`) when the SQLite file does not exist. Default true. */
  create?: boolean;
  /** Circuit-breaker tuning (tests and benches). */
  breaker?: BreakerOptions;
}

/**
 * The store behind a circuit breaker (engine/store/breaker.ts): once it is known down, calls fail
 * at once and a background probe closes the circuit when it answers again. A Neo4j server is also
 * watched (a ping a second) so an outage is noticed before requests wait on the driver.
 */
export async function openStore(
  spec: string = DEFAULT_STORE,
  env: NodeJS.ProcessEnv = process.env,
  options: OpenStoreOptions = {},
): Promise<GraphStore> {
  const breaker = options.breaker ?? {};
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path === '') throw new InputError(`store: "${spec}" needs a file path, e.g. sqlite:./data/cmdb.sqlite`);
    if (options.create === false && path !== ':memory:' && !existsSync(path)) {
      const absolute = resolve(path);
      throw new NotFoundError(`store: no CMDB at "${absolute}"`, { spec, path: absolute });
    }
    return withBreaker(new SqliteStore(path), breaker);
  }
  if (spec.startsWith('bolt://')) {
    // Loaded lazily: the embedded default never needs the Neo4j driver.
    const { Neo4jStore } = await import('./neo4j-store.ts');
    return withBreaker(new Neo4jStore({ url: spec, user: env.NEO4J_USER, password: env.NEO4J_PASSWORD }), { watchMs: 1000, ...breaker });
  }
  if (spec.startsWith('neo4j://'))
    throw new InputError(`store: use a bolt:// URL, not "${spec}" (routing is not supported by a single Community server)`);
  throw new InputError(`store: "${spec}" is neither sqlite:PATH nor bolt://host:port`);
}
