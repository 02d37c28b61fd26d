/**
 * Errors that only the HTTP layer raises (authentication, preconditions, media types, limits).
 * They are CmdbErrors with stable codes like the engine's, so api/errors.ts maps every error in
 * one place.
 */
import { CmdbError } from '../engine/errors.ts';

export class UnauthorizedError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('unauthorized', message, details);
  }
}

/** An `If-Match` that does not name the current version (HTTP 412): the engine's, one class. */
export { PreconditionError as PreconditionFailedError } from '../engine/cis/service.ts';

export class UnsupportedMediaTypeError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('unsupported_media_type', message, details);
  }
}

export class PayloadTooLargeError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('payload_too_large', message, details);
  }
}

export class RateLimitedError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('rate_limited', message, details);
  }
}
