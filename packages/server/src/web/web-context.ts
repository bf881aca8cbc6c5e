import type { Request, Response } from 'express';
import type { SnekError } from '@snek/core';
import type { AccessPolicy } from '../access.js';
import { cameOverHttps, type HttpsPolicy } from '../https-request.js';
import { statusForCode } from '../problem.js';
import type { PageFrame, PageName, RenderPage } from './templates.js';

/** What the gallery's routes share: the compiled pages and the server's access settings. */
export interface WebContext {
  render: RenderPage;
  access: AccessPolicy;
  /** Believe X-Forwarded-Proto (server.trustProxy). */
  trustProxy: HttpsPolicy;
  /** server.publicUrl: sign-in callbacks are under it. */
  publicUrl?: string | undefined;
  /** Whether a browser can sign in here at all (sign-in-routes.ts offersSignIn). */
  offersSignIn: boolean;
}

export function originOf(req: Request, context: WebContext): string {
  return `${cameOverHttps(req, context.trustProxy) ? 'https' : 'http'}://${req.get('host') ?? 'localhost'}`;
}

/** A browser asks for HTML first; curl sends Accept: *\/* and gets plain text. */
export function wantsHtml(req: Request): boolean {
  return req.accepts(['text/plain', 'text/html']) === 'text/html';
}

export function sendPage(req: Request, res: Response, context: WebContext, name: PageName, data: Omit<PageFrame, 'origin' | 'signOut' | 'signIn' | 'csrf' | 'canWrite'> & Record<string, unknown>, status = 200): void {
  const session = res.locals.session;
  const frame = {
    origin: originOf(req, context),
    signOut: Boolean(session),
    signIn: !session && context.offersSignIn && name !== 'sign-in',
    csrf: session ? context.access.sessions.csrfToken(session) : undefined,
    // Only a writer sees the editing controls; the editor's own guard decides what a post may do.
    canWrite: session?.scopes.has('write') ?? false,
  };
  res.status(status).type('html').send(context.render(name, { ...frame, ...data }));
}

/** An error as a page or a line of text; 5xx say only that it failed (the log has why, under the request id). */
export function sendWebError(req: Request, res: Response, context: WebContext, error: SnekError, asText: boolean, link?: { href: string; text: string }): void {
  const status = statusForCode(error.code);
  const message = status === 500 ? `The server failed to show this. Its log has the details under request id ${res.locals.requestId}.` : error.message;
  if (asText) return void res.status(status).type('text/plain').send(`${message}\n`);
  const heading = error.code === 'HISTORY_NOT_KEPT' ? 'No history kept' : status === 404 ? 'No such snek' : status === 429 ? 'Too many requests' : status >= 500 ? 'The server could not answer' : 'That did not work';
  sendPage(req, res, context, 'error', { title: 'Not here', heading, message, link }, status);
}
