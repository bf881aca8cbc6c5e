import { Eta } from 'eta';
import { readWebFile } from './web-files.js';
import type { AssetUrls } from './static-assets.js';

const PAGES = ['layout', 'snek-form', 'edited', 'gallery', 'gallery-results', 'snek', 'history', 'sign-in', 'signed-in', 'sign-in-away', 'error', 'editor', 'conflict', 'delete'] as const;
/**
 * A page of its own; the layout, the editor's form (of the editor and conflict pages) and the "edited … by" line are
 * parts. gallery-results is both: part of the gallery, and sent alone for gallery.js to swap in.
 */
export type PageName = Exclude<(typeof PAGES)[number], 'layout' | 'snek-form' | 'edited'>;

/** What every page's layout needs. */
export interface PageFrame {
  title: string;
  /** The origin shown in the curl example, e.g. http://sneks.example:8000. */
  origin: string;
  /** Show the sign-out button: the browser is signed in. */
  signOut: boolean;
  /** Show a link to /signin: it is not, and could be. */
  signIn: boolean;
  /** Where a meta refresh sends the browser at once, if anywhere. */
  refresh?: string | undefined;
  /** The session's CSRF token, which every state-changing form carries; absent without a session. */
  csrf: string | undefined;
  /** The session may write: the page shows the editing controls. */
  canWrite: boolean;
}

export type RenderPage = (name: PageName, data: PageFrame & Record<string, unknown>) => string;

/**
 * eta, compiled once at start-up. autoEscape is on (eta's default, set here so it cannot drift): every
 * `<%= %>` is HTML-escaped, so a snek named `<script>` or art holding `</pre>` shows as text.
 */
export function compilePages(assets: AssetUrls): RenderPage {
  const eta = new Eta({ autoEscape: true, cache: true });
  for (const page of PAGES) eta.loadTemplate(`@${page}`, eta.compile(readWebFile(`templates/${page}.eta`).toString('utf8')));
  return (name, data) => eta.render(`@${name}`, { ...data, assets });
}
