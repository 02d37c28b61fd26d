/** History, as-of reads, baselines and the hash chain on SQLite (history.neo4j.test.ts: the same on Neo4j). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { historySuite } from './history-spec.ts';
import { reconcileSuite } from './reconcile-spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

historySuite('SqliteStore', () => ({
  async create() {
    const store = new SqliteStore(join(dir, `h-${++n}.sqlite`));
    await store.init();
    return store;
  },
  async tamper(store, seq) {
    // A second connection, as someone with file access would: the actor of one event rewritten.
    const db = new Database(store.location);
    try {
      db.prepare("UPDATE events SET actor = 'mallory' WHERE seq = ?").run(seq);
    } finally {
      db.close();
    }
  },
}));

reconcileSuite('SqliteStore', () => ({
  async create() {
    const store = new SqliteStore(join(dir, `r-${++n}.sqlite`));
    await store.init();
    return store;
  },
}));
