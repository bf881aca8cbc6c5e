import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { MAX_LIST_LIMIT, SnekError } from '@snek/core';
import { isServerUrl } from './client-url.js';
import { cacheClear } from './commands/cache.js';
import { config } from './commands/config.js';
import { list, types } from './commands/list.js';
import { log } from './commands/log.js';
import { login } from './commands/login.js';
import { logout } from './commands/logout.js';
import { push } from './commands/push.js';
import { restore } from './commands/restore.js';
import { rm } from './commands/rm.js';
import { DEFAULT_SEARCH_RESULTS, search } from './commands/search.js';
import { show } from './commands/show.js';
import { watch } from './commands/watch.js';
import { whoami } from './commands/whoami.js';
import { COMPLETION_FLAG, completions, formatCompletions, wordsAfterCommand } from './completion.js';
import { VERSION } from './context.js';
import { exitCodeFor } from './exit-codes.js';
import { terminalLine, terminalSafe } from './terminal.js';
import { USAGE } from './usage.js';

function parser(argv: string[]) {
  const globals = yargs(argv)
    .scriptName('snek')
    .usage('$0 [NAME] [--type TYPE]\n\nPrints sneks from your snek server.')
    .option('url', { type: 'string', describe: 'Snek server URL (default: SNEK_URL, client.url, else server.host and server.port, else http://localhost:8000)' })
    .option('token', { type: 'string', describe: 'Bearer token (default: SNEK_TOKEN, client.token, else the snek login for this server)' })
    .option('config', { type: 'string', describe: 'Config file (default: .snekrc searched from here up; or SNEK_CONFIG)' })
    .option('timeout', { type: 'number', default: 10, describe: 'Seconds to wait for the server' })
    .option('json', { type: 'boolean', describe: 'Print JSON instead of art and tables' })
    .option('debug', { type: 'boolean', describe: 'Show stack traces on errors' })
    // Every command takes it; only `snek [NAME]` has a cache to skip.
    .option('cache', { type: 'boolean', default: true, describe: 'snek NAME: revalidate from the cache, and print from it when the server is down (--no-cache or SNEK_NO_CACHE=1: off)' });
  return globals
    .command(
      '$0 [name]',
      'Print the snek named NAME (default "normal"), or the sneks of --type',
      (y) => y.positional('name', { type: 'string', describe: 'Snek name (or id)' }).option('type', { type: 'string', describe: 'Only sneks of this type' }),
      (args) => show(args),
    )
    .command('list', 'List sneks: id, name and type', (y) => y.option('type', { type: 'string', describe: 'Only sneks of this type' }), (args) => list(args))
    .command(
      'search [text]',
      'Search names, ids and types: the best matches first (id, name and type)',
      (y) =>
        y
          .usage(USAGE.search)
          .positional('text', { type: 'string', describe: 'What to look for: any text, matched without regard to case' })
          .option('type', { type: 'string', describe: 'Only sneks of this type' })
          .option('limit', { type: 'number', describe: `At most N results (default ${DEFAULT_SEARCH_RESULTS}, at most ${MAX_LIST_LIMIT})` }),
      (args) => search(args),
    )
    .command('types', 'List types with their counts', (y) => y, (args) => types(args))
    .command(
      'push [file]',
      'Upload art from FILE, or - for standard input; only creates, unless --replace',
      (y) =>
        y
          .usage(USAGE.push)
          .positional('file', { type: 'string', describe: 'Art file, or - for standard input' })
          .option('name', { type: 'string', describe: 'Display name (required)' })
          .option('type', { type: 'string', describe: 'Type slug, e.g. cute (required)' })
          .option('id', { type: 'string', describe: 'Id slug (default: a slug of the name)' })
          .option('replace', { type: 'boolean', describe: 'Overwrite a snek that has this id (without it, an existing id exits 7)' }),
      (args) => push(args),
    )
    .command('rm [id]', 'Delete a snek', (y) => y.usage(USAGE.rm).positional('id', { type: 'string', describe: 'The id of the snek (see snek list)' }), (args) => rm(args))
    .command(
      'log [id]',
      "Show a snek's history, newest first: each revision's number, when, who, and put or delete",
      (y) => y.usage(USAGE.log).positional('id', { type: 'string', describe: 'The id of the snek (see snek list); a deleted one has a history too' }).option('limit', { type: 'number', describe: 'Only the newest N revisions (default: all)' }),
      (args) => log(args),
    )
    .command(
      'restore [id] [seq]',
      'Make a revision of a snek current again (snek log lists them); a deleted snek comes back',
      (y) => y.usage(USAGE.restore).positional('id', { type: 'string', describe: 'The id of the snek' }).positional('seq', { type: 'string', describe: "The revision's number, from snek log" }),
      (args) => restore(args),
    )
    .command('config', 'Show the settings in force and where each came from (never a token)', (y) => y, (args) => config(args))
    .command(
      'login',
      "Sign in with the server's identity provider (a code to approve in a browser); keeps the tokens for this server",
      (y) => y.option('provider', { type: 'string', describe: "The server's sign-in provider to use (default: the first with a device client)" }),
      (args) => login(args),
    )
    .command('watch', 'Print changes as they happen (seq, time, op, id, who), reconnecting after a drop, until Ctrl-C', (y) => y.option('type', { type: 'string', describe: 'Only changes of sneks of this type' }), (args) => watch(args))
    .command('whoami', 'Show who the server takes you for, and your scopes', (y) => y, (args) => whoami(args))
    .command('logout', "Forget this server's tokens from snek login", (y) => y, (args) => logout(args))
    .command('cache <action>', 'clear: empty the cache of printed sneks ($XDG_CACHE_HOME/snek, else ~/.cache/snek)', (y) => y.positional('action', { choices: ['clear'] as const, demandOption: true }), (args) => cacheClear(args))
    .completion('completion', 'Print a shell completion script (snek completion >> ~/.bashrc)')
    .check((args) => {
      if (!(Number.isFinite(args.timeout) && args.timeout > 0)) throw new SnekError('USAGE', '--timeout must be a number of seconds above 0');
      if (args.url !== undefined && !isServerUrl(args.url)) throw new SnekError('USAGE', `--url ${args.url} is not a URL: give the server's address, like http://localhost:8000`);
      return true;
    })
    .strict()
    .version(VERSION)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      throw error ?? new SnekError('USAGE', `${message}. Run snek --help for usage.`);
    });
}

/** Runs the CLI; errors become one line on stderr and a documented exit status. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  // The completion script's question: answered here, as yargs would offer "$0" and no names.
  if (argv.includes(COMPLETION_FLAG)) {
    process.stdout.write(formatCompletions(await completions(wordsAfterCommand(argv, process.env)), process.env));
    return;
  }
  try {
    await parser(argv).parseAsync();
  } catch (error) {
    const message = SnekError.is(error) ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
    const stack = argv.includes('--debug') && error instanceof Error ? `\n${terminalSafe(error.stack ?? '')}` : '';
    // The message may quote the server (a problem's detail): one line, no escapes.
    process.stderr.write(`snek: ${terminalLine(message)}${stack}\n`);
    process.exitCode = exitCodeFor(error);
  }
}
