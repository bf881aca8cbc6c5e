import { parseArgs } from 'node:util';
import { SnekError } from '@snek/core';

export interface ScaffoldArgs {
  folder?: string;
  name?: string;
  description?: string;
  yes: boolean;
  help: boolean;
  debug: boolean;
}

export const USAGE = `Usage: npm create @snek/store [FOLDER] [-- --name NAME --description TEXT --yes]
       pnpm create @snek/store [FOLDER] [--name NAME] [--description TEXT] [--yes]

Writes a new Snek store package into FOLDER, which must be new or empty.

  --name NAME         the npm package name (default: snek-store-<folder>)
  --description TEXT  the package description
  --yes, -y           ask nothing: take the defaults for what is not given
  --debug             add stack traces to errors
  --help, -h          show this help

On a terminal it asks for what the flags leave out; elsewhere FOLDER is required.`;

export function parseScaffoldArgs(argv: string[]): ScaffoldArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        description: { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        debug: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    // Node's message goes on about positionals after '--'; its first sentence names the flag.
    throw new SnekError('USAGE', `${(error as Error).message.split('. ')[0]}. Run with --help for usage.`, { cause: error });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new SnekError('USAGE', `Give one folder, not ${positionals.length} (${positionals.join(' ')}). Quote a folder name with spaces.`);
  return { folder: positionals[0], name: values.name, description: values.description, yes: values.yes, help: values.help, debug: values.debug };
}
