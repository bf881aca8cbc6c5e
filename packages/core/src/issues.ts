import type { z } from 'zod';

const pathOf = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join('.') : '(root)');

/** "server.port: Too big; server.prot: unknown key" — the key first, so people find it. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `${pathOf([...issue.path, key])}: unknown key`) : [`${pathOf(issue.path)}: ${issue.message}`]))
    .join('; ');
}
