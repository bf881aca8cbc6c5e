import type { Request, Response } from 'express';
import { SnekError, slugify, type Snek, type SnekStore, type WriteOptions } from '@snek/core';
import { withConditionalWrites } from '../conditional-fallback.js';
import { snekEtag } from '../json-response.js';
import { deleteWithPreconditions, ifMatchFromForm, putWithPreconditions, type Preconditions } from '../preconditions.js';
import type { AreaRoutes } from '../routes/area-router.js';
import { checkSnekFields, parseId, type SnekFields } from '../validation.js';
import { conflictPage, editorForm, isConflict, type EditorForm } from './conflict-page.js';
import { artFromTextarea, formFields } from './editor-form.js';
import { sendPage, type WebContext } from './web-context.js';

/** The editor's paths: the web router's guard gives each its write-session checks. */
export const EDITOR_PATHS = ['/new', '/s/:id/edit', '/s/:id/delete'] as const;

const CREATE_FIELDS = ['csrf', 'id', 'name', 'type', 'content', 'action'] as const;
const EDIT_FIELDS = ['csrf', 'etag', 'name', 'type', 'content', 'action'] as const;
const DELETE_FIELDS = ['csrf', 'etag'] as const;

const writeOptions = (res: Response): WriteOptions => ({ actor: res.locals.actor });

/**
 * The gallery's editor: /new, /s/:id/edit and /s/:id/delete, each a page and the plain form post it sends
 * (post/redirect/get on success). Writes go through the API's own precondition code: a create is If-None-Match: *,
 * an edit or delete If-Match with the ETag its page was made from. Who may call them is the web router's guard.
 */
export function editorRoutes(router: AreaRoutes, store: SnekStore, context: WebContext): void {
  const writer = withConditionalWrites(store);

  const sendEditor = (req: Request, res: Response, heading: string, form: EditorForm, status = 200) =>
    sendPage(req, res, context, 'editor', { title: heading, heading, form, summary: form.firstError !== undefined }, status);

  const sendConflict = conflictPage(store, context);

  /** Writes the snek if the preconditions hold; false when someone else's write got in first. */
  const write = async (res: Response, snek: Snek, preconditions: Preconditions): Promise<boolean> => {
    try {
      await putWithPreconditions(writer, snek, preconditions, writeOptions(res));
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  };

  const blank: SnekFields = { id: '', name: '', type: '', content: '' };

  router.get('/new', (req, res) => {
    sendEditor(req, res, 'New snek', editorForm({ action: '/new', idField: 'input', values: blank, errors: {}, submit: 'Create' }));
  });

  router.post('/new', async (req, res) => {
    const form = formFields(req.body, CREATE_FIELDS);
    const name = form.name ?? '';
    const fields: SnekFields = { id: form.id?.trim() || slugify(name), name, type: form.type ?? '', content: artFromTextarea(form.content ?? '') };
    const checked = checkSnekFields(fields);
    const errors = 'errors' in checked ? checked.errors : {};
    if (errors.id && !form.id?.trim()) errors.id = 'No id could be made from the name: type one, 1–64 of a-z, 0-9, ".", "_", "-".';
    if (form.action === 'preview' || !('snek' in checked)) {
      return sendEditor(req, res, 'New snek', editorForm({ action: '/new', idField: 'input', values: fields, errors, submit: 'Create' }), 'snek' in checked ? 200 : 400);
    }
    if (!(await write(res, checked.snek, { ifNoneMatch: '*' }))) return sendConflict(req, res, fields.id, fields, 'exists');
    res.redirect(303, `/s/${checked.snek.id}?saved=1`);
  });

  router.get('/s/:id/edit', async (req, res) => {
    const id = parseId(req);
    const snek = await store.get(id);
    if (!snek) throw new SnekError('SNEK_NOT_FOUND', `There is no snek "${id}" to edit. Create it at /new, or see them all at /.`);
    sendEditor(req, res, `Edit ${snek.name}`, editorForm({ action: `/s/${id}/edit`, idField: 'none', etag: snekEtag(snek), values: snek, errors: {}, submit: 'Save' }));
  });

  router.post('/s/:id/edit', async (req, res) => {
    const id = parseId(req);
    const form = formFields(req.body, EDIT_FIELDS);
    const etag = form.etag ?? '';
    const preconditions = ifMatchFromForm(etag);
    const fields: SnekFields = { id, name: form.name ?? '', type: form.type ?? '', content: artFromTextarea(form.content ?? '') };
    const checked = checkSnekFields(fields);
    if (form.action === 'preview' || !('snek' in checked)) {
      const errors = 'errors' in checked ? checked.errors : {};
      return sendEditor(req, res, `Edit ${id}`, editorForm({ action: `/s/${id}/edit`, idField: 'none', etag, values: fields, errors, submit: 'Save' }), 'snek' in checked ? 200 : 400);
    }
    if (!(await write(res, checked.snek, preconditions))) return sendConflict(req, res, id, fields, 'changed');
    res.redirect(303, `/s/${id}?saved=1`);
  });

  const sendDelete = (req: Request, res: Response, snek: Snek, changed: boolean) => {
    const heading = changed ? `${snek.name} changed meanwhile` : `Delete ${snek.name}?`;
    sendPage(req, res, context, 'delete', { title: heading, heading, snek, etag: snekEtag(snek), changed }, changed ? 409 : 200);
  };

  router.get('/s/:id/delete', async (req, res) => {
    const id = parseId(req);
    const snek = await store.get(id);
    if (!snek) throw new SnekError('SNEK_NOT_FOUND', `There is no snek "${id}" to delete. See them all at /.`);
    sendDelete(req, res, snek, false);
  });

  router.post('/s/:id/delete', async (req, res) => {
    const id = parseId(req);
    const preconditions = ifMatchFromForm(formFields(req.body, DELETE_FIELDS).etag ?? '');
    let deleted: boolean;
    try {
      deleted = await deleteWithPreconditions(writer, id, preconditions, writeOptions(res));
    } catch (error) {
      if (!isConflict(error)) throw error;
      // It changed since the page was made: ask again about the snek as it is now.
      const now = await store.get(id);
      if (now) return sendDelete(req, res, now, true);
      deleted = false;
    }
    if (!deleted) throw new SnekError('SNEK_NOT_FOUND', `There is no snek "${id}" any more: someone else deleted it. See them all at /.`);
    res.redirect(303, '/?deleted=1');
  });
}
