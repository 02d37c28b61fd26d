/**
 * The log follower (engine/mirror/follower.ts): two Cmdb instances on one real SQLite file, as two
 * servers would be. What one writes reaches the other's mirror and its impact index by the poll;
 * catch-up and own writes interleave without losing or double-applying an event; a failing store
 * is reported and recovered from without a restart; close() stops the polling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cmdb } from '../engine/cmdb.ts';
import { StoreUnavailableError } from '../engine/errors.ts';
import { blastRadius } from '../engine/impact/index.ts';
import { checkMirror } from '../engine/mirror/check.ts';
import { LogFollower } from '../engine/mirror/follower.ts';
import { Mirror } from '../engine/mirror/mirror.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import type { Mutation } from '../engine/store/port.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-follower-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = Registry.load();
let n = 0;

const ci = (id: string, cls = 'Application'): Mutation => ({
  op: 'upsertCI',
  ci: {
    id,
    class: cls,
    name: `${id} name`,
    status: 'in_service',
    environment: 'production',
    criticality: 3,
    attributes: {},
    tags: [],
    redundancy: [],
  } as never,
});
const dependsOn = (from: string, to: string): Mutation => ({
  op: 'upsertRelationship',
  relationship: { id: `${from}|DEPENDS_ON|${to}`, type: 'DEPENDS_ON', from, to, attributes: {} },
});

/** Two CMDBs on one fresh file: `a` writes as another process would, `b` follows. */
async function pair() {
  const file = join(dir, `f-${++n}.sqlite`);
  const a = await Cmdb.open({ store: new SqliteStore(file), registry });
  const b = await Cmdb.open({ store: new SqliteStore(file), registry });
  return { a, b, file, close: () => Promise.all([a.close(), b.close()]) };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LogFollower', () => {
  it("brings another writer's CIs and relationships into the mirror and the already built impact index within a poll", async () => {
    const { a, b, close } = await pair();
    await a.apply([ci('db', 'Database'), ci('app')], { actor: 'writer' });
    const follower = b.follow({ intervalMs: 20 });
    await until(() => b.seq === a.seq);
    // The index exists before the next write: the follower must carry it along.
    expect(blastRadius(b.impactIndex(), registry, [{ ci: 'db', effect: 'down' }]).impacted).toEqual([]);
    await a.apply([dependsOn('app', 'db')], { actor: 'writer' });
    await until(() => b.seq === a.seq);
    expect(b.mirror.graph.hasEdge('app|DEPENDS_ON|db')).toBe(true);
    expect(blastRadius(b.impactIndex(), registry, [{ ci: 'db', effect: 'down' }]).impacted.map((c) => c.id)).toEqual(['app']);
    expect(follower.status()).toMatchObject({ seq: a.seq, storeSeq: a.seq, lag: 0, lastError: null, applied: 3 });
    await close();
  });

  it('keeps the mirror equal to the store when its own writes and catch-up interleave', async () => {
    const { a, b, close } = await pair();
    b.follow({ intervalMs: 1 });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      writes.push((i % 2 === 0 ? a : b).apply([ci(`n-${i}`)], { actor: 'w' }));
      if (i > 0) writes.push((i % 3 === 0 ? b : a).apply([dependsOn(`n-${i}`, `n-${i - 1}`)], { actor: 'w' }).catch(() => undefined));
    }
    await Promise.all(writes);
    const last = await b.store.lastSeq();
    await until(() => b.seq === last);
    const check = await checkMirror(b.mirror, b.store);
    expect(check.differences).toEqual([]);
    expect(check.consistent).toBe(true);
    await close();
  });

  it('reports a failing store in its status, keeps polling, and catches up by itself when the store answers again', async () => {
    const { a, b, close } = await pair();
    await a.apply([ci('x')], { actor: 'w' });
    // Fault injection around the real store: lastSeq fails while `down` is set.
    let down = true;
    const store = {
      lastSeq: () => (down ? Promise.reject(new StoreUnavailableError('sqlite: store went away')) : b.store.lastSeq()),
      eventsAfter: (seq: number, limit?: number) => b.store.eventsAfter(seq, limit),
    };
    const mirror = new Mirror();
    const follower = new LogFollower({ store, mirror, serialize: (fn) => fn() }, { intervalMs: 10 });
    follower.start();
    await until(() => follower.status().lastError !== null);
    expect(follower.status()).toMatchObject({ seq: 0, lastError: 'sqlite: store went away' });
    down = false;
    await until(() => mirror.seq === a.seq);
    expect(mirror.graph.hasNode('x')).toBe(true);
    expect(follower.status()).toMatchObject({ lag: 0, lastError: null });
    await follower.stop();
    await close();
  });

  it('stops polling when the CMDB closes', async () => {
    const { a, b } = await pair();
    const follower = b.follow({ intervalMs: 5 });
    await b.close();
    const seqAtClose = follower.status().seq;
    await a.apply([ci('late')], { actor: 'w' });
    await new Promise((r) => setTimeout(r, 100));
    expect(follower.status().seq).toBe(seqAtClose);
    expect(b.mirror.graph.hasNode('late')).toBe(false);
    await a.close();
  });
});
