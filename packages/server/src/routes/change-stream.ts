import type { Request } from 'express';
import { z } from 'zod';
import { SnekError, formatIssues, slugSchema } from '@snek/core';
import type { ChangeStreamQuery, ChangeStreams } from '../change-stream.js';
import type { AreaRoutes } from './area-router.js';

const SEQ = /^\d{1,15}$/;
const streamQuerySchema = z.strictObject({
  after: z.string().regex(SEQ, 'must be a whole number').transform(Number).optional(),
  type: slugSchema.optional(),
});

/** ?after= and ?type=, with Last-Event-ID (what an EventSource sends when it reconnects) winning over ?after=. */
export function parseStreamQuery(req: Request): ChangeStreamQuery {
  const result = streamQuerySchema.safeParse(req.query);
  if (!result.success) throw new SnekError('SNEK_INVALID', `Invalid query: ${formatIssues(result.error)}.`);
  const lastEventId = req.get('last-event-id')?.trim();
  if (lastEventId === undefined || lastEventId === '') return result.data;
  if (!SEQ.test(lastEventId)) throw new SnekError('REQUEST_INVALID', `Last-Event-ID "${lastEventId.slice(0, 40)}" is not the seq of a change: send the id of the last event received, or none.`);
  return { ...result.data, after: Number(lastEventId) };
}

/** GET /v1/changes/stream: the change log as Server-Sent Events (see change-stream.ts); read scope, by the API's guard. */
export function changeStreamRoutes(router: AreaRoutes, streams: ChangeStreams | undefined): void {
  router.get('/v1/changes/stream', (req, res) => {
    if (!streams) {
      throw new SnekError('HISTORY_NOT_KEPT', "This server's store keeps no change log, so it has no stream of changes. The built-in stores keep one; a store plugin does by implementing changes() and latestChanges() (StoreChangeLog in @snek/core).");
    }
    streams.serve(req, res, parseStreamQuery(req));
  });
}
