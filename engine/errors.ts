/**
 * Typed engine errors. Each carries a stable `code`; the HTTP layer maps codes to statuses in one
 * place and the CLI prints `message`. Messages name the operation and the offending value.
 */

export interface ErrorIssue {
  path: (string | number)[];
  code: string;
  message: string;
}

export class CmdbError extends Error {
  readonly code: string;
  readonly details: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Malformed input: wrong shape, type or format (HTTP 400). `details` keeps zod's issues. */
export class InputError extends CmdbError {
  constructor(message: string, details?: ErrorIssue[] | unknown) {
    super('invalid_input', message, details);
  }
}

/** Well-formed input that the model refuses: unknown class or type, dangling relationship (HTTP 422). */
export class SemanticError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('unprocessable', message, details);
  }
}

export class NotFoundError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('not_found', message, details);
  }
}

/** A version conflict or a duplicate: someone else wrote first (HTTP 409 / 412). */
export class ConflictError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
  }
}

export class ForbiddenError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('forbidden', message, details);
  }
}

/** The store cannot be reached or failed mid-write; nothing was applied (HTTP 503). */
export class StoreUnavailableError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('store_unavailable', message, details);
  }
}

/** Turns zod issues into our issue shape without flattening them into one string. */
export function zodIssues(issues: readonly { path: PropertyKey[]; code: string; message: string }[]): ErrorIssue[] {
  return issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    code: i.code,
    message: i.message,
  }));
}
