import { SnekError } from '@snek/core';
import { deviceMethod, type SignInMethod } from '../auth-answers.js';
import { SnekClient } from '../client.js';
import { VERSION, commandContext, describeTokenSource, printJson, type GlobalArgs } from '../context.js';
import { deviceLogin, type DevicePrompt } from '../identity-provider.js';
import { LOGIN_SOURCE, saveLogin } from '../login-token.js';
import { terminalLine } from '../terminal.js';
import { describeActor } from './whoami.js';

export interface LoginArgs extends GlobalArgs {
  provider?: string | undefined;
}

/**
 * `snek login [--provider NAME]`: asks the server which identity provider signs people in, signs in there with the
 * device flow (a code to approve in any browser), and keeps the tokens for this server in credentials.json.
 */
export async function login(args: LoginArgs): Promise<void> {
  const { url, tokenSource } = await commandContext(args, { renewLogin: false });
  const timeoutMs = args.timeout * 1000;
  const anonymous = new SnekClient({ url, timeoutMs, userAgent: `snek-cli/${VERSION}` });
  const method = chooseMethod(url, await anonymous.auth(), args.provider);
  const saved = await deviceLogin(
    { issuer: method['issuer'] as string, clientId: method['deviceClientId'] as string, resource: typeof method['resource'] === 'string' ? method['resource'] : undefined, timeoutMs },
    (prompt) => process.stderr.write(promptText(prompt)),
  );
  const { file } = saveLogin(process.env, url, saved);
  // The server's own answer, to show the login works there: who it takes the token for, and what it allows.
  const me = await new SnekClient({ url, token: saved.accessToken, timeoutMs, userAgent: `snek-cli/${VERSION}`, unauthorizedHint: `The server refuses the token that ${terminalLine(method.name)} gave: ask its admin to check the provider's audience.` }).whoami();
  const shadowed = tokenSource !== null && tokenSource !== LOGIN_SOURCE ? tokenSource : undefined;
  if (args.json) return printJson({ url, provider: method.name, credentials: file, ...me, ...(shadowed ? { tokenInUse: describeTokenSource(shadowed) } : {}) });
  process.stdout.write(`logged in to ${url} as ${describeActor(me.actor)}; scopes: ${me.scopes.map(terminalLine).join(', ') || 'none'}\n`);
  // Said after the good news: the login is saved, but another token still wins until it is removed.
  if (shadowed) process.stderr.write(`snek: note: the token ${describeTokenSource(shadowed)} comes before this login; remove it to use the login\n`);
}

function chooseMethod(url: string, methods: Awaited<ReturnType<SnekClient['auth']>>, named: string | undefined): SignInMethod {
  const chosen = deviceMethod(methods, named);
  if ('method' in chosen) return chosen.method;
  const names = chosen.names.map(terminalLine);
  if (chosen.problem === 'unknown') throw new SnekError('USAGE', `the snek server at ${url} has no sign-in provider named "${terminalLine(named!)}"; it has ${names.length ? names.join(', ') : 'none'}`);
  const which = named !== undefined ? `its sign-in provider "${terminalLine(named)}" has no deviceClientId` : names.length ? `none of its sign-in providers (${names.join(', ')}) has a deviceClientId` : 'it has no sign-in provider';
  throw new SnekError('UNAUTHORIZED', `the snek server at ${url} offers no sign-in for the CLI: ${which}. Use a token (--token, SNEK_TOKEN or client.token), or ask its admin to set deviceClientId`);
}

function promptText({ verificationUri, userCode, verificationUriComplete, expiresInSeconds }: DevicePrompt): string {
  const minutes = Math.max(1, Math.round(expiresInSeconds / 60));
  const complete = verificationUriComplete ? `  or open ${terminalLine(verificationUriComplete)}\n` : '';
  return `To sign in, open ${terminalLine(verificationUri)} and enter the code ${terminalLine(userCode)}\n${complete}Waiting for you to approve it (the code lasts ${minutes} minute${minutes === 1 ? '' : 's'})…\n`;
}
