import { credentialsFile, isFresh, savedLogin } from '../credentials.js';
import { commandContext, describeTokenSource, printJson, type GlobalArgs } from '../context.js';
import { LOGIN_SOURCE } from '../login-token.js';

/** `snek config`: the settings in force and where each came from. Never prints a token itself. */
export async function config(args: GlobalArgs): Promise<void> {
  const { loaded, url, urlFrom, tokenSource } = await commandContext(args, { renewLogin: false });
  const { server } = loaded.config;
  const login = savedLogin(process.env, url);
  const loginState = !login ? undefined : tokenSource !== LOGIN_SOURCE ? 'a snek login is saved too, but this token comes first' : isFresh(login) ? undefined : 'expired; renewed on next use';
  const token = `${describeTokenSource(tokenSource)}${loginState ? `; ${loginState}` : ''}`;
  const report = {
    file: loaded.filepath,
    client: { url, urlFrom, token, credentials: credentialsFile(process.env), loginExpiresAt: login?.expiresAt ?? null },
    server: { host: server.host, port: server.port, store: server.store.use, storeFrom: loaded.sources['server.store'] },
  };
  if (args.json) return printJson(report);
  process.stdout.write(
    [
      `config file   ${report.file ?? '(none found; using defaults)'}`,
      `client.url    ${report.client.url}  (${report.client.urlFrom})`,
      `token         ${report.client.token}`,
      `credentials   ${report.client.credentials}${login ? '' : ' (no login for this server)'}`,
      `server.host   ${report.server.host}`,
      `server.port   ${report.server.port}`,
      `server.store  ${report.server.store}  (${report.server.storeFrom})`,
    ].join('\n') + '\n',
  );
}
