import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { terminalLine } from '../terminal.js';
import { formatSnekLines } from './search.js';

/** `snek list [--type]`: one line per snek, id order. */
export async function list(args: GlobalArgs & { type?: string | undefined }): Promise<void> {
  const { client } = await commandContext(args);
  const sneks = await client.listAll({ type: args.type });
  if (args.json) return printJson(sneks.map(({ id, name, type }) => ({ id, name, type })));
  process.stdout.write(formatSnekLines(sneks));
}

/** `snek types`: each type with its count. */
export async function types(args: GlobalArgs): Promise<void> {
  const { client } = await commandContext(args);
  const all = await client.types();
  if (args.json) return printJson(all);
  const rows = all.map((t) => ({ type: terminalLine(t.type), count: terminalLine(String(t.count)) }));
  const width = Math.max(4, ...rows.map((t) => t.type.length));
  process.stdout.write(rows.map((t) => `${t.type.padEnd(width)}  ${t.count}\n`).join(''));
}
