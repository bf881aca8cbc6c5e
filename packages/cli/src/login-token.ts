import { SnekError } from '@snek/core';
import { credentialsFile, isFresh, savedLogin, updateCredentials, type SavedLogin } from './credentials.js';

/** Where `snek config` and errors say the token came from, when it is the saved login. */
export const LOGIN_SOURCE = 'snek login (credentials.json)';

/** This server's saved access token, renewed first when it has expired or is about to; undefined without a login. */
export async function loginToken(env: NodeJS.ProcessEnv, url: string, timeoutMs: number): Promise<string | undefined> {
  const saved = savedLogin(env, url);
  if (!saved) return undefined;
  if (isFresh(saved)) return saved.accessToken;
  // openid-client is loaded only when a token must be renewed.
  const { refreshLogin } = await import('./identity-provider.js');
  let renewed: SavedLogin;
  try {
    renewed = await refreshLogin(saved, timeoutMs);
  } catch (error) {
    // Another snek may have renewed it meanwhile, spending the refresh token we hold.
    const now = savedLogin(env, url);
    if (now && now.accessToken !== saved.accessToken && isFresh(now)) return now.accessToken;
    const cause = SnekError.is(error) ? error : undefined;
    throw new SnekError(cause?.code ?? 'UNAUTHORIZED', `your snek login for ${url} has expired and could not be renewed: ${cause?.message ?? String(error)}`, { cause: error });
  }
  saveLogin(env, url, renewed);
  return renewed.accessToken;
}

/** Writes the login, turning a file system failure into one line that names the file. */
export function saveLogin(env: NodeJS.ProcessEnv, url: string, login: SavedLogin | undefined): { file: string; had: boolean } {
  try {
    return updateCredentials(env, url, login);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SnekError('CONFIG_INVALID', `cannot write ${credentialsFile(env)} (${code}): check that its folder is yours and writable`, { cause: error });
  }
}
