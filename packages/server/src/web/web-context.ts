import type { Request, Response } from 'express';
import { SnekError } from '@snek/core';
import type { AccessPolicy } from '../access.js';
import { cameOverHttps } from '../https-request.js';
import { statusForCode } from '../problem.js';
import type { PageFrame, PageName, RenderPage } from './templates.js';

/** What the gallery's routes share: the compiled pages and the server's access settings. */
export interface WebContext {
  render: RenderPage;
  access: AccessPolicy;
  /** Believe X-Forwarded-Proto (server.trustProxy). */
  trustProxy: boolean;
}

export function originOf(req: Request, context: WebContext): string {
  return `${cameOverHttps(req, context.trustProxy) ? 'https' : 'http'}://${req.get('host') ?? 'localhost'}`;
}

/** A browser asks for HTML first; curl sends Accept: *\/* and gets plain text. */
export function wantsHtml(req: Request): boolean {
  return req.accepts(['text/plain', 'text/html']) === 'text/html';
}

export function sendPage(req: Request, res: Response, context: WebContext, name: PageName, data: Omit<PageFrame, 'origin' | 'signOut'> & Record<string, unknown>, status = 200): void {
  const frame = { origin: originOf(req, context), signOut: context.access.read === 'token' && name !== 'sign-in' };
  res.status(status).type('html').send(context.render(name, { ...frame, ...data }));
}

/** A client's mistake (4xx) as a page or a line of text; anything else goes on to the problem handler. */
export function sendWebError(req: Request, res: Response, context: WebContext, error: unknown, asText: boolean): boolean {
  if (!SnekError.is(error)) return false;
  const status = statusForCode(error.code);
  if (status >= 500) return false;
  if (asText) res.status(status).type('text/plain').send(`${error.message}\n`);
  else sendPage(req, res, context, 'error', { title: 'Not here', heading: status === 404 ? 'No such snek' : 'That did not work', message: error.message }, status);
  return true;
}
