import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, SnekError, decodeCursor, encodeCursor, type Snek, type SnekPage, type SnekQuery, type SnekStore } from '@snek/core';
import { SortedIds } from './sorted-ids.js';

/** Sneks in a Map, with sorted id lists per name and per type so filtered pages never scan every snek. */
export class MemorySnekStore implements SnekStore {
  private readonly sneks = new Map<string, Snek>();
  private readonly allIds = new SortedIds();
  private readonly byName = new Map<string, SortedIds>();
  private readonly byType = new Map<string, SortedIds>();
  private closed = false;

  async get(id: string): Promise<Snek | undefined> {
    this.assertOpen();
    const snek = this.sneks.get(id);
    return snek && { ...snek };
  }

  async put(snek: Snek): Promise<{ created: boolean }> {
    this.assertOpen();
    const previous = this.sneks.get(snek.id);
    if (previous) this.unindex(previous);
    const copy = { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
    this.sneks.set(copy.id, copy);
    this.index(copy);
    return { created: !previous };
  }

  async delete(id: string): Promise<boolean> {
    this.assertOpen();
    const previous = this.sneks.get(id);
    if (!previous) return false;
    this.sneks.delete(id);
    this.unindex(previous);
    return true;
  }

  async list(query: SnekQuery = {}): Promise<SnekPage> {
    this.assertOpen();
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST_LIMIT, 1), MAX_LIST_LIMIT);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const items: Snek[] = [];
    for (const id of this.candidates(query).from(after)) {
      const snek = this.sneks.get(id)!;
      if ((query.name !== undefined && snek.name !== query.name) || (query.type !== undefined && snek.type !== query.type)) continue;
      if (items.length === limit) return { items, nextCursor: encodeCursor(items.at(-1)!.id) };
      items.push({ ...snek });
    }
    return { items, nextCursor: null };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sneks.clear();
  }

  // The smallest index that covers the filters; the other filter is checked per snek.
  private candidates(query: SnekQuery): SortedIds {
    const empty = new SortedIds();
    const name = query.name === undefined ? undefined : (this.byName.get(query.name) ?? empty);
    const type = query.type === undefined ? undefined : (this.byType.get(query.type) ?? empty);
    if (name && type) return name.size <= type.size ? name : type;
    return name ?? type ?? this.allIds;
  }

  private index(snek: Snek): void {
    this.allIds.add(snek.id);
    addTo(this.byName, snek.name, snek.id);
    addTo(this.byType, snek.type, snek.id);
  }

  private unindex(snek: Snek): void {
    this.allIds.remove(snek.id);
    removeFrom(this.byName, snek.name, snek.id);
    removeFrom(this.byType, snek.type, snek.id);
  }

  private assertOpen(): void {
    if (this.closed) throw new SnekError('STORE_CLOSED', 'The memory store is closed. Create a new store; a closed one cannot be reopened.');
  }
}

function addTo(index: Map<string, SortedIds>, key: string, id: string): void {
  let ids = index.get(key);
  if (!ids) index.set(key, (ids = new SortedIds()));
  ids.add(id);
}

function removeFrom(index: Map<string, SortedIds>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.remove(id);
  if (ids && ids.size === 0) index.delete(key);
}
