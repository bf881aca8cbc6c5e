import { z } from 'zod';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8000;
export const DEFAULT_URL = 'http://localhost:8000';
export const DEFAULT_STORE = 'sqlite';
export const DEFAULT_STORE_TIMEOUT = 10;

const storeObjectSchema = z.strictObject({
  use: z.string().min(1).describe('Store package: a bare name like "sqlite" (tried as @snek/store-sqlite, then snek-store-sqlite, then sqlite), a package name, or a path relative to this file.'),
  options: z.unknown().optional().describe("Passed to the store's create(); see the store's README."),
});

export const storeConfigSchema = z
  .union([z.string().min(1), storeObjectSchema])
  .describe('The store that keeps the sneks. A string is shorthand for { use: string }.');

export const portSchema = z.number().int().min(0).max(65535);

const serverSchema = z.strictObject({
  host: z.string().min(1).optional().describe(`Address to listen on; default ${DEFAULT_HOST}.`),
  port: portSchema.optional().describe(`Port to listen on; default ${DEFAULT_PORT}. 0 picks a free port.`),
  store: storeConfigSchema.optional(),
  storeTimeout: z.number().positive().max(600).optional().describe(`Seconds the store may take to open before the server gives up; default ${DEFAULT_STORE_TIMEOUT}.`),
  auth: z
    .strictObject({
      tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (sha256sum of the token)').optional().describe('SHA-256 of the write token, in hex, so the file holds no secret.'),
      tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional().describe('Name of an environment variable that holds the write token.'),
    })
    .optional()
    .describe('Who may write. SNEK_ADMIN_TOKEN also works.'),
});

const clientSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).optional().describe(`Snek server the CLI talks to; default ${DEFAULT_URL}.`),
  token: z.string().min(1).optional().describe('Bearer token the CLI sends (for push and rm).'),
});

/** The shape of a `.snekrc` file. */
export const snekrcSchema = z
  .strictObject({
    $schema: z.string().optional(),
    server: serverSchema.optional(),
    client: clientSchema.optional(),
  })
  .describe('Snek configuration (.snekrc)');

export type SnekrcFile = z.infer<typeof snekrcSchema>;
