/**
 * Who is using the page. The bearer token lives in sessionStorage (per tab, gone when the tab
 * closes) and is never put in a URL; `/api/v1/me` says the role and its permissions, which the
 * views use to hide actions the role may not take (the API refuses them anyway). A `--no-auth`
 * server answers /me without a token, so no login is asked for.
 */
import { Api, ApiError, type ImpactAnswer, type Me } from './api.ts';

const KEY = 'cmdb.token';
/** How long a held impact answer is redrawn without asking again (the view redraws on every filter change). */
const IMPACT_FRESH_MS = 60_000;

export class Session {
  me: Me | null = null;
  /** The last impact answer and the request it answers, so redrawing the same question needs no request. */
  lastImpact: { key: string; answer: ImpactAnswer; at: number } | null = null;
  /** An impact request the shell started before the view loaded (see `prefetchImpact`). */
  private pendingImpact: { key: string; answer: Promise<ImpactAnswer> } | null = null;
  readonly api: Api;

  constructor(private readonly storage: Storage) {
    this.api = new Api(() => this.token());
  }

  token(): string | null {
    return this.storage.getItem(KEY);
  }

  can(permission: string): boolean {
    return this.me?.permissions.includes(permission) ?? false;
  }

  /** Resolves the caller from the stored token (or none); null when a login is needed. */
  async resume(): Promise<Me | null> {
    try {
      this.me = await this.api.me();
      return this.me;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.storage.removeItem(KEY);
        this.me = null;
        return null;
      }
      throw err;
    }
  }

  async login(token: string): Promise<Me> {
    const me = await this.api.me(token.trim());
    this.storage.setItem(KEY, token.trim());
    this.me = me;
    return me;
  }

  /** The held answer to `key` while it is fresh, else undefined. */
  heldImpact(key: string): ImpactAnswer | undefined {
    const held = this.lastImpact;
    return held?.key === key && Date.now() - held.at < IMPACT_FRESH_MS ? held.answer : undefined;
  }

  /**
   * Starts asking `key`'s impact question now, while `/me` and the view's code load, if a token is
   * stored (without one the answer would be a 401 the login page handles anyway).
   */
  prefetchImpact(key: string, ask: () => Promise<ImpactAnswer>): void {
    if (this.token() === null) return;
    if (this.heldImpact(key) !== undefined) return; // the view redraws what it holds
    const answer = ask();
    answer.catch(() => undefined); // the view asks again and reports the error
    this.pendingImpact = { key, answer };
  }

  /** The prefetched answer to `key` if one is under way (used once), else `ask()`. */
  async takeImpact(key: string, ask: () => Promise<ImpactAnswer>): Promise<ImpactAnswer> {
    const pending = this.pendingImpact;
    this.pendingImpact = null;
    if (pending?.key === key) {
      try {
        return await pending.answer;
      } catch {
        // fall through: ask again, so the error the view shows is the one it gets now
      }
    }
    return ask();
  }

  logout(): void {
    this.storage.removeItem(KEY);
    this.me = null;
    this.lastImpact = null;
    this.pendingImpact = null;
  }
}
