import { SnekError, SnekIndex, type Snek, type SnekPage, type SnekQuery, type SnekStore } from '@snek/core';

/** Sneks in a Map, with core's SnekIndex so filtered pages never scan every snek. */
export class MemorySnekStore implements SnekStore {
  private readonly sneks = new Map<string, Snek>();
  private readonly index = new SnekIndex();
  private closed = false;

  async get(id: string): Promise<Snek | undefined> {
    this.assertOpen();
    const snek = this.sneks.get(id);
    return snek && { ...snek };
  }

  async put(snek: Snek): Promise<{ created: boolean }> {
    this.assertOpen();
    const copy = { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
    this.sneks.set(copy.id, copy);
    return { created: this.index.set(copy) };
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    this.sneks.delete(id);
    return this.index.delete(id);
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    this.assertOpen();
    const { ids, nextCursor } = this.index.page(query);
    return { items: ids.map((id) => ({ ...this.sneks.get(id)! })), nextCursor };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sneks.clear();
    this.index.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', 'The memory store is closed. Create a new store; a closed one cannot be reopened.');
  }
}
