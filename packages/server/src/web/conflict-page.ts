import type { Request, Response } from 'express';
import { SnekError, type SnekStore } from '@snek/core';
import { snekEtag } from '../json-response.js';
import type { SnekFieldErrors, SnekFields } from '../validation.js';
import { sendPage, type WebContext } from './web-context.js';

const FIELD_ORDER: ReadonlyArray<keyof SnekFields> = ['id', 'name', 'type', 'content'];

/** What the editor's form shows: the values as typed, the errors beside them, and where it posts. */
export interface EditorForm {
  action: string;
  /** The create form asks for an id; an edit's id is in its URL; a re-create after a delete carries it hidden. */
  idField: 'input' | 'hidden' | 'none';
  etag?: string | undefined;
  values: SnekFields;
  errors: SnekFieldErrors;
  /** The field the page focuses: the first with an error. */
  firstError?: keyof SnekFields | undefined;
  submit: string;
}

export function editorForm(form: Omit<EditorForm, 'firstError'>): EditorForm {
  return { ...form, firstError: FIELD_ORDER.find((field) => form.errors[field] !== undefined) };
}

/** A write refused because its preconditions no longer hold: someone else's write got in first. */
export function isConflict(error: unknown): boolean {
  return SnekError.is(error) && error.code === 'PRECONDITION_FAILED';
}

/** Why a write was refused: the snek changed (or went) since the page was made, or a create found one there. */
export type ConflictReason = 'changed' | 'exists';

/**
 * Someone else wrote first (an edit, a create, a restore). The page shows theirs as it is now and yours, with the
 * editor's form carrying yours and the ETag of theirs: keep theirs (leave), or save yours over it. Nothing is dropped.
 */
export function conflictPage(store: SnekStore, context: WebContext) {
  return async (req: Request, res: Response, id: string, yours: SnekFields, reason: ConflictReason): Promise<void> => {
    const theirs = await store.get(id);
    const heading = !theirs ? 'This snek was deleted meanwhile' : reason === 'exists' ? 'A snek with this id already exists' : 'Someone else changed this snek meanwhile';
    const form = theirs
      ? editorForm({ action: `/s/${id}/edit`, idField: 'none', etag: snekEtag(theirs), values: { ...yours, id }, errors: {}, submit: 'Save yours over theirs' })
      : editorForm({ action: '/new', idField: 'hidden', values: { ...yours, id }, errors: {}, submit: 'Save yours again' });
    sendPage(req, res, context, 'conflict', { title: heading, heading, id, theirs, form, exists: reason === 'exists' && theirs !== undefined }, 409);
  };
}
