import { readFile } from 'node:fs/promises';
import { SnekError, formatIssues, slugify, snekSchema } from '@snek/core';
import { commandContext, printJson, type GlobalArgs } from '../context.js';

export interface PushArgs extends GlobalArgs {
  file: string;
  name: string;
  type: string;
  id?: string | undefined;
}

/** `snek push FILE|- --name --type [--id]`: validates here first, so a bad snek never leaves the machine. */
export async function push(args: PushArgs): Promise<void> {
  // yargs hands a lone "-" to a positional as "".
  const file = args.file === '' ? '-' : args.file;
  const content = await readArt(file);
  const id = args.id ?? slugify(args.name);
  if (!id) throw new SnekError('USAGE', `Cannot make an id from the name "${args.name}". Give one with --id.`);
  const checked = snekSchema.safeParse({ id, name: args.name, type: args.type, content });
  if (!checked.success) throw new SnekError('SNEK_INVALID', `This snek is not valid: ${formatIssues(checked.error)}.`);
  const { client } = await commandContext(args);
  const created = await client.put(checked.data);
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
