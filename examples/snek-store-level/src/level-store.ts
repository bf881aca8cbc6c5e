import { ClassicLevel } from 'classic-level';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, SnekError, decodeCursor, encodeCursor, type Snek, type SnekPage, type SnekQuery, type SnekStore } from '@snek/core';
import { bucketPrefix, nameKey, range, snekKey, typeKey } from './keys.js';

/** Sneks in LevelDB: `s!<id>` holds the snek; `n!<name>␀<id>` and `t!<type>␀<id>` index it. */
export class LevelSnekStore implements SnekStore {
  private readonly db: ClassicLevel<string, string>;
  // Writes read the old record to move its index keys, so one id's writes must not interleave.
  private readonly queues = new Map<string, Promise<unknown>>();
  private closed = false;

  private constructor(readonly dir: string) {
    this.db = new ClassicLevel<string, string>(dir, { valueEncoding: 'utf8' });
  }

  static async open(dir: string): Promise<LevelSnekStore> {
    const store = new LevelSnekStore(dir);
    try {
      await store.db.open({ createIfMissing: true });
    } catch (error) {
      const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new SnekError('STORE_INIT_FAILED', `The level store cannot open ${dir}: ${cause}. If another snek-server uses this folder, stop it or choose another dir.`, { cause: error });
    }
    return store;
  }

  async get(id: string): Promise<Snek | undefined> {
    this.assertOpen();
    const json = await this.db.get(snekKey(id));
    return json === undefined ? undefined : (JSON.parse(json) as Snek);
  }

  put(snek: Snek): Promise<{ created: boolean }> {
    return this.serialise(snek.id, async () => {
      const previous = await this.get(snek.id);
      const batch = this.db.batch();
      if (previous) batch.del(nameKey(previous.name, previous.id)).del(typeKey(previous.type, previous.id));
      const record: Snek = { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
      await batch.put(snekKey(snek.id), JSON.stringify(record)).put(nameKey(snek.name, snek.id), '').put(typeKey(snek.type, snek.id), '').write({ sync: true });
      return { created: !previous };
    });
  }

  delete(id: string): Promise<boolean> {
    return this.serialise(id, async () => {
      const previous = await this.get(id);
      if (!previous) return false;
      await this.db.batch().del(snekKey(id)).del(nameKey(previous.name, id)).del(typeKey(previous.type, id)).write({ sync: true });
      return true;
    });
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    this.assertOpen();
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const items: Snek[] = [];
    // Walk the name bucket if there is a name filter, else the type bucket, else all sneks; check the rest per snek.
    const prefix = query.name !== undefined ? bucketPrefix.name(query.name) : query.type !== undefined ? bucketPrefix.type(query.type) : bucketPrefix.all;
    for await (const [key, value] of this.db.iterator(range(prefix, after))) {
      const snek = prefix === bucketPrefix.all ? (JSON.parse(value) as Snek) : await this.get(key.slice(prefix.length));
      if (!snek || (query.type !== undefined && snek.type !== query.type)) continue;
      if (items.length === limit) return { items, nextCursor: encodeCursor(items.at(-1)!.id) };
      items.push(snek);
    }
    return { items, nextCursor: null };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.queues.values());
    await this.db.close();
  }

  private serialise<T>(id: string, task: () => Promise<T>): Promise<T> {
    this.assertOpen();
    const run = (this.queues.get(id) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => this.queues.get(id) === tail && this.queues.delete(id));
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', `The level store on ${this.dir} is closed. Open a new one.`);
  }
}
