import type { AuthContext, AuthPlugin, AuthProvider } from './auth.js';
import type { SnekConfig } from './config.js';
import { SnekError } from './errors.js';
import { AUTH_KIND } from './kinds/auth-kind.js';
import { loadPlugin } from './plugin-loader.js';
import { describeThrown } from './thrown.js';

export interface LoadAuthOptions {
  /** `server.auth.signIn` as configured. */
  entries: NonNullable<SnekConfig['server']['auth']['signIn']>;
  /** `server.publicUrl`, without a trailing slash. */
  publicUrl: string | undefined;
  configDir: string;
  /** Says which file the entries came from: "/srv/.snekrc". */
  file: string;
  env: NodeJS.ProcessEnv;
  /** Module URLs whose dependencies are the fallback: the server's, where the built-in providers are. */
  fallbackFrom?: readonly string[] | undefined;
  timeoutMs?: number | undefined;
}

/** A sign-in provider in force: its entry's name (in `/signin/<name>`), what the button says, and the provider. */
export interface LoadedAuthProvider {
  name: string;
  use: string;
  displayName: string;
  plugin: AuthPlugin;
  provider: AuthProvider;
}

/** Loads and creates every `server.auth.signIn` entry in order, through the one plugin loader. */
export async function loadAuthProviders(options: LoadAuthOptions): Promise<LoadedAuthProvider[]> {
  const loaded: LoadedAuthProvider[] = [];
  for (const [index, entry] of options.entries.entries()) {
    const origin = `server.auth.signIn[${index}] in ${options.file}`;
    const { plugin } = await loadPlugin(AUTH_KIND, entry.use, { configDir: options.configDir, origin, fallbackFrom: options.fallbackFrom, timeoutMs: options.timeoutMs });
    const name = entry.name ?? plugin.name;
    const twin = loaded.find((other) => other.name === name);
    if (twin) throw new SnekError('CONFIG_INVALID', `${origin} is named "${name}", as is the entry for "${twin.use}". Give one of them another name: name: ${name}-2.`, { details: { name } });
    const context: AuthContext = { name, callbackUrl: options.publicUrl === undefined ? undefined : `${options.publicUrl}/signin/${name}/callback`, configDir: options.configDir, env: options.env, origin };
    let provider: AuthProvider;
    try {
      provider = await plugin.create(entry.options ?? {}, context);
    } catch (error) {
      if (SnekError.is(error)) throw error;
      throw new SnekError('AUTH_OPTIONS_INVALID', `Sign-in provider "${entry.use}" (${origin}) failed to start: ${describeThrown(error)}. Check its options.`, { cause: error });
    }
    if (!provider || typeof provider.displayName !== 'string') throw new SnekError('AUTH_INVALID_EXPORT', `Sign-in provider "${entry.use}" (${origin}): create() must return an object with a displayName. Fix or reinstall the provider.`);
    // Said at start, not at someone's first sign-in: a redirect needs a callback URL people can reach.
    if (provider.redirect && context.callbackUrl === undefined) {
      await provider.close?.();
      throw new SnekError('CONFIG_INVALID', `Sign-in provider "${entry.use}" (${origin}) sends browsers to sign in and back, so it needs server.publicUrl: the URL people use to reach this server, such as https://snek.example.com. Set it, and register <publicUrl>/signin/${name}/callback at the identity provider.`, { details: { field: 'server.publicUrl' } });
    }
    loaded.push({ name, use: entry.use, displayName: entry.displayName ?? provider.displayName, plugin, provider });
  }
  return loaded;
}
