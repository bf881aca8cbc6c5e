import { SnekError, SnekIndex, sameSnek, type ConditionalWriteResult, type Snek, type SnekPage, type SnekQuery, type SnekStore, type StoreBulkCreator, type StoreConditionalWriter, type StoreSeedLedger, type StoreTypeCounter, type TypeCount } from '@snek/core';

/**
 * Sneks in core's SnekIndex, which keeps them whole, so filtered pages never scan every snek. Its seed ledger is
 * in memory too: it starts empty with the sneks, so every start seeds every pack snek again.
 */
export class MemorySnekStore implements SnekStore, StoreConditionalWriter, StoreBulkCreator, StoreTypeCounter, StoreSeedLedger {
  private readonly index = new SnekIndex<Snek>();
  private readonly seededIds = new Set<string>();
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

  // Check and write run in one synchronous step: no other call can come between them.
  async putIf(snek: Snek, expected: Snek | null): Promise<ConditionalWriteResult<{ created: boolean }>> {
    this.assertOpen();
    const current = this.index.get(snek.id);
    if (!sameSnek(current, expected ?? undefined)) return { ok: false, current: current && { ...current } };
    return { ok: true, created: this.index.set({ id: snek.id, name: snek.name, type: snek.type, content: snek.content }) };
  }

  async deleteIf(id: string, expected: Snek): Promise<ConditionalWriteResult<object>> {
    this.assertOpen();
    const current = this.index.get(id);
    if (!sameSnek(current, expected)) return { ok: false, current: current && { ...current } };
    this.index.delete(id);
    return { ok: true };
  }

  async createMany(sneks: readonly Snek[]): Promise<{ created: string[] }> {
    this.assertOpen();
    const created: string[] = [];
    for (const snek of sneks) {
      if (this.index.has(snek.id)) continue;
      this.index.set({ id: snek.id, name: snek.name, type: snek.type, content: snek.content });
      created.push(snek.id);
    }
    return { created };
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    this.assertOpen();
    const { entries, nextCursor } = this.index.page(query);
    return { items: entries.map((snek) => ({ ...snek })), nextCursor };
  }

  async countTypes(): Promise<TypeCount[]> {
    this.assertOpen();
    return this.index.countTypes();
  }

  async seeded(ids: readonly string[]): Promise<string[]> {
    this.assertOpen();
    return ids.filter((id) => this.seededIds.has(id));
  }

  async recordSeeded(ids: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const id of ids) this.seededIds.add(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.index.clear();
    this.seededIds.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', 'The memory store is closed. Create a new store; a closed one cannot be reopened.');
  }
}
