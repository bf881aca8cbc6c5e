import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { rawRequest, type RawRequest } from './helpers/raw-http.js';
import { tokenSignIn } from './helpers/sign-in.js';
import { BUILT_IN_STORES } from './helpers/store-configs.js';

// The hostile-input corpus against the editor's forms: each post is wrong in some way, sent as a signed-in writer
// (unless the wrong part is who sends it). Each must get a 4xx page, none a 5xx, and nothing may change.
const READER = 'hostile-editor-reader';
const WRITER = 'hostile-editor-writer';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const SNEKRC = `${BUILT_IN_STORES.fs}  auth:
    read: token
    tokens:
      - { name: reader, sha256: ${sha256(READER)}, scopes: [read] }
      - { name: writer, sha256: ${sha256(WRITER)}, scopes: [read, write] }
`;
const FORM = 'application/x-www-form-urlencoded';
const HTML = 'text/html';

let server: TestServer & { dir: string };
let writer: { cookie: string; csrf: string };
let reader: { cookie: string; csrf: string };
let cuteEtag: string;
// A put revision of cute, and the delete of a snek made and deleted for the corpus: what restore posts name.
let cuteSeq = 1;
let deleteSeq = 1;

async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
  const response = await tokenSignIn(server.url, token);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('snek_session='))!.split(';')[0]!;
  const page = await (await fetch(`${server.url}/`, { headers: { accept: HTML, cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([\w-]+)"/.exec(page)![1]! };
}

/** Percent-encodes like a browser, except that raw `%XX` runs in a value are sent as written (to send bad bytes). */
function encode(fields: ReadonlyArray<readonly [string, string]>): string {
  return fields.map(([key, value]) => `${encodeURIComponent(key)}=${value.startsWith('raw:') ? value.slice(4) : encodeURIComponent(value)}`).join('&');
}

interface Post {
  path: string;
  /** The form's fields; `csrf` and (for an edit or delete) `etag` are added unless given. */
  fields?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer | string;
  headers?: Record<string, string>;
  as?: 'writer' | 'reader' | 'nobody';
  chunked?: boolean;
  method?: string;
  noCsrf?: boolean;
  noEtag?: boolean;
  /** The field the page must mark with its error. */
  field?: string | undefined;
}

const SNEK_FIELDS = ['id', 'name', 'type', 'content'];
const snek = (overrides: Record<string, string> = {}) => Object.entries({ name: 'Hostile', type: 'hostile', content: 'art', ...overrides });
/** A post that changes one of the snek's fields (as text, not raw bytes) is refused beside that field. */
const fieldOf = (overrides: Record<string, string>) => {
  const keys = Object.keys(overrides);
  return keys.length === 1 && SNEK_FIELDS.includes(keys[0]!) && !overrides[keys[0]!]!.startsWith('raw:') ? keys[0] : undefined;
};
const create = (overrides: Record<string, string> = {}, extra: Partial<Post> = {}): Post => ({ path: '/new', fields: snek({ id: 'hostile', ...overrides }), field: fieldOf(overrides), ...extra });
const edit = (overrides: Record<string, string> = {}, extra: Partial<Post> = {}): Post => ({ path: '/s/cute/edit', fields: snek(overrides), field: fieldOf(overrides), ...extra });
/** A restore of cute's revision `{seq}` (filled in at request time), with the page's etag unless given. */
const RESTORE = '/s/cute/history/{seq}/restore';
const restore = (extra: Partial<Post> = {}): Post => ({ path: RESTORE, ...extra });

function request(post: Post): RawRequest {
  const who = post.as === 'nobody' ? undefined : post.as === 'reader' ? reader : writer;
  const fields: Array<readonly [string, string]> = [...(post.fields ?? [])];
  const named = (name: string) => fields.some(([key]) => key === name);
  if (!post.noCsrf && who && !named('csrf')) fields.unshift(['csrf', who.csrf]);
  if (!post.noEtag && post.path !== '/new' && !named('etag')) fields.push(['etag', cuteEtag]);
  const body = post.body ?? encode(fields);
  const path = post.path.replace('{seq}', String(cuteSeq)).replace('{deleteSeq}', String(deleteSeq));
  return { method: post.method ?? 'POST', path, headers: { accept: HTML, 'content-type': FORM, ...(who ? { cookie: who.cookie } : {}), ...post.headers }, body, ...(post.chunked ? { chunked: true } : {}) };
}

const HOSTILE: Record<string, Post> = {
  // The same rules as a PUT: each field's problem is a 400 beside the field.
  'an empty name': create({ name: '' }),
  'a 101-character name': create({ name: 'n'.repeat(101) }),
  'a newline in the name': create({ name: 'two\nlines' }),
  'an OSC title escape in the name': create({ name: '\u001b]0;pwned\u0007' }),
  'a type that is not a slug': create({ type: 'Not A Slug' }),
  'an empty type': create({ type: '' }),
  'empty content': create({ content: '' }),
  'content over 64 KiB': create({ content: 'x'.repeat(64 * 1024 + 1) }),
  'an ANSI colour escape in the art': create({ content: 'red \u001b[31malert' }),
  'an ANSI clear-screen in the art': create({ content: '\u001b[2J\u001b[H' }),
  'a bell in the art': create({ content: 'ding\u0007' }),
  'a lone carriage return in the art': create({ content: 'over\rwrite' }),
  'a NUL in the art': create({ content: 'a\u0000b' }),
  'DEL in the art': create({ content: 'a\u007fb' }),
  'a C1 CSI in the art': create({ content: 'a\u009b31mb' }),
  'a lone high surrogate in the art, as UTF-8 bytes': create({ content: 'raw:%ED%A0%80' }),
  'a lone low surrogate in the name, as UTF-8 bytes': create({ name: 'raw:%ED%B0%80' }),
  'invalid UTF-8 bytes': create({ content: 'raw:%FF%FE%C3' }),
  'an overlong UTF-8 encoding of "/"': create({ content: 'raw:%C0%AF' }),
  'a raw byte 0xFF in the body': create({}, { body: Buffer.concat([Buffer.from('name=n&type=t&id=x&content='), Buffer.from([0xff])]) }),
  // Ids: the create form's field, and the URL of an edit or delete.
  'an id of ..': create({ id: '..' }),
  'an id of ../x': create({ id: '../x' }),
  'an id with a slash': create({ id: 'a/b' }),
  'an id with a backslash': create({ id: 'a\\b' }),
  'an id with a NUL': create({ id: 'a\u0000b' }),
  'an upper-case id': create({ id: 'Cute' }),
  'a hidden-file id': create({ id: '.hidden' }),
  'a 65-character id': create({ id: 'x'.repeat(65) }),
  'a 10,000-character id': create({ id: 'x'.repeat(10_000) }),
  'a name that makes no id': create({ id: '', name: '!!!' }, { field: 'id' }),
  'an edit of %2e%2e': edit({}, { path: '/s/%2e%2e/edit' }),
  'an edit of ..%2f..%2fetc%2fpasswd': edit({}, { path: '/s/..%2f..%2fetc%2fpasswd/edit' }),
  'an edit of an upper-case id': edit({}, { path: '/s/Cute/edit' }),
  'an edit of a broken percent-encoding': edit({}, { path: '/s/%zz/edit' }),
  'a delete of ..%2fdata': { path: '/s/..%2fdata/delete' },
  // The form itself.
  'a field sent twice': create({}, { fields: [...snek({ id: 'hostile' }), ['name', 'again']] }),
  'the CSRF token sent twice': create({}, { fields: [['csrf', 'x'], ['csrf', 'y'], ...snek({ id: 'hostile' })] }),
  'a field the form does not have': create({ admin: 'true' }),
  'an id field on an edit': edit({ id: 'other' }, { field: undefined }),
  'content on a delete': { path: '/s/cute/delete', fields: [['content', 'x']] },
  'nine fields': create({ a: '1', b: '2', c: '3', d: '4' }),
  'bracket syntax': create({}, { fields: [['id', 'hostile'], ['name[]', 'x'], ['type', 't'], ['content', 'c']] }),
  // Sizes, content types and encodings.
  'a 10 MiB body with Content-Length': create({}, { body: Buffer.alloc(10 * 1024 * 1024, 0x61) }),
  'a 10 MiB chunked body': create({}, { body: Buffer.alloc(10 * 1024 * 1024, 0x61), chunked: true }),
  'a gzip bomb: 10 KiB that inflates to 10 MiB': create({}, { body: gzipSync(`content=${'x'.repeat(10 * 1024 * 1024)}`), headers: { 'content-encoding': 'gzip' } }),
  'gzip that is not gzip': create({}, { body: 'not gzip at all', headers: { 'content-encoding': 'gzip' } }),
  'an unknown content encoding': create({}, { headers: { 'content-encoding': 'snekzip' } }),
  'text/plain': create({}, { headers: { 'content-type': 'text/plain' } }),
  'JSON': create({}, { body: JSON.stringify({ name: 'n', type: 't', content: 'c' }), headers: { 'content-type': 'application/json' } }),
  'multipart': create({}, { body: '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nn\r\n--b--', headers: { 'content-type': 'multipart/form-data; boundary=b' } }),
  'no content type': create({}, { headers: { 'content-type': '' } }),
  'a form declared as UTF-16': create({}, { headers: { 'content-type': `${FORM}; charset=utf-16` } }),
  // ETags: the one the page was made with, or the write is refused.
  'an edit without its etag': edit({}, { noEtag: true }),
  'an edit with an etag that is not quoted': edit({ etag: 'abc' }),
  'an edit with a weak etag': edit({ etag: 'W/"abc"' }),
  'an edit with etag *': edit({ etag: '*' }),
  'an edit with a list of etags': edit({ etag: '"a", "b"' }),
  'an edit with a 200-character etag': edit({ etag: `"${'a'.repeat(198)}"` }),
  'an edit with a stale etag: a conflict page': edit({ etag: '"stale"' }),
  'an edit of a snek that is not there: a conflict page': edit({}, { path: '/s/nosuch/edit' }),
  'a create of an id that exists: a conflict page': create({ id: 'cute' }, { field: undefined }),
  'a delete without its etag': { path: '/s/cute/delete', noEtag: true },
  'a delete with etag *': { path: '/s/cute/delete', fields: [['etag', '*']] },
  'a delete with a stale etag: asked again': { path: '/s/cute/delete', fields: [['etag', '"stale"']] },
  'a delete of a snek that is not there': { path: '/s/nosuch/delete' },
  // Who sends it, and from where.
  'no CSRF token': create({}, { noCsrf: true }),
  'a wrong CSRF token': create({}, { fields: [['csrf', 'wrong'], ...snek({ id: 'hostile' })] }),
  'a 5,000-character CSRF token': create({}, { fields: [['csrf', 'c'.repeat(5000)], ...snek({ id: 'hostile' })] }),
  'an edit without a CSRF token': edit({}, { noCsrf: true }),
  'a delete without a CSRF token': { path: '/s/cute/delete', noCsrf: true },
  'Sec-Fetch-Site: cross-site': create({}, { headers: { 'sec-fetch-site': 'cross-site' } }),
  'Sec-Fetch-Site: same-site': edit({}, { headers: { 'sec-fetch-site': 'same-site' } }),
  'Origin of another site': create({}, { headers: { origin: 'http://evil.test' } }),
  'Origin: null': { path: '/s/cute/delete', headers: { origin: 'null' } },
  'no session': create({}, { as: 'nobody' }),
  'a tampered session cookie': create({}, { as: 'nobody', headers: { cookie: 'snek_session=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC' } }),
  'a reader’s create, with the reader’s own CSRF token': create({}, { as: 'reader' }),
  'a reader’s edit, with the reader’s own CSRF token': edit({}, { as: 'reader' }),
  'a reader’s delete, with the reader’s own CSRF token': { path: '/s/cute/delete', as: 'reader' },
  'a bearer token instead of a session': create({}, { as: 'nobody', headers: { authorization: `Bearer ${WRITER}` } }),
  // The history page's restore button: the same guard, and the revision and the ETag must be the page's.
  'a restore without its etag': restore({ noEtag: true }),
  'a restore with etag *': restore({ fields: [['etag', '*']] }),
  'a restore with a weak etag': restore({ fields: [['etag', 'W/"abc"']] }),
  'a restore with a list of etags': restore({ fields: [['etag', '"a", "b"']] }),
  'a restore with a stale etag: a conflict page': restore({ fields: [['etag', '"stale"']] }),
  'a restore with no etag over a snek that exists: a conflict page': restore({ fields: [['etag', '']] }),
  'a restore with the etag sent twice': restore({ fields: [['etag', '"a"'], ['etag', '"b"']] }),
  'a restore with art in the form': restore({ fields: [['content', 'pwned']] }),
  'a restore of a revision that is not there': restore({ path: '/s/cute/history/999999999999/restore' }),
  'a restore of another snek’s revision': restore({ path: '/s/fancy/history/{seq}/restore' }),
  'a restore of a delete': restore({ path: '/s/hostile-gone/history/{deleteSeq}/restore', fields: [['etag', '']] }),
  'a restore of revision 0': restore({ path: '/s/cute/history/0/restore' }),
  'a restore of revision -1': restore({ path: '/s/cute/history/-1/restore' }),
  'a restore of revision 1e3': restore({ path: '/s/cute/history/1e3/restore' }),
  'a restore of a 16-digit revision': restore({ path: '/s/cute/history/9999999999999999/restore' }),
  'a restore of revision %2e%2e': restore({ path: '/s/cute/history/%2e%2e/restore' }),
  'a restore of ..%2f..%2fetc': restore({ path: '/s/..%2f..%2fetc/history/{seq}/restore' }),
  'a restore without a CSRF token': restore({ noCsrf: true }),
  'a restore with a wrong CSRF token': restore({ fields: [['csrf', 'wrong']] }),
  'a restore from another site': restore({ headers: { 'sec-fetch-site': 'cross-site' } }),
  'a restore with Origin of another site': restore({ headers: { origin: 'http://evil.test' } }),
  'a reader’s restore, with the reader’s own CSRF token': restore({ as: 'reader' }),
  'a restore with no session': restore({ as: 'nobody' }),
  'a restore as JSON': restore({ body: JSON.stringify({ etag: '"x"' }), headers: { 'content-type': 'application/json' } }),
  'PUT of a restore': restore({ method: 'PUT' }),
  'GET of a restore': restore({ method: 'GET', body: '' }),
  // Methods the editor does not take.
  'PUT /new': create({}, { method: 'PUT' }),
  'DELETE /s/cute/edit': edit({}, { method: 'DELETE' }),
  'PATCH /s/cute/delete': { path: '/s/cute/delete', method: 'PATCH' },
};

/** The sneks as served and every file of the store, beside every path in the server's folder. */
async function snapshot() {
  const sneks = await (await fetch(`${server.url}/v1/sneks?limit=500`, { headers: { authorization: `Bearer ${WRITER}` } })).text();
  const data = path.join(server.dir, 'data');
  const files = (await readdir(data, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort();
  const records = await Promise.all(files.map(async (name) => `${name}:${await readFile(path.join(data, name), 'utf8')}`));
  return { sneks, records, root: (await readdir(server.dir, { recursive: true })).sort() };
}

/** The seq of a snek's newest revision. */
async function newestSeq(id: string): Promise<number> {
  const response = await fetch(`${server.url}/v1/sneks/${id}/revisions?limit=1`, { headers: { authorization: `Bearer ${WRITER}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Array<{ seq: number }> }).items[0]!.seq;
}

describe('hostile input to the editor’s forms', () => {
  let before: Awaited<ReturnType<typeof snapshot>>;
  beforeAll(async () => {
    server = await startTestServer({ snekrc: SNEKRC, env: { SNEK_ADMIN_TOKEN: '' } });
    [writer, reader] = await Promise.all([signIn(WRITER), signIn(READER)]);
    const asWriter = { authorization: `Bearer ${WRITER}` };
    cuteEtag = (await fetch(`${server.url}/v1/sneks/cute`, { headers: asWriter })).headers.get('etag')!;
    cuteSeq = await newestSeq('cute');
    await fetch(`${server.url}/v1/sneks/hostile-gone`, { method: 'PUT', headers: { ...asWriter, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Gone', type: 'hostile', content: 'x' }) });
    await fetch(`${server.url}/v1/sneks/hostile-gone`, { method: 'DELETE', headers: asWriter });
    deleteSeq = await newestSeq('hostile-gone');
    before = await snapshot();
  });
  afterAll(() => server.stop());

  it(`has at least 60 posts (${Object.keys(HOSTILE).length})`, () => {
    expect(Object.keys(HOSTILE).length).toBeGreaterThanOrEqual(60);
  });

  it.each(Object.entries(HOSTILE))('%s → 4xx, a page or a line of text, never a 5xx', async (label, post) => {
    const response = await rawRequest(server.url, request(post));
    expect([label, response.status >= 400 && response.status < 500]).toEqual([label, true]);
    expect([label, response.contentType]).toEqual([label, expect.stringMatching(/^text\/(html|plain)|^application\/problem\+json/)]);
    if (post.field) expect([label, response.body]).toEqual([label, expect.stringContaining(`id="${post.field}-error"`)]);
    // No page echoes a token or shows a stack.
    expect(response.body).not.toContain(WRITER);
    expect(response.body).not.toMatch(/\n\s+at /);
  });

  it('leaves the server alive, the sneks and the store’s files unchanged, and nothing new in its folder', async () => {
    expect((await rawRequest(server.url, { method: 'GET', path: '/healthz' })).status).toBe(200);
    expect(await snapshot()).toEqual(before);
    // The same posts made right do write, so the refusals above were not vacuous.
    const created = await rawRequest(server.url, request(create()));
    const edited = await rawRequest(server.url, request(edit()));
    expect([created.status, edited.status]).toEqual([303, 303]);
    const deleted = await rawRequest(server.url, request({ path: '/s/hostile/delete', fields: [['etag', (await fetch(`${server.url}/v1/sneks/hostile`, { headers: { authorization: `Bearer ${WRITER}` } })).headers.get('etag')!]] }));
    expect(deleted.status).toBe(303);
    cuteEtag = (await fetch(`${server.url}/v1/sneks/cute`, { headers: { authorization: `Bearer ${WRITER}` } })).headers.get('etag')!;
    const restored = await rawRequest(server.url, request(restore()));
    expect(restored.status).toBe(303);
    expect(await newestSeq('cute')).toBeGreaterThan(cuteSeq);
  });
});
