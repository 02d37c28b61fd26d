/** The store-outage scenario on SQLite, with a store whose every call fails while "down". */
import { describe, it } from 'vitest';
import { StoreUnavailableError } from '../../engine/errors.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import type { GraphStore } from '../../engine/store/port.ts';
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
  it('keeps reads answering from the mirror, refuses writes with 503 and resumes writes when the store is back', async () => {
    const inner = new SqliteStore(':memory:');
    await inner.init();
    const sw = switchable(inner);
    const fx = await apiFixture(sw.store);
    try {
      await outageScenario(fx, { stop: async () => sw.set(true), start: async () => sw.set(false) });
    } finally {
      await fx.close();
    }
  });
});
