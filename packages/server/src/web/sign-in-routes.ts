import express, { type Request, type Response } from 'express';
import { SnekError, type LoadedAuthProvider, type SignedIn } from '@snek/core';
import { authRequestOf, findToken } from '../access.js';
import { actorOfPerson, actorOfToken, tokenPerson } from '../actor.js';
import { statusForCode, toSnekError } from '../problem.js';
import { endSession, startSession } from '../session-cookie.js';
import type { AreaRoutes } from '../routes/area-router.js';
import { CSRF_FIELD, requireCsrf } from './csrf.js';
import { keepPending, takePending } from './pending-sign-in.js';
import { sameOriginOnly } from './same-origin.js';
import { checksSignInCsrf, signInCsrf } from './sign-in-form.js';
import { originOf, sendPage, type WebContext } from './web-context.js';

// A token or a CSRF token is all a form sends; a body larger than this is neither.
const formBody = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 4 });

// Fixed messages: nothing from the URL is shown back.
const SIGN_IN_FAILURES: Record<string, string> = {
  invalid: 'That token is not valid on this server. Check it and try again.',
  empty: 'Enter a token.',
  scope: "That token has no read scope. Ask the server's admin for a token with read.",
  expired: 'The sign-in form had expired. Sign in again.',
};

/** Whether anyone can sign in here: a private server, a provider, or a token that may write from the gallery. */
export function offersSignIn(context: Pick<WebContext, 'access'>): boolean {
  const { access } = context;
  return access.read === 'token' || access.providers.length > 0 || access.tokens.some((token) => token.scopes.has('write'));
}

/**
 * /signin, /signin/<provider>, its callback, and /signout: open on a private server, since they are how a browser
 * gets in. Every sign-in post must be same-origin and carry the CSRF token of its form (sign-in-form.ts); the
 * cookie then holds a session, never a token.
 */
export function signInRoutes(router: AreaRoutes, context: WebContext): void {
  const canSignIn = context.offersSignIn;
  const providers = new Map(context.access.providers.map((entry) => [entry.name, entry]));
  const showPage = (req: Request, res: Response, error: string | undefined, status = 200) => {
    const buttons = context.access.providers.map((entry) => ({ name: entry.name, label: `Sign in with ${entry.displayName}` }));
    sendPage(req, res, context, 'sign-in', { title: 'Sign in', error, providers: buttons, tokens: context.access.tokens.length > 0, isPrivate: context.access.read === 'token', signInCsrf: signInCsrf(req, res, context) }, status);
  };
  const refuse = (req: Request, res: Response, error: unknown) => {
    const snekError = toSnekError(error);
    const status = statusForCode(snekError.code);
    // A 5xx says only that it failed; the error handler's log has why.
    if (status >= 500 && snekError.code !== 'AUTH_UNAVAILABLE') throw snekError;
    showPage(req, res, snekError.message, status);
  };
  const signedIn = async (req: Request, res: Response, entry: LoadedAuthProvider, person: SignedIn) => {
    if (!person.scopes.length) {
      const groups = person.groups.length ? `your groups (${person.groups.slice(0, 10).join(', ')})` : 'you have no groups, and';
      const who = person.person.email ?? person.person.name ?? person.person.sub;
      throw new SnekError('AUTH_NO_SCOPE', `You signed in with ${entry.displayName} as ${who}, but ${groups} grant no scope on this server. Ask its admin to map one of your groups under options.scopes of the "${entry.name}" sign-in.`);
    }
    const actorPerson = { ...person.person, via: entry.name };
    res.locals.actor = actorOfPerson(actorPerson);
    await startSession(req, res, context.access.sessions, context.trustProxy, actorPerson, person.scopes);
  };

  router.get('/signin', (req, res) => {
    if (!canSignIn) return res.redirect(303, '/');
    const failed = typeof req.query['failed'] === 'string' ? SIGN_IN_FAILURES[req.query['failed']] : undefined;
    showPage(req, res, failed);
  });

  const sameOrigin = sameOriginOnly(context);
  const signInForm = [sameOrigin, formBody];
  router.post('/signin', ...signInForm, async (req, res) => {
    if (!canSignIn) return res.redirect(303, '/');
    // Post/redirect/get: a reload does not post the token again, and the URL names only the kind of failure.
    if (!checksSignInCsrf(req, context, req.body?.[CSRF_FIELD])) return res.redirect(303, '/signin?failed=expired');
    const presented = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const token = presented ? findToken(context.access, presented) : null;
    if (!token) return res.redirect(303, `/signin?failed=${presented ? 'invalid' : 'empty'}`);
    // On a public server anyone reads: a token that may only write still signs in, to write from the gallery.
    if (context.access.read === 'token' && !token.scopes.has('read')) return res.redirect(303, '/signin?failed=scope');
    res.locals.actor = actorOfToken(token.name);
    await startSession(req, res, context.access.sessions, context.trustProxy, tokenPerson(token.name), token.scopes);
    res.redirect(303, '/');
  });

  router.post('/signin/:provider', ...signInForm, async (req, res) => {
    const entry = providers.get(String(req.params['provider']));
    if (!entry) throw new SnekError('ROUTE_NOT_FOUND', 'There is no such sign-in on this server. Open /signin to see the ones it offers.');
    if (!checksSignInCsrf(req, context, req.body?.[CSRF_FIELD])) return res.redirect(303, '/signin?failed=expired');
    try {
      const { redirect, fromRequest } = entry.provider;
      if (redirect) {
        const { location, pending } = await redirect.start();
        await keepPending(req, res, context, entry.name, pending);
        return res.redirect(303, location);
      }
      const person = fromRequest ? await fromRequest(authRequestOf(req)) : undefined;
      if (!person) throw new SnekError('AUTH_SIGN_IN_FAILED', `${entry.displayName} did not say who you are: this request did not come through the sign-in proxy the server trusts. Open the server at the address your company gives for it.`);
      await signedIn(req, res, entry, person);
      res.redirect(303, '/');
    } catch (error) {
      refuse(req, res, error);
    }
  });

  router.get('/signin/:provider/callback', async (req, res) => {
    const entry = providers.get(String(req.params['provider']));
    if (!entry?.provider.redirect) throw new SnekError('ROUTE_NOT_FOUND', 'There is no such sign-in on this server. Open /signin to see the ones it offers.');
    try {
      const pending = await takePending(req, res, context, entry.name);
      if (pending === null) throw new SnekError('AUTH_SIGN_IN_FAILED', 'This sign-in expired, or began in another browser. Sign in again from this page.');
      // The URL the identity provider redirected to, as registered with it (publicUrl, with any path it has), not
      // what the Host header says; only the query is the request's.
      const callback = new URL(`${context.publicUrl ?? originOf(req, context)}/signin/${entry.name}/callback`);
      callback.search = new URL(req.originalUrl, 'http://x').search;
      await signedIn(req, res, entry, await entry.provider.redirect.finish(callback, pending));
      // A page, not a redirect: the browser arrived from the identity provider's site, and would not send the
      // SameSite=Strict session cookie along a redirect that began there. A navigation from this page does.
      sendPage(req, res, context, 'signed-in', { title: 'Signed in', refresh: '/', name: res.locals.session?.person.name ?? res.locals.session?.person.email ?? '' });
    } catch (error) {
      refuse(req, res, error);
    }
  });

  router.post('/signout', sameOrigin, formBody, requireCsrf(context), (req, res) => {
    endSession(req, res, context.trustProxy);
    res.redirect(303, context.access.read === 'token' ? '/signin' : '/');
  });
}
