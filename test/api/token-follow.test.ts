/**
 * Two API instances on one SQLite file (two processes' worth of state: each its own Cmdb, mirror,
 * token cache and log follower): a token revoked through one is refused by the other within the
 * follow interval, not after the 30 s the token cache would otherwise trust it; a token created
 * through one works on the other at once, even one the other had just refused and cached as unknown.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { hashToken, TOKEN_KIND, tokenIdOf } from '../../engine/auth/tokens.ts';
import { Cmdb } from '../../engine/cmdb.ts';
import { Registry } from '../../engine/model/registry.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { apiFixture } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-token-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Milliseconds until `probe()` answers `status` (polled every 20 ms), or throws after `limitMs`. */
async function msUntil(status: number, probe: () => Promise<number>, limitMs = 5_000): Promise<number> {
  const start = Date.now();
  for (;;) {
    if ((await probe()) === status) return Date.now() - start;
    if (Date.now() - start > limitMs) throw new Error(`still not ${status} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('token changes across API instances sharing a store', () => {
  it('refuses a token revoked through the other instance within a second, and accepts one created there', async () => {
    const path = join(dir, 'shared.sqlite');
    const a = await apiFixture(new SqliteStore(path));
    const b = await Cmdb.open({ store: new SqliteStore(path), registry: Registry.load() });
    // A third instance that does not follow the log: the token cache's TTL is all it has.
    const c = await Cmdb.open({ store: new SqliteStore(path), registry: Registry.load() });
    b.follow(); // the default interval, as `cmdb serve` runs it
    const appB = createApp({ cmdb: b, rateLimit: false });
    const appC = createApp({ cmdb: c, rateLimit: false });
    try {
      const created = await request(a.app).post('/api/v1/tokens').set('Authorization', a.auth.admin).send({ name: 'ops', role: 'viewer' });
      expect(created.status).toBe(201);
      const bearer = `Bearer ${created.body.token as string}`;
      const onB = async () => (await request(appB).get('/api/v1/cis').set('Authorization', bearer)).status;
      const onC = async () => (await request(appC).get('/api/v1/cis').set('Authorization', bearer)).status;
      // Both instances now hold the token as verified in their caches (trusted for 30 s).
      expect(await onB()).toBe(200);
      expect(await onC()).toBe(200);

      const revoked = await request(a.app)
        .delete(`/api/v1/tokens/${created.body.info.id as string}`)
        .set('Authorization', a.auth.admin);
      expect(revoked.status).toBe(200);
      expect(await msUntil(401, onB)).toBeLessThan(1_000);
      // Without the follower the cached verdict stands: what the follower changed, not a TTL.
      expect(await onC()).toBe(200);

      // Creation: a token B has just refused, and cached as unknown, works as soon as A's write of
      // its record reaches B (written as `cmdb token create` would, with a secret chosen here).
      const secret = `cmdb_${randomBytes(32).toString('base64url')}`;
      const bearerNext = `Bearer ${secret}`;
      const onBNext = async () => (await request(appB).get('/api/v1/cis').set('Authorization', bearerNext)).status;
      expect(await onBNext()).toBe(401);
      const hash = hashToken(secret);
      const doc = { name: 'later', role: 'viewer', hash, createdAt: new Date().toISOString(), createdBy: 'seed', revokedAt: null };
      await a.cmdb.apply([{ op: 'putRecord', kind: TOKEN_KIND, id: tokenIdOf(hash), doc, expectedVersion: 0 }], { actor: 'seed' });
      expect(await msUntil(200, onBNext)).toBeLessThan(1_000);
    } finally {
      await c.close();
      await b.close();
      await a.close();
    }
  });
});
