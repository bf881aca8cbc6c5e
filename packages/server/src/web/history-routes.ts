import type { Request, Response } from 'express';
import { SnekError, type SnekStore } from '@snek/core';
import { withConditionalWrites } from '../conditional-fallback.js';
import { readRevision, readRevisions, restoreRevision, type Revision } from '../history.js';
import { snekEtag } from '../json-response.js';
import { ifMatchFromForm, type Preconditions } from '../preconditions.js';
import type { AreaRoutes } from '../routes/area-router.js';
import { parseId } from '../validation.js';
import { conflictPage, isConflict } from './conflict-page.js';
import { formFields } from './editor-form.js';
import { shownEdit, type ShownEdit } from './last-edits.js';
import { diffCounts, diffLines, foldUnchanged, type DiffRow } from './line-diff.js';
import { sendPage, type WebContext } from './web-context.js';

/** The restore button's post: the web router's guard gives it the editor's write-session checks. */
export const RESTORE_PATH = '/s/:id/history/:seq/restore';

/** Revisions per history page: each shows a diff, so a page holds fewer than the gallery's cards. */
export const HISTORY_PAGE_SIZE = 10;

const RESTORE_FIELDS = ['csrf', 'etag'] as const;

/** One revision as the history page shows it. */
interface RevisionView {
  seq: number;
  op: Revision['op'];
  /** "Edited", "Created again", "Deleted", "Oldest version kept". */
  label: string;
  edit: ShownEdit;
  name?: string | undefined;
  type?: string | undefined;
  /** The name and type before, where this revision changed them. */
  renamedFrom?: string | undefined;
  retypedFrom?: string | undefined;
  /** The art against the revision before, or undefined when there is none to compare (shown whole). */
  diff?: { rows: DiffRow[]; added: number; removed: number } | undefined;
  content?: string | undefined;
  /** It is the snek as it is now: nothing to restore. */
  current: boolean;
}

function revisionView(revision: Revision, older: Revision | undefined, currentEtag: string | undefined, now: number): RevisionView {
  const edit = shownEdit(revision.at, revision.by, now);
  const snek = revision.snek;
  if (revision.op === 'delete' || !snek) return { seq: revision.seq, op: 'delete', label: 'Deleted', edit, current: false };
  const view = { seq: revision.seq, op: 'put' as const, edit, name: snek.name, type: snek.type, current: snekEtag(snek) === currentEtag };
  const before = older?.snek;
  if (!before) return { ...view, label: older ? 'Created again' : 'Oldest version kept', content: snek.content };
  const lines = diffLines(before.content, snek.content);
  return {
    ...view,
    label: 'Edited',
    renamedFrom: before.name !== snek.name ? before.name : undefined,
    retypedFrom: before.type !== snek.type ? before.type : undefined,
    diff: { rows: foldUnchanged(lines), ...diffCounts(lines) },
  };
}

function parseSeq(req: Request): number {
  const text = String(req.params['seq']);
  if (!/^[1-9][0-9]{0,14}$/.test(text)) throw new SnekError('REQUEST_INVALID', `"${text.slice(0, 20)}" is not a revision number. Open the snek's history and restore from there.`);
  return Number(text);
}

function parseCursor(req: Request): string | undefined {
  const cursor = req.query['cursor'];
  if (cursor === undefined || cursor === '') return undefined;
  if (typeof cursor !== 'string' || cursor.length > 200) throw new SnekError('REQUEST_INVALID', 'The page\'s cursor is not one this server gave out. Start again from the first page of the history.');
  return cursor;
}

/**
 * GET /s/:id/history (every kept revision of a snek, deleted or not, newest first, each with who, when and a diff
 * of its art against the one before) and the restore button's post. A restore goes through history.ts, as the
 * API's does, with If-Match of the ETag the page was made with (If-None-Match: * when the snek was deleted then),
 * so a restore over someone else's newer write shows the conflict page instead. Who may post is the guard's.
 */
export function historyRoutes(router: AreaRoutes, store: SnekStore, context: WebContext): void {
  const writer = withConditionalWrites(store);
  const sendConflict = conflictPage(store, context);

  router.get('/s/:id/history', async (req, res) => {
    const id = parseId(req);
    const cursor = parseCursor(req);
    const [current, page] = await Promise.all([store.get(id), readRevisions(store, id, { limit: HISTORY_PAGE_SIZE, cursor })]);
    // The oldest revision of the page is compared with the newest of the next.
    const next = page.nextCursor ? (await readRevisions(store, id, { limit: 1, cursor: page.nextCursor })).items[0] : undefined;
    const currentEtag = current && snekEtag(current);
    const now = Date.now();
    const revisions = page.items.map((revision, i) => revisionView(revision, page.items[i + 1] ?? next, currentEtag, now));
    const name = current?.name ?? page.items.find((revision) => revision.snek)?.snek?.name ?? id;
    const heading = `History of ${name}`;
    sendPage(req, res, context, 'history', {
      title: heading,
      heading,
      id,
      current,
      revisions,
      // What every restore form of the page carries: the current snek's ETag, or none when it is deleted.
      etag: currentEtag ?? '',
      firstHref: cursor ? `/s/${id}/history` : undefined,
      nextHref: page.nextCursor ? `/s/${id}/history?cursor=${encodeURIComponent(page.nextCursor)}` : undefined,
    });
  });

  router.post(RESTORE_PATH, async (req: Request, res: Response) => {
    const id = parseId(req);
    const seq = parseSeq(req);
    const { etag } = formFields(req.body, RESTORE_FIELDS);
    if (etag === undefined) throw new SnekError('REQUEST_INVALID', 'The form has no etag field. Open the snek\'s history again and restore from there.');
    const preconditions: Preconditions = etag === '' ? { ifNoneMatch: '*' } : ifMatchFromForm(etag);
    try {
      await restoreRevision(writer, store, id, seq, preconditions, { actor: res.locals.actor });
    } catch (error) {
      if (!isConflict(error)) throw error;
      const { snek } = await readRevision(store, id, seq);
      return sendConflict(req, res, id, snek!, etag === '' ? 'exists' : 'changed');
    }
    res.redirect(303, `/s/${id}?restored=1`);
  });
}
