import { readFileSync } from 'node:fs';
import { loadConfig, type LoadedConfig } from '@snek/core';
import { SnekClient } from './client.js';
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
  /** Where the token came from ("--token", "env SNEK_TOKEN", "file"), or null; never the token. */
  tokenSource: string | null;
}

/** Flags win over the environment, which wins over .snekrc. */
export async function commandContext(args: GlobalArgs): Promise<CommandContext> {
  const loaded = await loadConfig({ configPath: args.config });
  const url = args.url ?? loaded.config.client.url;
  const token = args.token ?? loaded.config.client.token;
  const tokenSource = args.token ? '--token' : loaded.sources['client.token'];
  const client = new SnekClient({ url, token, timeoutMs: args.timeout * 1000, userAgent: `snek-cli/${VERSION}` });
  return { loaded, client, url, tokenSource };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${terminalJson(value)}\n`);
}
