import { MAX_LIST_LIMIT } from '@snek/core';
import { commandContext } from './context.js';
import { terminalLine } from './terminal.js';

/** What the shell script of `snek completion` runs to ask for the words that may come next. */
export const COMPLETION_FLAG = '--get-yargs-completions';

/** Flags per command ('' is `snek [NAME]`); a test keeps this equal to what `--help` lists. */
export const COMMAND_FLAGS: Record<string, readonly string[]> = {
  '': ['--type'],
  list: ['--type'],
  search: ['--type', '--limit'],
  types: [],
  push: ['--name', '--type', '--id', '--replace'],
  rm: [],
  log: ['--limit'],
  restore: [],
  config: [],
  login: ['--provider'],
  whoami: [],
  watch: ['--type'],
  logout: [],
  cache: [],
  completion: [],
};
export const GLOBAL_FLAGS = ['--url', '--token', '--config', '--timeout', '--json', '--debug', '--no-cache', '--help', '--version'];
const VALUE_FLAGS = new Set(['--url', '--token', '--config', '--timeout', '--type', '--name', '--id', '--provider', '--limit']);
/** Completing names asks the server, but never holds up the shell for long. */
const SERVER_TIMEOUT_SECONDS = 1;

/**
 * The words that may complete the last of `words` (what follows `snek` on the command line):
 * commands and flags, types after --type, names for `snek NAME`, ids for `snek rm`, `log` and `restore`, and
 * sign-in providers after --provider, the last four from the server. A server that cannot answer gives no words, and no message.
 */
export async function completions(words: readonly string[]): Promise<string[]> {
  const current = words.at(-1) ?? '';
  const { command, positionals, flags, pendingFlag } = readWords(words.slice(0, -1));
  const matching = (candidates: Iterable<string>) => [...new Set(candidates)].filter((word) => word !== '' && word.startsWith(current));
  if (pendingFlag === '--type') return matching((await fromServer(flags, (client) => client.types())).map((t) => terminalLine(t.type)));
  if (pendingFlag === '--provider') return matching((await fromServer(flags, async (client) => (await client.auth()).signIn)).map((method) => terminalLine(method.name)));
  // A file, a URL, a number: the shell's own completion does better.
  if (pendingFlag) return [];
  if (current.startsWith('-')) return matching([...(COMMAND_FLAGS[command ?? ''] ?? []), ...GLOBAL_FLAGS].filter((flag) => !flags.has(flag)));
  if (positionals.length > 0) return [];
  if (command === undefined) return matching([...Object.keys(COMMAND_FLAGS).filter(Boolean), ...(await page(flags)).map((s) => s.name)]);
  if (command === 'rm' || command === 'log' || command === 'restore') return matching((await page(flags)).map((s) => s.id));
  if (command === 'cache') return matching(['clear']);
  return [];
}

/** One word per line; zsh's _describe reads "word:description", so a colon in a word is escaped. */
export function formatCompletions(words: readonly string[], env: NodeJS.ProcessEnv): string {
  const zsh = Boolean(env['SHELL']?.includes('zsh') || env['ZSH_NAME']?.includes('zsh'));
  return words.map((word) => `${zsh ? word.replace(/:/g, '\\:') : word}\n`).join('');
}

/** bash and zsh pass the command's own name first; fish does not. */
export function wordsAfterCommand(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const words = argv.slice(argv.indexOf(COMPLETION_FLAG) + 1);
  return env['SHELL']?.includes('fish') ? words : words.slice(1);
}

function readWords(words: readonly string[]) {
  let command: string | undefined;
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  let pendingFlag: string | undefined;
  for (const word of words) {
    if (pendingFlag) {
      flags.set(pendingFlag, word);
      pendingFlag = undefined;
    } else if (word.startsWith('--')) {
      const [flag, value] = word.split(/=(.*)/s, 2) as [string, string | undefined];
      if (value !== undefined) flags.set(flag, value);
      else if (VALUE_FLAGS.has(flag)) pendingFlag = flag;
      else flags.set(flag, '');
    } else if (command === undefined && positionals.length === 0 && word in COMMAND_FLAGS && word !== '') command = word;
    else positionals.push(word);
  }
  return { command, positionals, flags, pendingFlag };
}

type Client = Awaited<ReturnType<typeof commandContext>>['client'];

/** Asks the server (the one --url, --token and --config on the line name), or gives nothing. */
async function fromServer<T>(flags: Map<string, string>, ask: (client: Client) => Promise<T[]>): Promise<T[]> {
  try {
    // A saved login is used as it is: renewing it would hold up the shell.
    const { client } = await commandContext({ url: flags.get('--url'), token: flags.get('--token'), config: flags.get('--config'), timeout: SERVER_TIMEOUT_SECONDS }, { renewLogin: false });
    return await ask(client);
  } catch {
    return [];
  }
}

async function page(flags: Map<string, string>): Promise<Array<{ id: string; name: string }>> {
  const sneks = await fromServer(flags, async (client) => (await client.list({ limit: MAX_LIST_LIMIT, type: flags.get('--type') })).items);
  return sneks.map((s) => ({ id: terminalLine(s.id), name: terminalLine(s.name) }));
}
