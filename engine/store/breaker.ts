/**
 * A circuit breaker around any GraphStore, so that once the store is known to be down every call
 * fails at once (503 in well under a second) instead of each one waiting on driver timeouts and
 * retries, and so that it recovers by itself when the store answers again.
 *
 * - closed: calls go through. A call that fails with StoreUnavailableError makes the breaker ask
 *   the store whether it is reachable (`ping`, bounded by `pingTimeoutMs`); only a failed ping
 *   opens the circuit — one operation failing (a locked file, a bad statement) is not an outage.
 *   With `watchMs`, background pings also notice an outage before any request does.
 * - open: every call (streams included) fails immediately with StoreUnavailableError; `ping`
 *   answers false. A background probe pings every `probeMs`; the first success closes it.
 *
 * It wraps by delegation (a Proxy), so methods added to the port later are covered without
 * touching this file, and the adapters stay as they are. The errors it lets out carry no path,
 * URL or driver text (they reach HTTP clients): the adapter's error is kept as `cause` for logs.
 * State lives on the instance; timers are unref'd and stopped by `close()`.
 */
import { StoreUnavailableError } from '../errors.ts';
import type { GraphStore } from './port.ts';

export interface BreakerOptions {
  /** How long a ping may take before the store counts as unreachable (default 2000 ms). */
  pingTimeoutMs?: number;
  /** While open, how often to probe the store (default 1000 ms). */
  probeMs?: number;
  /**
   * While closed, ping the store this often to notice an outage early; 0 = only on failures
   * (default 0). The watch opens the circuit after two failed pings in a row: one slow ping on a
   * busy machine is not an outage.
   */
  watchMs?: number;
  /** Called on every state change (logs, metrics). */
  onChange?: (state: BreakerState, detail: { since: number; cause?: unknown }) => void;
}

export type BreakerState = 'closed' | 'open';

export interface Breaker {
  readonly state: BreakerState;
  /** When the current state began (epoch ms). */
  readonly since: number;
}

/** Methods that never touch the store, or manage its lifecycle: never short-circuited. */
const PASS_THROUGH = new Set<PropertyKey>(['close', 'constructor']);

const BREAKER = Symbol('breaker');

/** The breaker of a wrapped store, if it is one. */
export function breakerOf(store: GraphStore): Breaker | undefined {
  return (store as unknown as { [BREAKER]?: Breaker })[BREAKER];
}

export function withBreaker<S extends GraphStore>(inner: S, opts: BreakerOptions = {}): S {
  if (breakerOf(inner)) return inner;
  const pingTimeoutMs = opts.pingTimeoutMs ?? 2000;
  const probeMs = opts.probeMs ?? 1000;
  const watchMs = opts.watchMs ?? 0;
  const status: { state: BreakerState; since: number } = { state: 'closed', since: Date.now() };
  let checking: Promise<void> | undefined;
  let probe: NodeJS.Timeout | undefined;
  let watch: NodeJS.Timeout | undefined;
  let closed = false;

  const setState = (state: BreakerState, cause?: unknown) => {
    if (status.state === state) return;
    status.state = state;
    status.since = Date.now();
    opts.onChange?.(state, { since: status.since, cause });
    if (state === 'open') startProbe();
    else stopProbe();
  };

  const reachable = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), pingTimeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([inner.ping().catch(() => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  /** After a failure: one ping at a time decides whether the store is down. */
  const check = (cause: unknown): Promise<void> => {
    checking ??= reachable()
      .then((up) => {
        if (!up) setState('open', cause);
      })
      .finally(() => {
        checking = undefined;
      });
    return checking;
  };

  function startProbe() {
    if (probe || closed) return;
    probe = setInterval(() => {
      if (checking) return;
      checking = reachable()
        .then((up) => {
          if (up) setState('closed');
        })
        .finally(() => {
          checking = undefined;
        });
    }, probeMs);
    probe.unref();
  }
  function stopProbe() {
    if (probe) clearInterval(probe);
    probe = undefined;
  }
  if (watchMs > 0) {
    let missed = 0;
    watch = setInterval(() => {
      if (status.state !== 'closed' || checking) return;
      checking = reachable()
        .then((up) => {
          missed = up ? 0 : missed + 1;
          if (missed >= 2) setState('open', new StoreUnavailableError('store: two background pings failed'));
        })
        .finally(() => {
          checking = undefined;
        });
    }, watchMs);
    watch.unref();
  }

  const unavailable = (op: string, cause?: unknown) => {
    const err = new StoreUnavailableError(`${op}: the ${inner.kind} store is unavailable (nothing was written); retry later`, {
      store: inner.kind,
      state: status.state,
    });
    if (cause !== undefined) (err as Error & { cause?: unknown }).cause = cause;
    return err;
  };

  const onFailure = async (op: string, err: unknown): Promise<never> => {
    if (!(err instanceof StoreUnavailableError)) throw err;
    await check(err);
    throw unavailable(op, err);
  };

  const wrapIterable = (op: string, make: () => AsyncIterable<unknown>): AsyncIterable<unknown> => ({
    async *[Symbol.asyncIterator]() {
      if (status.state === 'open') throw unavailable(op);
      try {
        yield* make();
      } catch (err) {
        await onFailure(op, err);
      }
    },
  });

  const breaker: Breaker = {
    get state() {
      return status.state;
    },
    get since() {
      return status.since;
    },
  };

  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === BREAKER) return breaker;
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || PASS_THROUGH.has(prop)) {
        if (prop === 'close' && typeof value === 'function') {
          return (...args: unknown[]) => {
            closed = true;
            stopProbe();
            if (watch) clearInterval(watch);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return value;
      }
      const op = `store.${String(prop)}`;
      const fn = value as (...a: unknown[]) => unknown;
      if (prop === 'ping') {
        return async () => (status.state === 'open' ? false : fn.apply(target, []));
      }
      return (...args: unknown[]) => {
        if (prop.toString().startsWith('stream')) return wrapIterable(op, () => fn.apply(target, args) as AsyncIterable<unknown>);
        if (status.state === 'open') return Promise.reject(unavailable(op));
        let result: unknown;
        try {
          result = fn.apply(target, args);
        } catch (err) {
          return onFailure(op, err);
        }
        return result instanceof Promise ? result.catch((err: unknown) => onFailure(op, err)) : result;
      };
    },
  });
}
