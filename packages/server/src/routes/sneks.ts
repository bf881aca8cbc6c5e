import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { SnekError, type SnekStore } from '@snek/core';
import { parseId, parseListQuery, parsePutBody } from '../validation.js';
import { answeredNotModified, sendJson, sendJsonBytes, sendJsonTagged, sendJsonWithEtag, snekEtag } from '../json-response.js';
import type { AnswerCache } from '../answer-cache.js';
import { pageWithMeta, withMeta } from '../history.js';
import { withConditionalWrites } from '../conditional-fallback.js';
import { deleteWithPreconditions, putWithPreconditions, readPreconditions } from '../preconditions.js';
import { countTypes } from '../store-scan.js';
import { findSneks } from '../find-sneks.js';
import type { AreaRoutes } from './area-router.js';

// body-parser decodes any utf-* charset it is told of (utf-16 too); the API takes UTF-8 alone, as documented.
const utf8Only: RequestHandler = (req, _res, next) => {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
  if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return next();
  next(new SnekError('UNSUPPORTED_MEDIA_TYPE', `The request body is in charset ${charset.slice(0, 40)}; send the snek as UTF-8 JSON (Content-Type: application/json; charset=utf-8).`));
};

// Bodies are parsed only after the token is checked (the API router's guard), and only as JSON of at most 128 KiB.
const jsonBody = [utf8Only, express.json({
  limit: '128kb',
  strict: true,
  type: ['application/json', 'application/*+json'],
  // Invalid UTF-8 would otherwise be decoded into U+FFFD silently, and the art changed without a word.
  verify: (_req, _res, buffer) => {
    if (!isUtf8(buffer)) throw new SnekError('REQUEST_INVALID', 'The request body is not valid UTF-8. Send the snek as UTF-8 JSON.');
  },
})];

/** /v1: sneks and their types. Each route validates, then calls the store; a snek's answer adds its newest change. */
export function snekRoutes(router: AreaRoutes, store: SnekStore, answers?: AnswerCache): void {

  router.get('/v1/sneks', async (req, res) => {
    const query = parseListQuery(req);
    // A page of one name is small, and what `snek NAME` revalidates: it gets an ETag, of the page as sent. Other
    // pages (sorted, searched) stay unhashed, which keeps them fast, and may be answered from `answers`, which every
    // change empties, so a search is no staler than a list. The whole query is the key: q, sort and cursor included.
    const key = query.name === undefined ? `list ${JSON.stringify(query)}` : undefined;
    const known = key === undefined ? undefined : answers?.get(key);
    if (known) return sendJsonBytes(res, known.body);
    const since = answers?.begin();
    const { items, ranks: _ranks, latest, ...page } = await findSneks(store, query);
    const answer = { items: await pageWithMeta(store, items, latest), ...page };
    if (key === undefined) return sendJsonWithEtag(req, res, answer);
    const body = Buffer.from(JSON.stringify(answer));
    if (since !== undefined) answers!.fill(key, since, { body });
    sendJsonBytes(res, body);
  });

  // Two store calls, get and latestChanges, both on `store`: a read cache in front of the store can answer both, and
  // `answers` the whole answer, ETag included (answeredNotModified sets it).
  router.get('/v1/sneks/:id', async (req, res) => {
    const id = parseId(req);
    const key = `snek ${id}`;
    const known = answers?.get(key);
    if (known) {
      if (!answeredNotModified(req, res, known.etag!)) sendJsonBytes(res, known.body);
      return;
    }
    const since = answers?.begin();
    const snek = await store.get(id);
    if (!snek) throw new SnekError('SNEK_NOT_FOUND', `There is no snek "${id}". List them with GET /v1/sneks.`);
    const etag = snekEtag(snek);
    if (answeredNotModified(req, res, etag)) return;
    const body = Buffer.from(JSON.stringify(await withMeta(store, snek)));
    if (since !== undefined) answers!.fill(key, since, { body, etag });
    sendJsonBytes(res, body);
  });

  // Every write of an id goes one way, so a store without putIf still orders plain and conditional writes alike.
  const writer = withConditionalWrites(store);

  router.put('/v1/sneks/:id', ...jsonBody, async (req, res) => {
    const snek = parsePutBody(req, parseId(req));
    const preconditions = readPreconditions(req);
    const options = { actor: res.locals.actor };
    const { created } = preconditions ? await putWithPreconditions(writer, snek, preconditions, options) : await writer.put(snek, options);
    sendJsonTagged(res, await withMeta(store, snek), created ? 201 : 200, snekEtag(snek));
  });

  router.delete('/v1/sneks/:id', async (req, res) => {
    const id = parseId(req);
    const preconditions = readPreconditions(req);
    const options = { actor: res.locals.actor };
    const deleted = preconditions ? await deleteWithPreconditions(writer, id, preconditions, options) : await writer.delete(id, options);
    if (!deleted) throw new SnekError('SNEK_NOT_FOUND', `There is no snek "${id}" to delete.`);
    res.status(204).end();
  });

  router.get('/v1/types', async (_req, res) => {
    const types = await countTypes(store);
    sendJson(res, { types, total: types.reduce((sum, entry) => sum + entry.count, 0) });
  });
}
