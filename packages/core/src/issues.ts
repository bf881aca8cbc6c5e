import type { z } from 'zod';

/** "server.port: Too big; client.url: Invalid URL" — the path first, so people find the key. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}
