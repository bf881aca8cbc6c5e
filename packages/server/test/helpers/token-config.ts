import { createHash } from 'node:crypto';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A memory server's .snekrc with a reader's and a writer's token, kept by their hashes: private (reads need a
 * token) unless `read` is public.
 */
export function readerWriterSnekrc(reader: string, writer: string, read: 'public' | 'token' = 'token'): string {
  return `server:
  store: memory
  auth:
${read === 'token' ? '    read: token\n' : ''}    tokens:
      - { name: reader, sha256: ${sha256(reader)}, scopes: [read] }
      - { name: writer, sha256: ${sha256(writer)}, scopes: [read, write] }
`;
}
