/**
 * `createApp(deps)` returns the Express app without listening (STYLE.md #12); `cmdb serve`
 * starts it. Order of the pipeline: request id + log → metrics → security headers → operations
 * endpoints (no auth) → /api/v1: docs (public) → failed-authentication throttle → authentication
 * → rate limit → the route table (permission, media type, body parser, zod validation with size
 * and depth limits, handler) → 404 → the one error middleware.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Cmdb } from '../engine/cmdb.ts';
import type { TokenService } from '../engine/auth/tokens.ts';
import { createServices, loadServiceConfig, type Services } from './services.ts';
import { errorMiddleware, notFoundRoute, requestId } from './errors.ts';
import {
  authenticate,
  authFailureLimit,
  DEFAULT_AUTH_FAILURE_LIMIT,
  DEFAULT_RATE_LIMIT,
  perTokenRateLimit,
  type RateLimitOptions,
} from './auth.ts';
import { createMetrics } from './metrics.ts';
import { DOCS_HTML, DOCS_INIT, openApiDocument } from './openapi.ts';
import { mountRoutes } from './route.ts';
import { routeTable, type BulkLimits } from './routes/index.ts';
import type { Policy } from '../engine/policy/policy.ts';
import { readyz, ShuttingDownError } from './readyz.ts';
import { sessionRoutes } from './routes/session.ts';
import { uiRouter } from './ui.ts';
import { auditRoutes, baselineRoutes } from './routes/audit.ts';

export interface AppDeps {
  cmdb: Cmdb;
  /** Default: a TokenService over the CMDB's store. */
  tokens?: TokenService;
  /** Bearer tokens required (default true); false only for an explicit --no-auth. */
  auth?: boolean;
  /** Structured request logs; default silent. */
  logger?: Logger;
  /** Per token (or client address); false disables. */
  rateLimit?: RateLimitOptions | false;
  /** Failed authentications per client address before 429; false disables (tests that walk every route). */
  authFailureLimit?: RateLimitOptions | false;
  /** Process metrics (event loop, GC, memory) on /metrics; off in tests. */
  defaultMetrics?: boolean;
  limits?: BulkLimits;
  /** Set `draining` on shutdown: /readyz then answers 503 so load balancers stop sending. */
  lifecycle?: { draining: boolean };
  /** The wired services (api/services.ts); default: createServices over `cmdb` with loadServiceConfig(process.env), `policy` and `now`. */
  services?: Services;
  /** Change policy (risk weights, approvals per level); default engine/policy/default-policy.json. */
  policy?: Policy;
  /** Clock for change windows and SLAs (tests pin it). */
  now?: () => Date;
}

/** swagger-ui's static files, served from our origin. */
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function createApp(deps: AppDeps): Express {
  const { cmdb } = deps;
  const auth = deps.auth ?? true;
  // Without wired services: the organisation's configuration from the environment, as the CLI
  // reads it, so `cmdb serve` and `cmdb change …` apply the same policy.
  const services =
    deps.services ??
    createServices({
      cmdb,
      ...loadServiceConfig(process.env),
      ...(deps.tokens ? { tokens: deps.tokens } : {}),
      ...(deps.policy ? { policy: deps.policy } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
  const tokens = services.tokens;
  const logger = deps.logger ?? pino({ level: 'silent' });
  const lifecycle = deps.lifecycle ?? { draining: false };
  const routeDeps = { cmdb, tokens, services };
  const clock = deps.now ? { now: deps.now } : {};
  const routes = [
    ...routeTable(routeDeps, deps.limits),
    ...sessionRoutes({ auth }),
    ...auditRoutes({ cmdb, ...clock }),
    ...baselineRoutes({ cmdb, ...clock }),
  ];
  const openapi = openApiDocument(routes, { auth });
  const metrics = createMetrics(cmdb, { defaultMetrics: deps.defaultMetrics ?? false });

  const app = express();
  // Paths match exactly as declared: `/Incidents` is not `/incidents` (a check keyed on one
  // spelling must never be skipped by another). Set before the first route: Express reads it
  // when it creates the app's router.
  app.set('case sensitive routing', true);
  // The route table this app serves, for tests that walk it and tools that list it.
  app.locals.routeTable = routes;
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // Never log headers: Authorization carries the token.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (_req, res) => {
        const locals = (res as unknown as { locals?: { actor?: { name: string }; route?: string } }).locals;
        return { actor: locals?.actor?.name, route: locals?.route };
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  app.use(metrics.middleware);
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));

  app.get('/healthz', (_req, res) => {
    res.locals.route = '/healthz';
    res.json({ status: 'ok' });
  });
  // Anonymous callers get the status only; a token (or --no-auth) also gets seq, lag and the store kind.
  app.get('/readyz', authenticate(tokens, { auth }), readyz({ cmdb, lifecycle }));
  app.get('/metrics', async (_req, res) => {
    res.locals.route = '/metrics';
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  // Every route's permission is its own row of the table; the router matches case-sensitively too.
  const api = express.Router({ caseSensitive: true });
  api.get('/openapi.json', (_req, res) => {
    res.locals.route = '/api/v1/openapi.json';
    res.json(openapi);
  });
  // Non-strict routing matches `/docs` and `/docs/` alike; the page's relative links need the slash.
  api.get('/docs', (req, res) => {
    res.locals.route = '/api/v1/docs';
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, '/api/v1/docs/');
    res.type('html').send(DOCS_HTML);
  });
  api.get('/docs/init.js', (_req, res) => {
    res.locals.route = '/api/v1/docs';
    res.type('application/javascript').send(DOCS_INIT);
  });
  api.use(
    '/docs',
    (_req, res, next) => {
      res.locals.route = '/api/v1/docs';
      next();
    },
    express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }),
  );

  if (auth && deps.authFailureLimit !== false) api.use(authFailureLimit(deps.authFailureLimit ?? DEFAULT_AUTH_FAILURE_LIMIT));
  api.use(authenticate(tokens, { auth }));
  if (deps.rateLimit !== false) api.use(perTokenRateLimit(deps.rateLimit ?? DEFAULT_RATE_LIMIT));
  mountRoutes(api, routes);
  app.use('/api/v1', api);

  app.use(uiRouter());
  app.use(notFoundRoute);
  app.use(errorMiddleware((err, id) => logger.error({ err, requestId: id }, 'request failed')));
  return app;
}

export { requestId, ShuttingDownError };
