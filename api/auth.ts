/**
 * Authentication (bearer tokens), per-token rate limiting and throttling of failed authentications. Authorisation — which role may call
 * which route — is declared per route and checked in api/route.ts against api/permissions.ts.
 *
 * With auth on, a request without a token reaches only public routes; a presented token must be
 * valid (even on public routes, so a revoked token never looks like it works). With `--no-auth`,
 * a request without a token acts as `anonymous` with the admin role, and a valid token still names
 * its holder in the event log.
 */
import type { RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { TokenService } from '../engine/auth/tokens.ts';
import { RateLimitedError, UnauthorizedError } from './http-errors.ts';
import type { Actor } from './route.ts';

export const ANONYMOUS: Actor = { name: 'anonymous', role: 'admin', tokenId: null };

export function authenticate(tokens: TokenService, opts: { auth: boolean }): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      if (!opts.auth) res.locals.actor = ANONYMOUS;
      return next();
    }
    const m = /^Bearer +(\S+) *$/i.exec(header);
    if (!m) throw new UnauthorizedError('authorization: expected "Authorization: Bearer <token>"');
    const token = await tokens.verify(m[1]!);
    if (!token) throw new UnauthorizedError('authorization: unknown or revoked token');
    const actor: Actor = { name: token.name, role: token.role, tokenId: token.id };
    res.locals.actor = actor;
    next();
  };
}

export interface RateLimitOptions {
  windowMs: number;
  /** Requests per window per token (or per client address without a token). */
  limit: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { windowMs: 60_000, limit: 1200 };

/** Failed authentications (401s) per client address before it is refused for the rest of the window. */
export const DEFAULT_AUTH_FAILURE_LIMIT: RateLimitOptions = { windowMs: 60_000, limit: 30 };

/**
 * Guessing tokens is throttled per client address: each answer 401 counts, and past the limit the
 * address gets 429 before its token is even looked at (so a flood never reaches the store). Runs
 * before authentication; answers that are not 401 do not count.
 */
export function authFailureLimit(opts: RateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    keyGenerator: (req) => `auth-fail:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    handler: (_req, _res, next) => {
      next(
        new RateLimitedError(
          `authorization: more than ${opts.limit} failed authentications in ${Math.round(opts.windowMs / 1000)} s from this address; retry later`,
          { limit: opts.limit, windowMs: opts.windowMs, reason: 'auth_failures' },
        ),
      );
    },
  });
}

export function perTokenRateLimit(opts: RateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      const actor = res.locals.actor as Actor | undefined;
      return actor?.tokenId ? `token:${actor.tokenId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (_req, res, next) => {
      const actor = res.locals.actor as Actor | undefined;
      next(
        new RateLimitedError(
          `rate limit: more than ${opts.limit} requests in ${Math.round(opts.windowMs / 1000)} s ${actor?.tokenId ? `for token "${actor.name}"` : 'from this address'}; retry later`,
          { limit: opts.limit, windowMs: opts.windowMs },
        ),
      );
    },
  });
}
