/** The store-outage scenario on SQLite, with a store whose every call fails while "down", behind the breaker. */
import { describe, it } from 'vitest';
import { StoreUnavailableError } from '../../engine/errors.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { withBreaker } from '../../engine/store/breaker.ts';
import { apiFixture } from './harness.ts';
import { outageScenario } from './outage-spec.ts';

/** Wraps a store; while `down`, every call fails the way an unreachable store does. */
function switchable(inner: GraphStore): { store: GraphStore; set(down: boolean): void } {
  let down = false;
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return (...args: unknown[]) => {
        if (down) {
          if (prop === 'ping') return Promise.resolve(false);
          if (prop === 'streamCIs' || prop === 'streamRelationships') {
            return (async function* () {
              throw new StoreUnavailableError('simulated: store down');
            })();
          }
          return Promise.reject(new StoreUnavailableError(`simulated: store down (${String(prop)})`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, set: (d) => (down = d) };
}

describe('store outage (simulated, SQLite)', () => {
  it('answers mirror reads at once, refuses writes with a clean 503 within 1 s once the store is known down, and recovers by itself', async () => {
    const inner = new SqliteStore(':memory:');
    await inner.init();
    const sw = switchable(inner);
    const fx = await apiFixture(withBreaker(sw.store, { probeMs: 100 }), {}, true, { ttlMs: 100 });
    try {
      await outageScenario(fx, { stop: async () => sw.set(true), start: async () => sw.set(false), tokenTtlMs: 100 });
    } finally {
      await fx.close();
    }
  });
});
