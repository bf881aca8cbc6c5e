import type { z } from 'zod';

const at = (path: readonly PropertyKey[]) => (path.length ? `${path.map(String).join('.')}: ` : '');

/** "server.port: Too big; server.prot: unknown key" — the key first, so people find it. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `${at([...issue.path, key])}unknown key`) : [`${at(issue.path)}${issue.message}`]))
    .join('; ');
}
