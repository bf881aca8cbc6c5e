import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthContext, AuthProvider } from '@snek/core';
import oidc from '../../src/index.js';
import { CLIENT_SECRET_ENV, type TestIdp } from './idp.js';

/** The mapping the tests use: alice's group writes, bob's reads, carol's nothing (no "*"). */
export const TEST_SCOPES = { 'snek-writers': ['read', 'write'], 'snek-readers': ['read'] } as const;

export function context(overrides: Partial<AuthContext> = {}): AuthContext {
  return { name: 'oidc', callbackUrl: undefined, configDir: process.cwd(), env: {}, origin: 'server.auth.signIn[0] in the test', ...overrides };
}

export function optionsFor(idp: Pick<TestIdp, 'issuer' | 'clientId'>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { issuer: idp.issuer, clientId: idp.clientId, clientSecretEnv: CLIENT_SECRET_ENV, scopes: TEST_SCOPES, ...extra };
}

export async function createProvider(idp: Pick<TestIdp, 'issuer' | 'clientId' | 'env'>, extra: Record<string, unknown> = {}, ctx: Partial<AuthContext> = {}): Promise<AuthProvider> {
  return oidc.create(optionsFor(idp, extra) as never, context({ env: { ...idp.env }, ...ctx }));
}

/** A stand-in for the server's callback route: it records each URL the IdP sends the browser back to. */
export interface CallbackListener {
  url: string;
  received: URL[];
  close(): Promise<void>;
}

export async function listenForCallbacks(): Promise<CallbackListener> {
  const received: URL[] = [];
  const server: Server = createServer((req, res) => {
    received.push(new URL(req.url ?? '/', `http://${req.headers.host}`));
    res.setHeader('content-type', 'text/plain');
    res.end('callback received');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/signin/oidc/callback`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
