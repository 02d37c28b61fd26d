/** Two servers and a CLI on one SQLite file (the spec is in coherence-spec.ts; Neo4j twin: coherence.neo4j.test.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { coherenceSpec } from './coherence-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-coherence-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

coherenceSpec('SQLite', { store: () => `sqlite:${join(dir, 'shared.sqlite')}` });
