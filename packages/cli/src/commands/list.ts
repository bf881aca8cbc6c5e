import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { terminalSafe } from '../terminal.js';

/** `snek list [--type]`: one line per snek, id order. */
export async function list(args: GlobalArgs & { type?: string | undefined }): Promise<void> {
  const { client } = await commandContext(args);
  const sneks = await client.listAll({ type: args.type });
  if (args.json) return printJson(sneks.map(({ id, name, type }) => ({ id, name, type })));
  const width = Math.max(2, ...sneks.map((s) => s.id.length));
  const lines = sneks.map((s) => `${s.id.padEnd(width)}  ${terminalSafe(s.name)} (${s.type})`);
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
}

/** `snek types`: each type with its count. */
export async function types(args: GlobalArgs): Promise<void> {
  const { client } = await commandContext(args);
  const all = await client.types();
  if (args.json) return printJson(all);
  const width = Math.max(4, ...all.map((t) => t.type.length));
  process.stdout.write(all.map((t) => `${t.type.padEnd(width)}  ${t.count}\n`).join(''));
}
