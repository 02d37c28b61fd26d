/**
 * `createApp(deps)` returns the Express app without listening (STYLE.md #12); `cmdb serve`
 * starts it. Order of the pipeline: request id + log → metrics → security headers → operations
 * endpoints (no auth) → /api/v1: docs (public) → authentication → rate limit → routes (permission,
 * media type, body parser, zod validation, handler) → 404 → the one error middleware.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Cmdb } from '../engine/cmdb.ts';
import { CmdbError, StoreUnavailableError } from '../engine/errors.ts';
import { TokenService } from '../engine/auth/tokens.ts';
import { errorMiddleware, notFoundRoute, requestId } from './errors.ts';
import { authenticate, DEFAULT_RATE_LIMIT, perTokenRateLimit, type RateLimitOptions } from './auth.ts';
import { createMetrics } from './metrics.ts';
import { DOCS_HTML, DOCS_INIT, openApiDocument } from './openapi.ts';
import { mountRoutes, type AnyRoute } from './route.ts';
import { ciRoutes } from './routes/cis.ts';
import { relationshipRoutes } from './routes/relationships.ts';
import { bulkRoutes, type BulkLimits } from './routes/bulk.ts';
import { impactRoutes } from './routes/impact.ts';
import { auditRoutes, baselineRoutes } from './routes/audit.ts';
import { changesRouter } from './routes/changes.ts';
import { releasesRouter } from './routes/releases.ts';
import { ChangeService } from '../engine/changes/service.ts';
import { ReleaseService } from '../engine/releases/service.ts';
import { loadPolicy, type Policy } from '../engine/policy/policy.ts';
import { UnauthorizedError } from './http-errors.ts';
import { itsmRouter } from './routes/itsm.ts';
import { can } from './permissions.ts';
import { ForbiddenError } from '../engine/errors.ts';
import type { Role } from '../engine/auth/tokens.ts';
import type { Request } from 'express';

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
  /** Process metrics (event loop, GC, memory) on /metrics; off in tests. */
  defaultMetrics?: boolean;
  limits?: BulkLimits;
  /** Set `draining` on shutdown: /readyz then answers 503 so load balancers stop sending. */
  lifecycle?: { draining: boolean };
  /** Change policy (risk weights, approvals per level); default engine/policy/default-policy.json. */
  policy?: Policy;
  /** Clock for change windows and SLAs (tests pin it). */
  now?: () => Date;
}

/** swagger-ui's static files, served from our origin. */
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export class ShuttingDownError extends CmdbError {
  constructor(message: string) {
    super('store_unavailable', message, { reason: 'shutting_down' });
  }
}

export function createApp(deps: AppDeps): Express {
  const { cmdb } = deps;
  const auth = deps.auth ?? true;
  const tokens = deps.tokens ?? new TokenService(cmdb);
  const logger = deps.logger ?? pino({ level: 'silent' });
  const lifecycle = deps.lifecycle ?? { draining: false };
  const routes: AnyRoute[] = [...ciRoutes({ cmdb, tokens }), ...relationshipRoutes({ cmdb, tokens }), ...bulkRoutes({ cmdb, tokens }, deps.limits), ...impactRoutes({ cmdb }), ...auditRoutes({ cmdb, ...(deps.now ? { now: deps.now } : {}) }), ...baselineRoutes({ cmdb, ...(deps.now ? { now: deps.now } : {}) })];
  const changes = new ChangeService({ cmdb, policy: deps.policy ?? loadPolicy(undefined), ...(deps.now ? { now: deps.now } : {}) });
  const releases = new ReleaseService(cmdb, changes);
  /** The authenticated caller, for the record routers (they check roles in their services). */
  const principal = (req: Request) => {
    const actor = req.res?.locals.actor as { name: string; role: string } | undefined;
    if (!actor) throw new UnauthorizedError('a bearer token is required (Authorization: Bearer <token>)');
    return { name: actor.name, role: actor.role };
  };
  const openapi = openApiDocument(routes, { auth });
  const metrics = createMetrics(cmdb, { defaultMetrics: deps.defaultMetrics ?? false });

  const app = express();
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
  app.get('/readyz', async (_req, res) => {
    res.locals.route = '/readyz';
    const g = cmdb.mirror.graph;
    const mirror = { hydrated: true, seq: cmdb.seq, cis: g.order, relationships: g.size };
    if (lifecycle.draining) throw new ShuttingDownError('readyz: shutting down');
    const up = await cmdb.store.ping();
    const store = { kind: cmdb.store.kind, location: cmdb.store.location, up };
    if (!up) throw new StoreUnavailableError(`readyz: store ${cmdb.store.kind} at ${cmdb.store.location} is not reachable; reads answer from the mirror, writes are refused`, { store, mirror });
    res.json({ status: 'ready', store, mirror });
  });
  app.get('/metrics', async (_req, res) => {
    res.locals.route = '/metrics';
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  const api = express.Router();
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
  api.use('/docs', (_req, res, next) => {
    res.locals.route = '/api/v1/docs';
    next();
  }, express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }));

  api.use(authenticate(tokens, { auth }));
  if (deps.rateLimit !== false) api.use(perTokenRateLimit(deps.rateLimit ?? DEFAULT_RATE_LIMIT));
  mountRoutes(api, routes);
  const records = express.Router();
  records.use(express.json({ limit: '1mb' }));
  records.use(changesRouter({ service: changes, principal }));
  records.use(releasesRouter({ releases, principal }));
  // ITSM services check no roles themselves: every write needs `itsm:write` (correlate is a read).
  const itsmWrites = /^\/(incidents|problems|articles)(\/|$)/;
  records.use((req, _res, next) => {
    if (req.method === 'GET' || !itsmWrites.test(req.path)) return next();
    const { name, role } = principal(req);
    if (!can(role as Role, 'itsm:write')) throw new ForbiddenError(`${req.method} ${req.path}: role "${role}" does not have permission "itsm:write"`, { role, permission: 'itsm:write', actor: name });
    next();
  });
  records.use(itsmRouter({ cmdb, principal, ...(deps.now ? { now: deps.now } : {}) }));
  api.use(records);
  app.use('/api/v1', api);

  app.use(notFoundRoute);
  app.use(errorMiddleware((err, id) => logger.error({ err, requestId: id }, 'request failed')));
  return app;
}

export { requestId };
