/**
 * Store selection (`--store` / `CMDB_STORE`): `sqlite:PATH` (the default, `sqlite:./data/cmdb.sqlite`)
 * or `bolt://host:port` with credentials from NEO4J_USER / NEO4J_PASSWORD.
 */
import { InputError } from '../errors.ts';
import type { GraphStore } from './port.ts';
import { SqliteStore } from './sqlite-store.ts';

export const DEFAULT_STORE = 'sqlite:./data/cmdb.sqlite';

export async function openStore(spec: string = DEFAULT_STORE, env: NodeJS.ProcessEnv = process.env): Promise<GraphStore> {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (path === '') throw new InputError(`store: "${spec}" needs a file path, e.g. sqlite:./data/cmdb.sqlite`);
    return new SqliteStore(path);
  }
  if (spec.startsWith('bolt://')) {
    // Loaded lazily: the embedded default never needs the Neo4j driver.
    const { Neo4jStore } = await import('./neo4j-store.ts');
    return new Neo4jStore({ url: spec, user: env.NEO4J_USER, password: env.NEO4J_PASSWORD });
  }
  if (spec.startsWith('neo4j://')) throw new InputError(`store: use a bolt:// URL, not "${spec}" (routing is not supported by a single Community server)`);
  throw new InputError(`store: "${spec}" is neither sqlite:PATH nor bolt://host:port`);
}
