import { commandContext, printJson, type GlobalArgs } from '../context.js';

/** `snek rm ID`. */
export async function rm(args: GlobalArgs & { id: string }): Promise<void> {
  const { client } = await commandContext(args);
  await client.delete(args.id);
  if (args.json) return printJson({ id: args.id, deleted: true });
  process.stdout.write(`deleted ${args.id}\n`);
}
