/**
 * The store circuit breaker over a real SQLite store whose reachability a test switches: one
 * failing operation with the store reachable is not an outage; a failed ping opens the circuit,
 * calls then fail at once with a message free of paths; the background probe closes it by itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../engine/errors.ts';
import { breakerOf, withBreaker, type BreakerState } from '../../engine/store/breaker.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-breaker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A real store, plus switches: `down` (every call fails, ping false), `failGetCI` (one operation fails, ping true). */
async function switchable() {
  const inner = new SqliteStore(join(dir, `b-${++n}.sqlite`));
  await inner.init();
  const sw = { down: false, failGetCI: false, calls: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => {
        sw.calls++;
        if (prop === 'ping') return Promise.resolve(!sw.down);
        if (sw.down || (prop === 'getCI' && sw.failGetCI)) {
          const err = new StoreUnavailableError(`sqlite: reading "${inner.location}" failed: disk I/O error`);
          if (String(prop).startsWith('stream'))
            return (async function* () {
              throw err;
            })();
          return Promise.reject(err);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as GraphStore;
  return { store, sw };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('store circuit breaker', () => {
  it('stays closed when one operation fails while the store still answers a ping', async () => {
    const { store, sw } = await switchable();
    const b = withBreaker(store, { probeMs: 50 });
    sw.failGetCI = true;
    await expect(b.getCI('x')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(breakerOf(b)!.state).toBe('closed');
    expect(await b.lastSeq()).toBe(0);
    await b.close();
  });

  it('opens when a failure is confirmed by a failed ping, then fails every call at once without touching the store, with no path in the message', async () => {
    const { store, sw } = await switchable();
    const changes: BreakerState[] = [];
    const b = withBreaker(store, { probeMs: 10_000, onChange: (s) => changes.push(s) });
    sw.down = true;
    const first = (await b.getCI('x').then(
      () => undefined,
      (e: unknown) => e,
    )) as StoreUnavailableError;
    expect(first).toBeInstanceOf(StoreUnavailableError);
    expect(first.message).not.toContain(dir);
    expect((first as Error & { cause?: Error }).cause?.message).toContain(dir);
    expect(breakerOf(b)!.state).toBe('open');
    expect(changes).toEqual(['open']);
    const callsBefore = sw.calls;
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) await expect(b.apply([], { actor: 't' })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(b.listRecords('token')).rejects.toThrow(/the sqlite store is unavailable/);
    await expect(
      (async () => {
        for await (const _page of b.streamCIs()) void _page;
      })(),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await b.ping()).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(sw.calls).toBe(callsBefore);
    await b.close();
  });

  it('closes by itself when the background probe finds the store back, and then calls go through', async () => {
    const { store, sw } = await switchable();
    const b = withBreaker(store, { probeMs: 30 });
    sw.down = true;
    await b.lastSeq().catch(() => undefined);
    expect(breakerOf(b)!.state).toBe('open');
    sw.down = false;
    const deadline = Date.now() + 2000;
    while (breakerOf(b)!.state === 'open' && Date.now() < deadline) await wait(10);
    expect(breakerOf(b)!.state).toBe('closed');
    expect(await b.lastSeq()).toBe(0);
    await b.close();
  });

  it('notices an outage with no traffic at all when watching, and does not wrap a store twice', async () => {
    const { store, sw } = await switchable();
    const b = withBreaker(store, { watchMs: 20, probeMs: 20 });
    expect(withBreaker(b)).toBe(b);
    sw.down = true;
    const deadline = Date.now() + 2000;
    while (breakerOf(b)!.state === 'closed' && Date.now() < deadline) await wait(10);
    expect(breakerOf(b)!.state).toBe('open');
    await b.close();
  });

  it('lets errors that are not outages through unchanged (a conflict is the store answering)', async () => {
    const { store } = await switchable();
    const b = withBreaker(store);
    await b.apply([{ op: 'putRecord', kind: 'note', id: 'n1', doc: { a: 1 }, expectedVersion: 0 }], { actor: 't' });
    await expect(
      b.apply([{ op: 'putRecord', kind: 'note', id: 'n1', doc: { a: 2 }, expectedVersion: 0 }], { actor: 't' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(breakerOf(b)!.state).toBe('closed');
    await b.close();
  });
});
