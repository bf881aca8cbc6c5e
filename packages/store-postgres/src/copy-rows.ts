import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** One field in COPY's text format: the four characters it gives a meaning escaped (backslash first), null as \N. */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  let field = value;
  if (field.includes('\\')) field = field.replaceAll('\\', '\\\\');
  if (field.includes('\n')) field = field.replaceAll('\n', '\\n');
  if (field.includes('\r')) field = field.replaceAll('\r', '\\r');
  if (field.includes('\t')) field = field.replaceAll('\t', '\\t');
  return field;
}

/** A column of fields for copyColumns, escaped once: the sneks and their changes share their columns. */
export const copyColumn = (values: ReadonlyArray<string | null>): string[] => values.map(copyField);

/**
 * Rows into `target` ("table (columns)") by COPY FROM STDIN, given as columns of fields already escaped
 * (copyColumn): no parameters to parse, no plan, one pass of PostgreSQL's row reader. Rejects with PostgreSQL's
 * error (its SQLSTATE in `code`).
 */
export async function copyColumns(client: pg.ClientBase, target: string, columns: ReadonlyArray<ReadonlyArray<string>>): Promise<void> {
  const rows = columns[0]!.length;
  let text = '';
  for (let i = 0; i < rows; i++) {
    let line = columns[0]![i]!;
    for (let c = 1; c < columns.length; c++) line += `\t${columns[c]![i]!}`;
    text += `${line}\n`;
  }
  await pipeline(Readable.from([text]), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
}
