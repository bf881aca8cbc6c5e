import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { saveLogin } from '../login-token.js';

/** `snek logout`: forgets this server's saved login; succeeds when there was none, and says so. */
export async function logout(args: GlobalArgs): Promise<void> {
  const { url } = await commandContext(args, { renewLogin: false });
  const { file, had } = saveLogin(process.env, url, undefined);
  if (args.json) return printJson({ url, loggedOut: had });
  process.stdout.write(had ? `logged out of ${url}: its tokens are gone from ${file}\n` : `not logged in to ${url}\n`);
}
