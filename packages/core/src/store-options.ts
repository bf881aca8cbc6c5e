import type { z } from 'zod';
import { SnekError } from './errors.js';
import { formatIssues } from './issues.js';

/**
 * Checks a plugin's `server.store.options` against a zod schema, so every store reports a bad
 * option the same way: STORE_OPTIONS_INVALID naming the key. Missing options count as `{}`.
 */
export function parseStoreOptions<T>(storeName: string, schema: z.ZodType<T>, options: unknown): T {
  const result = schema.safeParse(options ?? {});
  if (!result.success) {
    throw new SnekError('STORE_OPTIONS_INVALID', `Invalid options for the ${storeName} store (server.store.options): ${formatIssues(result.error)}. See the store's README for its options.`, {
      details: { store: storeName, issues: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
    });
  }
  return result.data;
}
