import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Snek } from '@snek/core';
import { nameColumns } from './name-columns.js';

/**
 * COPY's binary format (signature, flags, header extension; a row: its field count, then each field's byte length
 * and bytes; -1 at the end). Text goes as its UTF-8 bytes, written straight into one buffer a batch: no escaping, no
 * string of the batch, and PostgreSQL reads each field by its length instead of scanning for tabs and backslashes
 * (at 1M sneks and their changes: 7.6 s of the server's CPU by text, 5.5 s so).
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
const END = Buffer.from([0xff, 0xff]);
/** The most bytes a string of n UTF-16 units takes in UTF-8. */
const MAX_BYTES_PER_UNIT = 3;
/** jsonb's binary form: a version byte, then the JSON text. */
const JSONB_VERSION = 1;

/** Sneks per COPY: a statement stays well inside statementTimeout. */
export const COPY_ROWS = 5000;
/**
 * Sneks per part of a COPY's stream (copyRows): small enough that PostgreSQL has a part to read while node builds the
 * next, and node building one (about 0.6 ms) is short beside PostgreSQL reading it.
 */
export const COPY_PART = 500;

/** A growing buffer of rows in COPY's binary format. */
class BinaryRows {
  private buffer: Buffer;
  private at = SIGNATURE.length;

  constructor(bytes: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(Math.ceil(bytes), 1024));
    SIGNATURE.copy(this.buffer);
  }

  row(fields: number): void {
    this.room(2);
    this.at = this.buffer.writeInt16BE(fields, this.at);
  }

  text(value: string, prefix?: number): void {
    this.room(5 + value.length * MAX_BYTES_PER_UNIT);
    const start = this.at + 4;
    let end = start;
    if (prefix !== undefined) end = this.buffer.writeUInt8(prefix, end);
    end += this.buffer.write(value, end, 'utf8');
    this.buffer.writeInt32BE(end - start, this.at);
    this.at = end;
  }

  null(): void {
    this.room(4);
    this.at = this.buffer.writeInt32BE(-1, this.at);
  }

  int64(value: bigint): void {
    this.room(12);
    this.buffer.writeInt32BE(8, this.at);
    this.at = this.buffer.writeBigInt64BE(value, this.at + 4);
  }

  /** Fields already in this format (their lengths included), such as a span of another batch's row. */
  raw(bytes: Buffer, start = 0, end = bytes.length): void {
    this.room(end - start);
    this.at += bytes.copy(this.buffer, this.at, start, end);
  }

  get length(): number {
    return this.at;
  }

  /** The rows and the trailer; the buffer is not written to again. */
  end(): Buffer {
    this.raw(END);
    return this.buffer.subarray(0, this.at);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}

/** The COPY of a batch of new sneks, and where in it each snek's id, name, type and content are, for its change. */
export interface SnekRows {
  rows: Buffer;
  /** Per snek, the start and end of its first four fields in `rows`. */
  spans: Uint32Array;
}

/** Sneks as rows of (id, name, type, content, name_key, name_folded): the column list of copySneks. */
export function snekRows(sneks: readonly Snek[]): SnekRows {
  // A guess for ASCII (it grows if wrong): the fields, the name three times (with its key and folded form), and each row's lengths.
  let units = 0;
  for (const snek of sneks) units += 26 + snek.id.length + 3 * snek.name.length + snek.type.length + snek.content.length;
  const out = new BinaryRows(SIGNATURE.length + 2 + units * 1.1);
  const spans = new Uint32Array(sneks.length * 2);
  sneks.forEach((snek, i) => {
    const { key, folded } = nameColumns(snek.name);
    out.row(6);
    spans[2 * i] = out.length;
    out.text(snek.id);
    out.text(snek.name);
    out.text(snek.type);
    out.text(snek.content);
    spans[2 * i + 1] = out.length;
    out.text(key);
    out.text(folded);
  });
  return { rows: out.end(), spans };
}

/**
 * The changes of a snekRows batch as rows of (seq, id, name, type, content, op, actor, at), the column list of
 * copyChanges: seqs from `first` on, in the batch's order; each snek's fields copied from its row; `actor` the log's
 * JSON text or null; `at` a timestamptz in its binary form (timestamptz_send).
 */
export function changeRows(sneks: SnekRows, first: bigint, actor: string | null, at: Buffer): Buffer {
  const { rows, spans } = sneks;
  const count = spans.length / 2;
  const out = new BinaryRows(rows.length + count * (2 + 12 + 7 + 12 + 5 + (actor?.length ?? 0) * MAX_BYTES_PER_UNIT));
  const put = Buffer.from('\0\0\0\x03put', 'latin1');
  const atField = Buffer.concat([Buffer.from([0, 0, 0, at.length]), at]);
  for (let i = 0; i < count; i++) {
    out.row(8);
    out.int64(first + BigInt(i));
    out.raw(rows, spans[2 * i], spans[2 * i + 1]);
    out.raw(put);
    if (actor === null) out.null();
    else out.text(actor, JSONB_VERSION);
    out.raw(atField);
  }
  return out.end();
}

/**
 * Rows into `target` ("table (columns)") by COPY FROM STDIN in binary: no parameters to parse, no plan, one pass of
 * PostgreSQL's row reader. `parts`: buffers of snekRows or changeRows, taken one at a time, each sent as soon as it is
 * built, so that PostgreSQL reads one while node builds the next (built all first, the two took turns: at 1M sneks,
 * about 1.5 s of a load phase). One COPY needs one header and one trailer: those of the parts are cut off. Rejects
 * with PostgreSQL's error (its SQLSTATE in `code`).
 */
export async function copyRows(client: pg.ClientBase, target: string, parts: Iterable<Buffer>): Promise<void> {
  await pipeline(Readable.from(oneCopy(parts)), client.query(copyFrom(`COPY ${target} FROM STDIN (FORMAT binary)`)));
}

async function* oneCopy(parts: Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield SIGNATURE;
  for (const part of parts) {
    yield part.subarray(SIGNATURE.length, part.length - END.length);
    // A turn of the event loop: the part goes out before the next is built.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  yield END;
}

/** `build` of each item, made when the iteration comes to it. */
export function* lazily<T>(items: Iterable<T>, build: (item: T) => Buffer): Generator<Buffer> {
  for (const item of items) yield build(item);
}

/** Consecutive slices of `items` from `start` to `end`, of `size` or fewer. */
export function* slices<T>(items: readonly T[], start: number, end: number, size: number): Generator<T[]> {
  for (let at = start; at < end; at += size) yield items.slice(at, Math.min(at + size, end));
}
