import type { Response } from 'express';
import { MAX_LIST_LIMIT, type Snek, type SnekPage, type SnekStore } from '@snek/core';
import { sendJson } from '../json-response.js';
import type { AreaRoutes } from './area-router.js';
import { parseLegacyQuery } from '../validation.js';

// Ids JSON.stringify puts first, in numeric order, as object keys that are array indices ("7", "42", not "07").
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;
const isArrayIndex = (id: string): boolean => ARRAY_INDEX.test(id) && Number(id) < 2 ** 32 - 1;
const entry = (snek: Snek): string => `${JSON.stringify(snek.id)}:${JSON.stringify({ name: snek.name, content: snek.content })}`;

/**
 * The Python prototype's GET /sneks?name=, in its exact shape, so its client keeps working. An answer of more
 * than one page is written page by page, waiting for the client to drain each, so the server's memory stays
 * flat however many sneks the store holds: built whole, 100k sneks took 56 MB. The bytes are those
 * JSON.stringify gives for the whole object, key order included.
 */
export function legacyRoutes(router: AreaRoutes, store: SnekStore): void {
  router.get('/sneks', async (req, res) => {
    const filters = parseLegacyQuery(req);
    const first = await store.list({ ...filters, limit: MAX_LIST_LIMIT });
    // One page (any ?name=, a small store): built whole, as before, with a Content-Length.
    if (!first.nextCursor) return sendJson(res, { sneks: Object.fromEntries(first.items.map((snek) => [snek.id, { name: snek.name, content: snek.content }])) });
    const body = new ChunkedJson(res);
    try {
      body.write('{"sneks":{');
      // Array-index keys come first in a JS object; only all-digit ids can be one, and they sort before any letter.
      const digitLed = /^[0-9]/.test(first.items[0]!.id);
      for (const id of digitLed ? await arrayIndexIds(store, filters) : []) {
        const snek = await store.get(id);
        if (snek && (filters.name === undefined || snek.name === filters.name)) await body.item(entry(snek));
      }
      let page: SnekPage = digitLed ? await store.list({ ...filters, limit: MAX_LIST_LIMIT }) : first;
      for (;;) {
        const items = page.items.filter((snek) => !isArrayIndex(snek.id)).map(entry);
        if (items.length > 0) await body.item(items.join(','));
        if (!page.nextCursor) break;
        page = await store.list({ ...filters, limit: MAX_LIST_LIMIT, cursor: page.nextCursor });
      }
      body.end('}}');
    } catch (error) {
      const clientLeft = body.aborted;
      // The status is sent: a clean end would hand the client truncated JSON that still looks whole.
      if (res.headersSent) res.destroy();
      if (!clientLeft) throw error;
    }
  });
}

/** The all-digit ids that are array indices, sorted as numbers; reads only the digit-led start of the id order. */
async function arrayIndexIds(store: SnekStore, filters: { name?: string }): Promise<string[]> {
  const found: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: SnekPage = await store.list({ ...filters, limit: MAX_LIST_LIMIT, ...(cursor ? { cursor } : {}) });
    for (const snek of page.items) {
      if (!/^[0-9]/.test(snek.id)) return found.sort((a, b) => Number(a) - Number(b));
      if (isArrayIndex(snek.id)) found.push(snek.id);
    }
    cursor = page.nextCursor;
    if (!cursor) return found.sort((a, b) => Number(a) - Number(b));
  }
}

/** A JSON response written in chunks, each after the client has taken the last one. */
class ChunkedJson {
  private started = false;
  private first = true;
  aborted = false;

  constructor(private readonly res: Response) {
    res.once('close', () => (this.aborted = !res.writableFinished));
  }

  write(text: string): void {
    if (!this.started) {
      this.started = true;
      this.res.statusCode = 200;
      this.res.setHeader('Content-Type', 'application/json; charset=utf-8');
    }
    this.res.write(text);
  }

  async item(text: string): Promise<void> {
    if (this.aborted) throw new Error('The client closed the connection.');
    const more = this.res.write(this.first ? text : `,${text}`);
    this.first = false;
    if (!more) await drainOrClose(this.res);
  }

  end(text: string): void {
    this.res.end(text);
  }
}

function drainOrClose(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}
