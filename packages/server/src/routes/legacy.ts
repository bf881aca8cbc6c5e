import type { IRouter } from 'express';
import type { SnekStore } from '@snek/core';
import { eachPage } from '../store-scan.js';
import { sendJson } from '../json-response.js';
import { parseLegacyQuery } from '../validation.js';

/** The Python prototype's GET /sneks?name=, in its exact shape, so its client keeps working. */
export function legacyRoutes(router: IRouter, store: SnekStore): void {
  router.get('/sneks', async (req, res) => {
    const sneks: Record<string, { name: string; content: string }> = {};
    await eachPage(store, parseLegacyQuery(req), (page) => {
      for (const snek of page) sneks[snek.id] = { name: snek.name, content: snek.content };
    });
    sendJson(res, { sneks });
  });
}
