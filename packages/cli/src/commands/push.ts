import { readFile } from 'node:fs/promises';
import { SnekError, formatIssues, slugify, snekSchema } from '@snek/core';
import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { usageError } from '../usage.js';

export interface PushArgs extends GlobalArgs {
  file?: string | undefined;
  name?: string | undefined;
  type?: string | undefined;
  id?: string | undefined;
  /** Overwrite a snek that has this id; without it, push only creates. */
  replace?: boolean | undefined;
}

/**
 * `snek push FILE|- --name --type [--id] [--replace]`: validates here first, so a bad snek never leaves the
 * machine; creates only, unless --replace, so two names that slug alike never clobber each other.
 */
export async function push(args: PushArgs): Promise<void> {
  const missing = [args.file === undefined && 'FILE (or - for standard input)', args.name === undefined && '--name NAME', args.type === undefined && '--type TYPE'].filter((m) => m !== false);
  if (missing.length) throw usageError('push', missing.length === 1 ? missing[0]! : `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`);
  const { name, type } = args as Required<Pick<PushArgs, 'name' | 'type'>>;
  // yargs hands a lone "-" to a positional as "".
  const file = args.file === '' ? '-' : args.file!;
  const content = await readArt(file);
  const id = args.id ?? slugify(name);
  if (!id) throw new SnekError('USAGE', `Cannot make an id from the name "${name}". Give one with --id.`);
  const checked = snekSchema.safeParse({ id, name, type, content });
  if (!checked.success) throw new SnekError('SNEK_INVALID', `This snek is not valid: ${formatIssues(checked.error)}.`);
  const { client } = await commandContext(args);
  const created = await client.put(checked.data, { replace: args.replace === true });
  if (args.json) return printJson({ id, created });
  process.stdout.write(`${created ? 'created' : 'replaced'} ${id}\n`);
}

async function readArt(file: string): Promise<string> {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new SnekError('USAGE', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give a readable file, or - for standard input.`, { cause: error });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
