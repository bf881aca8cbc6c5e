import { SnekError, SnekIndex, type Snek, type SnekPage, type SnekQuery, type SnekStore } from '@snek/core';

/** Sneks in core's SnekIndex, which keeps them whole, so filtered pages never scan every snek. */
export class MemorySnekStore implements SnekStore {
  private readonly index = new SnekIndex<Snek>();
  private closed = false;

  async get(id: string): Promise<Snek | undefined> {
    this.assertOpen();
    const snek = this.index.get(id);
    return snek && { ...snek };
  }

  async put(snek: Snek): Promise<{ created: boolean }> {
    this.assertOpen();
    return { created: this.index.set({ id: snek.id, name: snek.name, type: snek.type, content: snek.content }) };
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    return this.index.delete(id);
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    this.assertOpen();
    const { entries, nextCursor } = this.index.page(query);
    return { items: entries.map((snek) => ({ ...snek })), nextCursor };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.index.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', 'The memory store is closed. Create a new store; a closed one cannot be reopened.');
  }
}
