/** `GET /api/v1/me` (api/routes/session.ts): who a token is, for the web UI's role-aware views. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { ROLE_PERMISSIONS } from '../../api/permissions.ts';
import { apiFixture } from './harness.ts';

describe('GET /api/v1/me', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-me-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const store = new SqliteStore(join(dir, 'me.sqlite'));
  await store.init();
  const f = await apiFixture(store, {}, false);
  afterAll(() => f.close());

  it('names the token, its role and exactly the permissions of that role', async () => {
    for (const role of ['viewer', 'cab_member', 'admin'] as const) {
      const res = await request(f.app).get('/api/v1/me').set('Authorization', f.auth[role]).expect(200);
      expect(res.body).toEqual({ name: `${role}-user`, role, permissions: [...ROLE_PERMISSIONS[role]], auth: true });
    }
  });

  it('refuses a request without a token, and answers anonymous admin on a --no-auth server', async () => {
    await request(f.app).get('/api/v1/me').expect(401);
    const openStore = new SqliteStore(join(dir, 'open.sqlite'));
    await openStore.init();
    const open = await apiFixture(openStore, { auth: false }, false);
    try {
      const res = await request(open.app).get('/api/v1/me').expect(200);
      expect(res.body).toMatchObject({ name: 'anonymous', role: 'admin', auth: false });
    } finally {
      await open.close();
    }
  });

  it('refuses query parameters it does not know', async () => {
    await request(f.app).get('/api/v1/me?x=1').set('Authorization', f.auth.viewer).expect(400);
  });
});
