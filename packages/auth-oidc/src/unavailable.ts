import { SnekError } from '@snek/core';

/** AUTH_UNAVAILABLE (503): the IdP could not be reached or answered nonsense; nothing is cached, so the next try asks again. */
export function unavailable(issuer: string, what: string, cause: unknown): SnekError {
  return new SnekError('AUTH_UNAVAILABLE', `The identity provider ${issuer} could not be reached for ${what} (${reasonOf(cause)}). Snek asks again on the next request: check that the issuer URL is right and that this server can reach it.`, { cause });
}

const GENERIC = new Set(['something went wrong', 'fetch failed']);

function isErrorLike(value: unknown): value is { message: string; code?: unknown; cause?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

/** A short reason, from fetch's nested causes ("fetch failed" alone says nothing). */
export function reasonOf(error: unknown): string {
  const parts: string[] = [];
  // Duck-typed: fetch's errors may come from another realm (a test runner's vm), where instanceof Error fails.
  for (let current: unknown = error, depth = 0; isErrorLike(current) && depth < 5; current = current.cause, depth++) {
    const { message, code } = current;
    if (GENERIC.has(message) && current.cause !== undefined) continue;
    parts.push(typeof code === 'string' && !message.includes(code) ? `${message} [${code}]` : message);
  }
  return parts.join(': ').slice(0, 300) || String(error);
}
