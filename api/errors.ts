/**
 * The one place that maps errors to HTTP (STYLE.md #7). Every error answer has the shape
 * `{"error": {"code", "message", "details"}}`; nothing else writes a 4xx/5xx, and no stack trace
 * reaches a client. A 500 means a bug: it is logged with the request id.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CmdbError } from '../engine/errors.ts';

/** Stable error codes and their statuses; docs/api.md lists the same table. */
export const STATUS_BY_CODE: Record<string, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  store_unavailable: 503,
};

export function statusOf(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

function body(code: string, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details: details ?? null } };
}

/** pino-http sets `req.id`; read it without depending on its type augmentation. */
export function requestId(req: object): string | null {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json(body('not_found', `no route for ${req.method} ${req.path}`));
};

/** Body-parser, multer and router errors carry a status or a code instead of a CmdbError. */
function fromFrameworkError(err: unknown): { status: number; code: string; message: string } | undefined {
  const e = err as { status?: number; type?: string; message?: string; name?: string; code?: string; field?: string };
  if (e.type === 'entity.too.large') return { status: 413, code: 'payload_too_large', message: 'request body is too large' };
  if (e.type === 'entity.parse.failed')
    return { status: 400, code: 'invalid_input', message: `request body is not valid JSON: ${e.message ?? ''}` };
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported')
    return { status: 415, code: 'unsupported_media_type', message: e.message ?? 'unsupported body encoding' };
  if (e.name === 'MulterError') {
    if (e.code === 'LIMIT_FILE_SIZE' || e.code === 'LIMIT_FIELD_VALUE' || e.code === 'LIMIT_PART_COUNT' || e.code === 'LIMIT_FILE_COUNT')
      return { status: 413, code: 'payload_too_large', message: `upload refused: ${e.message ?? e.code}` };
    return {
      status: 400,
      code: 'invalid_input',
      message: `upload refused: ${e.message ?? e.code}${e.field ? ` (field "${e.field}")` : ''}`,
    };
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = e.status === 413 ? 'payload_too_large' : e.status === 415 ? 'unsupported_media_type' : 'invalid_input';
    return { status: e.status === 413 || e.status === 415 ? e.status : 400, code, message: e.message ?? 'bad request' };
  }
  return undefined;
}

export function errorMiddleware(log: (err: unknown, requestId: unknown) => void): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      // A streamed answer (export) failed half-way: the client sees a cut connection, never a partial 200 that looks whole.
      log(err, requestId(req));
      return next(err);
    }
    if (err instanceof CmdbError) {
      const status = statusOf(err.code);
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="graph-cmdb"');
      // Store errors reach clients without paths or driver text (engine/store/breaker.ts); what the
      // adapter said is kept as `cause` and goes to the server log only.
      if (status >= 500 && (err.code !== 'store_unavailable' || (err as Error).cause !== undefined)) log(err, requestId(req));
      res.status(status).json(body(err.code, err.message, err.details));
      return;
    }
    const mapped = fromFrameworkError(err);
    if (mapped) {
      res.status(mapped.status).json(body(mapped.code, mapped.message));
      return;
    }
    log(err, requestId(req));
    res.status(500).json(body('internal', 'internal error (a bug: reported in the server log)', { requestId: requestId(req) }));
  };
}
