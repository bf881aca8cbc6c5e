import { commandContext, printJson, type GlobalArgs } from '../context.js';

/** `snek config`: the settings in force and where each came from. Never prints the token itself. */
export async function config(args: GlobalArgs): Promise<void> {
  const { loaded, url, urlFrom, tokenSource } = await commandContext(args);
  const { server } = loaded.config;
  const report = {
    file: loaded.filepath,
    client: { url, urlFrom, token: tokenSource ? `set (from ${tokenSource})` : 'not set' },
    server: { host: server.host, port: server.port, store: server.store.use, storeFrom: loaded.sources['server.store'] },
  };
  if (args.json) return printJson(report);
  process.stdout.write(
    [
      `config file   ${report.file ?? '(none found; using defaults)'}`,
      `client.url    ${report.client.url}  (${report.client.urlFrom})`,
      `client.token  ${report.client.token}`,
      `server.host   ${report.server.host}`,
      `server.port   ${report.server.port}`,
      `server.store  ${report.server.store}  (${report.server.storeFrom})`,
    ].join('\n') + '\n',
  );
}
