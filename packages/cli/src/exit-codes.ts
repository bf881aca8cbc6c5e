import { SnekError, type SnekErrorCode } from '@snek/core';

/** The CLI's exit statuses; documented in the README, so scripts can rely on them. */
export const EXIT = {
  OK: 0,
  NOT_FOUND: 1,
  USAGE: 2,
  CONFIG: 3,
  UNREACHABLE: 4,
  AUTH: 5,
  SERVER: 6,
  CONFLICT: 7,
  RATE_LIMITED: 8,
} as const;

const EXIT_BY_CODE: Partial<Record<SnekErrorCode, number>> = {
  SNEK_NOT_FOUND: EXIT.NOT_FOUND,
  HISTORY_NOT_KEPT: EXIT.NOT_FOUND,
  USAGE: EXIT.USAGE,
  SNEK_INVALID: EXIT.USAGE,
  REQUEST_INVALID: EXIT.USAGE,
  PAYLOAD_TOO_LARGE: EXIT.USAGE,
  UNSUPPORTED_MEDIA_TYPE: EXIT.USAGE,
  REQUEST_HEADERS_TOO_LARGE: EXIT.USAGE,
  PRECONDITION_FAILED: EXIT.CONFLICT,
  CONFIG_INVALID: EXIT.CONFIG,
  CONFIG_NOT_FOUND: EXIT.CONFIG,
  SERVER_UNREACHABLE: EXIT.UNREACHABLE,
  UNAUTHORIZED: EXIT.AUTH,
  FORBIDDEN: EXIT.AUTH,
  RATE_LIMITED: EXIT.RATE_LIMITED,
};

export function exitCodeFor(error: unknown): number {
  return SnekError.is(error) ? (EXIT_BY_CODE[error.code] ?? EXIT.SERVER) : EXIT.SERVER;
}
