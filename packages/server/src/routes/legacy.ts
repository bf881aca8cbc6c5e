import { Router } from 'express';
import type { SnekStore } from '@snek/core';
import { allSneks } from '../store-scan.js';
import { parseLegacyQuery } from '../validation.js';

/** The Python prototype's GET /sneks?name=, in its exact shape, so its client keeps working. */
export function legacyRoutes(store: SnekStore): Router {
  const router = Router();
  router.get('/sneks', async (req, res) => {
    const sneks: Record<string, { name: string; content: string }> = {};
    for await (const snek of allSneks(store, parseLegacyQuery(req))) sneks[snek.id] = { name: snek.name, content: snek.content };
    res.json({ sneks });
  });
  return router;
}
