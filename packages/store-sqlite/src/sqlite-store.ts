import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database, { type Statement } from 'better-sqlite3';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, SnekError, decodeCursor, encodeCursor, type Snek, type SnekPage, type SnekQuery, type SnekStore, type StoreBulkWriter, type StoreStatusReporter } from '@snek/core';
import { migrate } from './migrations.js';
import { ReadBatch } from './read-batch.js';

const COLUMNS = 'id, name, type, content';
const SYNCHRONOUS_NAMES = ['off', 'normal', 'full', 'extra'];

/** The page query for a filter prefix such as "type = @type AND "; exported so tests can check its plan. */
export function listSql(where: string): string {
  return `SELECT ${COLUMNS} FROM sneks WHERE ${where}id > @after ORDER BY id LIMIT @limit`;
}

export const LIST_FILTERS = ['', 'name = @name AND ', 'type = @type AND ', 'name = @name AND type = @type AND '] as const;
type ListParams = { after: string; limit: number; name?: string | undefined; type?: string | undefined };

/** Sneks in one SQLite file: WAL with synchronous=FULL, so an acknowledged write survives kill -9 and power loss. */
export class SqliteSnekStore implements SnekStore, StoreStatusReporter, StoreBulkWriter {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepare>;
  private readonly pragmas: ReturnType<typeof preparePragmas>;
  private closed = false;
  private pending: Array<{ snek: Snek; resolve: (result: { created: boolean }) => void; reject: (error: unknown) => void }> = [];
  private readonly reads: ReadBatch;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    keepForever(this);
    try {
      // exec, not pragma(): pragma() makes a Statement object per call (see keepForever).
      // Another process holding the write lock makes us wait busy_timeout ms before SQLITE_BUSY.
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000');
      this.pragmas = preparePragmas(this.db);
      migrate(this.db, file, () => this.pragmas.userVersion.get() as number);
      this.statements = prepare(this.db);
      this.reads = new ReadBatch(this.statements.inReadTransaction);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  get(id: string): Promise<Snek | undefined> {
    return this.read(`get ${id}`, () => this.statements.get.get(id) as Snek | undefined, (snek) => snek && { ...snek });
  }

  private read<T>(key: string, run: () => T, copy: (value: T) => T): Promise<T> {
    try {
      this.assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.reads.add(key, run, copy);
  }

  /**
   * Queued and committed with every other put of this event-loop turn in one transaction (group commit):
   * one fsync for many writes, and no put resolves before the commit that holds it.
   */
  put(snek: Snek): Promise<{ created: boolean }> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.pending.push({ snek: { id: snek.id, name: snek.name, type: snek.type, content: snek.content }, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  /** Writes many sneks in one transaction; for bulk imports. */
  async putMany(sneks: readonly Snek[]): Promise<{ created: number }> {
    this.assertOpen();
    return { created: this.statements.putMany(sneks).filter(Boolean).length };
  }

  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      const created = this.statements.putMany(batch.map((entry) => entry.snek));
      batch.forEach((entry, i) => entry.resolve({ created: created[i]! }));
    } catch (error) {
      // The transaction rolled back as a whole: none of these writes happened.
      for (const entry of batch) entry.reject(error);
    }
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    return this.statements.delete.run(id).changes > 0;
  }

  list(query: SnekQuery = {}): Promise<SnekPage> {
    const key = `list ${JSON.stringify([query.name, query.type, query.limit, query.cursor])}`;
    return this.read(key, () => this.page(query), (page) => ({ items: page.items.map((snek) => ({ ...snek })), nextCursor: page.nextCursor }));
  }

  private page(query: SnekQuery): SnekPage {
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
    // Every slug sorts after '', so '' means "from the start".
    const after = query.cursor === undefined ? '' : decodeCursor(query.cursor);
    const statement = this.statements.list[(query.name === undefined ? 0 : 1) + (query.type === undefined ? 0 : 2)]!;
    const rows = statement.all({ after, limit: limit + 1, name: query.name, type: query.type } satisfies ListParams) as Snek[];
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Puts and reads already accepted are done before the file closes.
    if (this.pending.length) this.commitPending();
    this.reads.flush();
    this.db.close();
  }

  async status(): Promise<Record<string, unknown>> {
    this.assertOpen();
    return {
      file: this.file,
      schemaVersion: this.pragmas.userVersion.get(),
      journalMode: this.pragmas.journalMode.get(),
      synchronous: SYNCHRONOUS_NAMES[this.pragmas.synchronous.get() as number],
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', `The sqlite store on ${this.file} is closed. Open a new one.`);
  }
}

/**
 * better-sqlite3 12 on Node >= 24.19 aborts the process when the garbage collector frees one of its Database or
 * Statement objects outside JavaScript (an idle-time GC): their ObjectWrap destructor CHECKs for an entered
 * context. 13 fixes it but needs Node 22. So this store makes every statement once, at open, and never lets a
 * connection or its statements be collected: every store opened is kept here for the life of the process,
 * however it ends (a few hundred bytes once closed; a server opens one).
 */
const KEPT: object[] = [];
function keepForever(store: SqliteSnekStore): void {
  KEPT.push(store);
}

function preparePragmas(db: Database.Database) {
  return {
    userVersion: db.prepare('PRAGMA user_version').pluck(),
    journalMode: db.prepare('PRAGMA journal_mode').pluck(),
    synchronous: db.prepare('PRAGMA synchronous').pluck(),
  };
}

function prepare(db: Database.Database) {
  const exists = db.prepare('SELECT 1 FROM sneks WHERE id = ?').pluck();
  const upsert = db.prepare(`INSERT INTO sneks (${COLUMNS}) VALUES (@id, @name, @type, @content) ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, content = excluded.content`);
  return {
    get: db.prepare(`SELECT ${COLUMNS} FROM sneks WHERE id = ?`),
    delete: db.prepare('DELETE FROM sneks WHERE id = ?'),
    // One transaction for the lot; "created" is true exactly when that put made the row.
    putMany: db.transaction((sneks: readonly Snek[]): boolean[] =>
      sneks.map((snek) => {
        const existed = exists.get(snek.id) !== undefined;
        upsert.run(snek);
        return !existed;
      }),
    ),
    inReadTransaction: db.transaction((run: () => void) => run()),
    // Indexed by [name given] + 2 × [type given].
    list: LIST_FILTERS.map((where): Statement => db.prepare(listSql(where))),
  };
}
