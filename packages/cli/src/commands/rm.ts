import { SnekError } from '@snek/core';
import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { alternatives, checkIdArgument, existingIds } from '../id-suggestions.js';
import { usageError } from '../usage.js';

/** `snek rm ID`; a name given for an id gets the id it probably meant. */
export async function rm(args: GlobalArgs & { id?: string | undefined }): Promise<void> {
  if (args.id === undefined) throw usageError('rm', 'the ID of the snek to delete');
  const { client } = await commandContext(args);
  await checkIdArgument(client, args.id);
  try {
    await client.delete(args.id);
  } catch (error) {
    const meant = SnekError.hasCode(error, 'SNEK_NOT_FOUND') ? await existingIds(client, args.id) : [];
    if (meant.length) throw new SnekError('SNEK_NOT_FOUND', `${error instanceof Error ? error.message : ''} Did you mean ${alternatives(meant)}?`.trim());
    throw error;
  }
  if (args.json) return printJson({ id: args.id, deleted: true });
  process.stdout.write(`deleted ${args.id}\n`);
}
