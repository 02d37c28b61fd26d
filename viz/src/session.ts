/**
 * Who is using the page. The bearer token lives in sessionStorage (per tab, gone when the tab
 * closes) and is never put in a URL; `/api/v1/me` says the role and its permissions, which the
 * views use to hide actions the role may not take (the API refuses them anyway). A `--no-auth`
 * server answers /me without a token, so no login is asked for.
 */
import { Api, ApiError, type ImpactAnswer, type Me } from './api.ts';

const KEY = 'cmdb.token';

export class Session {
  me: Me | null = null;
  /** The last impact answer and the request it answers, so redrawing the same question needs no request. */
  lastImpact: { key: string; answer: ImpactAnswer; at: number } | null = null;
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

  logout(): void {
    this.storage.removeItem(KEY);
    this.me = null;
    this.lastImpact = null;
  }
}
