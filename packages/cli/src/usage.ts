import { SnekError } from '@snek/core';

/** Each command's usage line, as errors quote it. */
export const USAGE = {
  push: 'snek push FILE|- --name NAME --type TYPE [--id ID] [--replace]',
  rm: 'snek rm ID',
  log: 'snek log ID [--limit N]',
  search: 'snek search TEXT [--type TYPE] [--limit N]',
  restore: 'snek restore ID SEQ',
} as const;

/** "snek push needs FILE and --name. Usage: …": what is missing, and how the command goes. */
export function usageError(command: keyof typeof USAGE, missing: string): SnekError {
  return new SnekError('USAGE', `snek ${command} needs ${missing}. Usage: ${USAGE[command]}`);
}
