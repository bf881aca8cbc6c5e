/**
 * Every error Snek raises on purpose. Codes are stable: scripts, the CLI's exit codes and the
 * server's problem+json `code` field all key on them, so never rename one.
 */
export const SNEK_ERROR_CODES = [
  'SNEK_NOT_FOUND',
  'SNEK_INVALID',
  'REQUEST_INVALID',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'PRECONDITION_FAILED',
  'HISTORY_NOT_KEPT',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'STORE_NOT_FOUND',
  'STORE_DEPENDENCY_MISSING',
  'STORE_INVALID_EXPORT',
  'STORE_API_VERSION',
  'STORE_OPTIONS_INVALID',
  'STORE_INIT_FAILED',
  'STORE_CLOSED',
  'STORE_LOCKED',
  'STORE_UNAVAILABLE',
  'STORE_FULL',
  'PACK_NOT_FOUND',
  'PACK_DEPENDENCY_MISSING',
  'PACK_INVALID_EXPORT',
  'PACK_API_VERSION',
  'PACK_LOAD_FAILED',
  'PACK_INVALID',
  'PACK_CONFLICT',
  'AUTH_NOT_FOUND',
  'AUTH_DEPENDENCY_MISSING',
  'AUTH_INVALID_EXPORT',
  'AUTH_API_VERSION',
  'AUTH_LOAD_FAILED',
  'AUTH_OPTIONS_INVALID',
  'AUTH_SIGN_IN_FAILED',
  'AUTH_NO_SCOPE',
  'AUTH_TOKEN_INVALID',
  'AUTH_UNAVAILABLE',
  'REQUEST_HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'SERVER_BUSY',
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'SERVER_UNREACHABLE',
  'SERVER_ERROR',
  'REPLAY_CONFLICT',
  'MIGRATE_TARGET_FOREIGN',
  'MIGRATE_MISMATCH',
  'USAGE',
  'EXPORT_FAILED',
  'BACKUP_UNSUPPORTED',
  'INTERNAL',
] as const;

export type SnekErrorCode = (typeof SNEK_ERROR_CODES)[number];

export interface SnekErrorOptions {
  cause?: unknown;
  /** Machine-readable extras, e.g. the candidates a loader tried. Shown in problem+json. */
  details?: Record<string, unknown>;
}

// A registry-wide symbol, so an error thrown by a plugin's own copy of @snek/core is still recognised.
const BRAND = Symbol.for('snek.error');

/** The one error class of Snek. `message` names the thing, the file or key, and the next step. */
export class SnekError extends Error {
  override readonly name = 'SnekError';
  readonly code: SnekErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: SnekErrorCode, message: string, options: SnekErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for any SnekError, including one from another copy of this package. */
  static is(value: unknown): value is SnekError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  static hasCode(value: unknown, code: SnekErrorCode): value is SnekError {
    return SnekError.is(value) && value.code === code;
  }
}
