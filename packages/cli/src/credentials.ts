import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { serverKey } from './server-key.js';

// Node built-ins only: the fast path reads saved logins too.

/** What `snek login` keeps for one server: the identity provider's tokens and how to renew them. */
export interface SavedLogin {
  issuer: string;
  clientId: string;
  accessToken: string;
  refreshToken: string | null;
  /** ISO 8601; null when the identity provider did not say. */
  expiresAt: string | null;
  /** The resource indicator the tokens are for (RFC 8707), sent again on refresh. */
  resource?: string | undefined;
}

/** An access token this close to its expiry is renewed before use, so it cannot expire in flight. */
export const REFRESH_MARGIN_MS = 30_000;

/** `$XDG_CONFIG_HOME/snek/credentials.json`, else `~/.config/snek/credentials.json`. */
export function credentialsFile(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.config'), 'snek', 'credentials.json');
}

/** Every saved login by server key; `unreadable` when the file is there but is not ours to parse. */
export function readCredentials(file: string): { logins: Record<string, SavedLogin> } | { unreadable: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { logins: {} } : { unreadable: code ?? 'unreadable' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { unreadable: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { unreadable: 'not a JSON object' };
  const logins: Record<string, SavedLogin> = {};
  for (const [server, entry] of Object.entries(parsed)) if (isSavedLogin(entry)) logins[server] = entry;
  return { logins };
}

/** This server's saved login, or undefined; a file that cannot be read counts as none. */
export function savedLogin(env: NodeJS.ProcessEnv, url: string): SavedLogin | undefined {
  const read = readCredentials(credentialsFile(env));
  return 'logins' in read ? read.logins[serverKey(url)] : undefined;
}

/** True while the access token has more than REFRESH_MARGIN_MS to live (or no known expiry). */
export function isFresh(login: SavedLogin, now = Date.now()): boolean {
  return login.expiresAt === null || Date.parse(login.expiresAt) - now > REFRESH_MARGIN_MS;
}

/**
 * Sets (or with `undefined`, removes) this server's entry, keeping the others. The folder is made 0700 and the
 * file 0600; it is written to a temporary file and renamed, so no reader ever sees half of it. Throws the
 * file system's error, for the caller to explain.
 */
export function updateCredentials(env: NodeJS.ProcessEnv, url: string, login: SavedLogin | undefined): { file: string; had: boolean } {
  const file = credentialsFile(env);
  const read = readCredentials(file);
  // An unreadable file is replaced only by a login, never silently emptied by a logout.
  if ('unreadable' in read && login === undefined) return { file, had: false };
  const logins = 'logins' in read ? read.logins : {};
  const key = serverKey(url);
  const had = Object.hasOwn(logins, key);
  if (login) logins[key] = login;
  else if (had) delete logins[key];
  else return { file, had };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(logins, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    // The mode given to open() passes through the umask; this one does not.
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return { file, had };
}

function isSavedLogin(value: unknown): value is SavedLogin {
  if (typeof value !== 'object' || value === null) return false;
  const { issuer, clientId, accessToken, refreshToken, expiresAt, resource } = value as Record<string, unknown>;
  return (
    typeof issuer === 'string' &&
    typeof clientId === 'string' &&
    typeof accessToken === 'string' &&
    accessToken !== '' &&
    (refreshToken === null || typeof refreshToken === 'string') &&
    (expiresAt === null || (typeof expiresAt === 'string' && !Number.isNaN(Date.parse(expiresAt)))) &&
    (resource === undefined || typeof resource === 'string')
  );
}
