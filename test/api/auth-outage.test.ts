/**
 * Authentication under stress: tokens verified from the cache while the store is down (within the
 * staleness bound, not beyond), unknown tokens unable to evict live ones, and failed
 * authentications throttled per client address — 429 before the token is even looked up.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../engine/errors.ts';
import { TokenService } from '../../engine/auth/tokens.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { api, apiFixture } from './harness.ts';

function downable(inner: GraphStore) {
  const sw = { down: false, reads: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'getRecord') sw.reads++;
        if (sw.down && prop !== 'close') return Promise.reject(new StoreUnavailableError('simulated: down'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as GraphStore;
  return { store, sw };
}

const random = () => `cmdb_${randomBytes(32).toString('base64url')}`;

describe('token verification while the store is down', () => {
  it('accepts a recently verified token past its TTL, refuses one verified longer ago than the staleness bound, and never guesses about an unseen one', async () => {
    const inner = new SqliteStore(':memory:');
    await inner.init();
    const { store, sw } = downable(inner);
    const backend = { store, apply: (b: Parameters<GraphStore['apply']>[0], c: Parameters<GraphStore['apply']>[1]) => store.apply(b, c) };
    const setup = new TokenService(backend);
    const a = await setup.create({ name: 'a', role: 'viewer' }, { actor: 't' });
    const b = await setup.create({ name: 'b', role: 'viewer' }, { actor: 't' });
    const tokens = new TokenService(backend, { ttlMs: 20, staleMs: 200 });
    expect(await tokens.verify(a.token)).toMatchObject({ name: 'a' });
    sw.down = true;
    await new Promise((r) => setTimeout(r, 40));
    expect(await tokens.verify(a.token)).toMatchObject({ name: 'a' });
    await expect(tokens.verify(b.token)).rejects.toBeInstanceOf(StoreUnavailableError);
    await new Promise((r) => setTimeout(r, 220));
    await expect(tokens.verify(a.token)).rejects.toBeInstanceOf(StoreUnavailableError);
    sw.down = false;
    expect(await tokens.verify(a.token)).toMatchObject({ name: 'a' });
    await inner.close();
  });

  it('keeps live tokens cached while a flood of unknown tokens passes through', async () => {
    const inner = new SqliteStore(':memory:');
    await inner.init();
    const { store, sw } = downable(inner);
    const tokens = new TokenService({ store, apply: (b, c) => store.apply(b, c) }, { maxNegative: 50 });
    const live = await tokens.create({ name: 'live', role: 'viewer' }, { actor: 't' });
    expect(await tokens.verify(live.token)).toBeDefined();
    for (let i = 0; i < 500; i++) expect(await tokens.verify(random())).toBeUndefined();
    const reads = sw.reads;
    expect(await tokens.verify(live.token)).toMatchObject({ name: 'live' });
    expect(sw.reads).toBe(reads);
    await inner.close();
  });
});

describe('failed authentications', () => {
  it('throttles a client after too many 401s with 429, before looking its tokens up, and counts nothing else', async () => {
    const inner = new SqliteStore(':memory:');
    await inner.init();
    const { store, sw } = downable(inner);
    const fx = await apiFixture(store, { authFailureLimit: { windowMs: 60_000, limit: 5 } });
    try {
      // Successful and forbidden answers do not count.
      for (let i = 0; i < 10; i++) await api(fx.app).get('/api/v1/cis').set('Authorization', fx.auth.viewer).expect(200);
      for (let i = 0; i < 3; i++)
        await api(fx.app).post('/api/v1/cis').set('Authorization', fx.auth.viewer).send({ id: 'x', class: 'Cache', name: 'x' }).expect(403);
      for (let i = 0; i < 5; i++) await api(fx.app).get('/api/v1/cis').set('Authorization', `Bearer ${random()}`).expect(401);
      const reads = sw.reads;
      const res = await api(fx.app).get('/api/v1/cis').set('Authorization', `Bearer ${random()}`).expect(429);
      expect(res.body.error).toMatchObject({ code: 'rate_limited', details: { reason: 'auth_failures' } });
      expect(sw.reads).toBe(reads);
      // Public routes outside /api/v1 stay reachable.
      await api(fx.app).get('/healthz').expect(200);
    } finally {
      await fx.close();
    }
  });
});
