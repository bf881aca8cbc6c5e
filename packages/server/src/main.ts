import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SnekError, loadConfig } from '@snek/core';
import { createLogger } from './logger.js';
import { startServer } from './start.js';

/** `snek-server`: starts the server, and stops it cleanly on SIGTERM or SIGINT. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  const debug = argv.includes('--debug');
  const args = await parseArgs(argv).catch((error: unknown) => fail(error, debug));
  const logger = createLogger();
  try {
    const loaded = await loadConfig({ configPath: args.config });
    const server = await startServer({ loaded, host: args.host, port: args.port, logger });
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping: finishing requests in flight');
      server.close().then(() => process.exit(0), (error: unknown) => fail(error, debug));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (error) {
    fail(error, debug);
  }
}

async function parseArgs(argv: string[]) {
  return yargs(argv)
    .scriptName('snek-server')
    .usage('$0 [options]\n\nServes sneks over HTTP from the store named in .snekrc.')
    .option('config', { type: 'string', describe: 'Config file (default: .snekrc searched from here up; or SNEK_CONFIG)' })
    .option('host', { type: 'string', describe: 'Address to listen on (default: server.host, SNEK_HOST, 127.0.0.1)' })
    .option('port', { type: 'number', describe: 'Port to listen on, 0 for any free one (default: server.port, SNEK_PORT, 8000)' })
    .option('debug', { type: 'boolean', describe: 'Show stack traces of startup errors' })
    .strict()
    .fail((message, error) => {
      throw error ?? new SnekError('USAGE', `${message}. Run snek-server --help for usage.`);
    })
    .parseAsync();
}

function fail(error: unknown, debug: boolean | undefined): never {
  const text = SnekError.is(error) ? `${error.code}: ${error.message}` : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
  process.stderr.write(`snek-server: ${text}${debug && error instanceof Error ? `\n${error.stack}` : ''}\n`);
  process.exit(SnekError.is(error) && error.code === 'USAGE' ? 2 : 1);
}
