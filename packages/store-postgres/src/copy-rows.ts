import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const SPECIAL = /[\\\n\r\t]/g;

/** One field in COPY's text format: the four characters it gives a meaning escaped, null as \N. */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  SPECIAL.lastIndex = 0;
  return SPECIAL.test(value) ? value.replace(SPECIAL, (c) => ESCAPES[c]!) : value;
}

/**
 * Rows into `target` ("table (columns)") by COPY FROM STDIN, given column by column: no parameters to parse, no
 * plan, one pass of PostgreSQL's row reader. Rejects with PostgreSQL's error (its SQLSTATE in `code`).
 */
export async function copyColumns(client: pg.ClientBase, target: string, columns: ReadonlyArray<ReadonlyArray<string | null>>): Promise<void> {
  const rows = columns[0]!.length;
  const lines: string[] = new Array(rows);
  for (let i = 0; i < rows; i++) lines[i] = columns.map((column) => copyField(column[i]!)).join('\t');
  await pipeline(Readable.from([`${lines.join('\n')}\n`]), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
}
