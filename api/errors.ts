/**
 * The one place that maps engine errors to HTTP (STYLE.md #7). Every error answer has the shape
 * `{"error": {"code", "message", "details"}}`; nothing else writes a 4xx/5xx, and no stack trace
 * reaches a client.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CmdbError } from '../engine/errors.ts';

const STATUS_BY_CODE: Record<string, number> = {
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
  store_unavailable: 503,
};

export function statusOf(code: string): number {
  return STATUS_BY_CODE[code] ?? 500;
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path}`, details: null } });
};

export function errorMiddleware(log: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof CmdbError) {
      res.status(statusOf(err.code)).json({ error: { code: err.code, message: err.message, details: err.details ?? null } });
      return;
    }
    // Errors raised by Express's own body parsers carry a status and a type.
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: 'request body is too large', details: null } });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_input', message: `request body is not valid JSON: ${e.message}`, details: null } });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'invalid_input', message: e.message ?? 'bad request', details: null } });
      return;
    }
    log(err);
    res.status(500).json({ error: { code: 'internal', message: 'internal error', details: null } });
  };
}
