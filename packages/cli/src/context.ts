import { readFileSync } from 'node:fs';
import { loadConfig, type LoadedConfig } from '@snek/core';
import { SnekClient } from './client.js';
import { urlFromServer } from './client-url.js';
import { savedLogin } from './credentials.js';
import { LOGIN_SOURCE, loginToken } from './login-token.js';
import { terminalJson } from './terminal.js';

/** Flags every command takes. */
export interface GlobalArgs {
  url?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
  json?: boolean | undefined;
  debug?: boolean | undefined;
  timeout: number;
}

/** This package's version; package.json is one folder up from dist/, two from the bundle in dist/bundle/. */
export const VERSION = ['../package.json', '../../package.json']
  .map((relative) => {
    try {
      return JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version: string };
    } catch {
      return undefined;
    }
  })
  .find((manifest) => manifest?.name === '@snek/cli')!.version;

export interface CommandContext {
  loaded: LoadedConfig;
  client: SnekClient;
  url: string;
  /** Where the URL came from: "--url", "env SNEK_URL", "file", "default", or the server settings it was made from. */
  urlFrom: string;
  /** Where the token came from ("--token", "env SNEK_TOKEN", "file", LOGIN_SOURCE), or null; never the token. */
  tokenSource: string | null;
}

export interface ContextOptions {
  /** Renew a saved login that has expired before using it (default); false only reads it, with no request. */
  renewLogin?: boolean;
}

/** Flags win over the environment, which wins over .snekrc, which wins over the saved `snek login`. */
export async function commandContext(args: GlobalArgs, options: ContextOptions = {}): Promise<CommandContext> {
  const loaded = await loadConfig({ configPath: args.config });
  const { url, urlFrom } = clientUrl(args, loaded);
  let token = args.token ?? loaded.config.client.token;
  let tokenSource: string | null = args.token ? '--token' : loaded.sources['client.token'];
  if (token === undefined) {
    token = options.renewLogin === false ? savedLogin(process.env, url)?.accessToken : await loginToken(process.env, url, args.timeout * 1000);
    if (token !== undefined) tokenSource = LOGIN_SOURCE;
  }
  const unauthorizedHint = tokenSource === LOGIN_SOURCE ? 'The token is from snek login: run snek login again.' : undefined;
  const client = new SnekClient({ url, token, timeoutMs: args.timeout * 1000, userAgent: `snek-cli/${VERSION}`, unauthorizedHint });
  return { loaded, client, url, urlFrom, tokenSource };
}

/** The token's source for people: "from env SNEK_TOKEN", "from snek login (credentials.json)", "not set". */
export function describeTokenSource(source: string | null): string {
  if (source === null) return 'not set';
  return `from ${source === 'file' ? 'client.token in the config file' : source}`;
}

/** --url, SNEK_URL, client.url; else the server that server.host and server.port (file or env) describe. */
function clientUrl(args: GlobalArgs, loaded: LoadedConfig): { url: string; urlFrom: string } {
  if (args.url !== undefined) return { url: args.url, urlFrom: '--url' };
  const { sources } = loaded;
  const { host, port } = loaded.config.server;
  if (sources['client.url'] === 'default' && (sources['server.host'] !== 'default' || sources['server.port'] !== 'default')) {
    const url = urlFromServer(host, port);
    if (url) return { url, urlFrom: `from server.host (${sources['server.host']}) and server.port (${sources['server.port']})` };
  }
  return { url: loaded.config.client.url, urlFrom: sources['client.url'] ?? 'default' };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${terminalJson(value)}\n`);
}
