import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeCursor, prepareSearch, rankSneks, type Snek } from '@snek/core';
import { withClient } from '../../store-postgres/test/helpers/test-schemas.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';
import { rawRequest, rawSocket, type RawRequest, type RawResponse } from './helpers/raw-http.js';
import { BUILT_IN_STORES, POSTGRES_TEST_SCHEMA, dropBuiltInStoreData } from './helpers/store-configs.js';

// Every request here is wrong in some way. Each must get a 4xx problem+json, none a 5xx, and nothing may change.
const READER = 'reader-token-value';
const WRITER = 'writer-token-value';
const AUDITOR = 'auditor-token-value';
const AUTH = `  auth:
    tokens:
      - { name: reader, env: HOSTILE_READER, scopes: [read] }
      - { name: writer, env: HOSTILE_WRITER, scopes: [read, write] }
      - { name: auditor, env: HOSTILE_AUDITOR, scopes: [admin] }
`;
// fs shows any file a request could make or reach; postgres runs the same requests through SQL; memory keeps a change
// log, so the history routes get past the store to their own checks.
const STORES: Record<string, string> = { fs: BUILT_IN_STORES.fs, memory: BUILT_IN_STORES.memory, ...(BUILT_IN_STORES.postgres ? { postgres: BUILT_IN_STORES.postgres } : {}) };

const json = { 'content-type': 'application/json' };
const asWriter = { authorization: `Bearer ${WRITER}` };
const put = (id: string, body: RawRequest['body'], headers: Record<string, string> = {}): RawRequest => ({ method: 'PUT', path: `/v1/sneks/${id}`, headers: { ...json, ...asWriter, ...headers }, ...(body === undefined ? {} : { body }) });
const putSnek = (id: string, snek: object) => put(id, JSON.stringify(snek));
const valid = { name: 'Valid', type: 'valid', content: 'art\n' };
const get = (p: string, headers: Record<string, string> = {}): RawRequest => ({ method: 'GET', path: p, headers });
const restore = (p: string, headers: Record<string, string> = asWriter): RawRequest => ({ method: 'POST', path: `/v1/sneks/${p}/restore`, headers });
const asAuditor = { authorization: `Bearer ${AUDITOR}` };
const revisionCursor = (text: string) => Buffer.from(text).toString('base64url');
/** A sorted or search cursor made by hand, in the shape page-cursor.ts reads: each one wrong in one field. */
const pageCursor = (fields: object) => Buffer.from(JSON.stringify(fields)).toString('base64url');

const HOSTILE: Record<string, RawRequest> = {
  // Malformed JSON, wrong types, missing fields.
  'truncated JSON': put('x', '{"name": "x", "type'),
  'a lone brace': put('x', '{'),
  'JSON null': put('x', 'null'),
  'a JSON array': put('x', '[]'),
  'a JSON string': put('x', '"snek"'),
  'a JSON number': put('x', '42'),
  'trailing garbage': put('x', '{"name":"n","type":"t","content":"c"}xyz'),
  'NaN literal': put('x', '{"name":"n","type":"t","content":NaN}'),
  'single quotes': put('x', "{'name':'n','type':'t','content':'c'}"),
  'an empty body': put('x', ''),
  'name is a number': putSnek('x', { ...valid, name: 42 }),
  'content is an object': putSnek('x', { ...valid, content: { art: 'x' } }),
  'type is null': putSnek('x', { ...valid, type: null }),
  'content is missing': putSnek('x', { name: 'n', type: 't' }),
  'name is missing': putSnek('x', { type: 't', content: 'c' }),
  'an unknown field': putSnek('x', { ...valid, admin: true }),
  'a body id that differs from the URL': putSnek('x', { ...valid, id: 'y' }),
  'an empty name': putSnek('x', { ...valid, name: '' }),
  'a 101-character name': putSnek('x', { ...valid, name: 'n'.repeat(101) }),
  'a type that is not a slug': putSnek('x', { ...valid, type: 'Not A Slug' }),
  'empty content': putSnek('x', { ...valid, content: '' }),
  'content over 64 KiB': putSnek('x', { ...valid, content: 'x'.repeat(64 * 1024 + 1) }),
  // Sizes, content types and encodings.
  'a 10 MiB body with Content-Length': put('x', Buffer.alloc(10 * 1024 * 1024, 0x61)),
  'a 10 MiB chunked body': { ...put('x', Buffer.alloc(10 * 1024 * 1024, 0x61)), chunked: true },
  'a gzip bomb: 1 KiB that inflates to 10 MiB': put('x', gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20)), { 'content-encoding': 'gzip' }),
  'gzip that is not gzip': put('x', 'not gzip at all', { 'content-encoding': 'gzip' }),
  'an unknown content encoding': put('x', JSON.stringify(valid), { 'content-encoding': 'snekzip' }),
  'text/plain': put('x', JSON.stringify(valid), { 'content-type': 'text/plain' }),
  'a form': put('x', 'name=n&type=t&content=c', { 'content-type': 'application/x-www-form-urlencoded' }),
  'multipart': put('x', '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nn\r\n--b--', { 'content-type': 'multipart/form-data; boundary=b' }),
  'no content type': { method: 'PUT', path: '/v1/sneks/x', headers: asWriter, body: JSON.stringify(valid) },
  'JSON declared as UTF-16': put('x', JSON.stringify(valid), { 'content-type': 'application/json; charset=utf-16' }),
  'invalid UTF-8 bytes': put('x', Buffer.concat([Buffer.from('{"name":"n","type":"t","content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])),
  'an overlong UTF-8 encoding of "/"': put('x', Buffer.concat([Buffer.from('{"name":"n","type":"t","content":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])),
  // Path traversal and bad ids.
  'GET ..': get('/v1/sneks/..'),
  'GET %2e%2e': get('/v1/sneks/%2e%2e'),
  'GET %2e%2e%2f': get('/v1/sneks/%2e%2e%2f'),
  'GET ..%2f..%2fetc%2fpasswd': get('/v1/sneks/..%2f..%2fetc%2fpasswd'),
  'PUT %2e%2e%2fescape': putSnek('%2e%2e%2fescape', valid),
  'PUT a/b': putSnek('a/b', valid),
  'PUT a%2fb': putSnek('a%2fb', valid),
  'PUT a backslash, encoded': putSnek('a%5cb', valid),
  'PUT a backslash, raw': putSnek('a\\b', valid),
  'PUT a NUL, encoded': putSnek('a%00b', valid),
  'PUT a 65-character id': putSnek('x'.repeat(65), valid),
  'PUT a 10,000-character id': putSnek('x'.repeat(10_000), valid),
  'PUT an upper-case id': putSnek('Cute', valid),
  'PUT a hidden-file id': putSnek('.hidden', valid),
  'PUT a broken percent-encoding': putSnek('%zz', valid),
  'DELETE ..%2fdata': { method: 'DELETE', path: '/v1/sneks/..%2fdata', headers: asWriter },
  // Control characters, ANSI escapes, broken Unicode.
  'an ANSI colour escape in the art': putSnek('x', { ...valid, content: 'red \u001b[31malert' }),
  'an ANSI clear-screen in the art': putSnek('x', { ...valid, content: '\u001b[2J\u001b[H' }),
  'an OSC title escape in the name': putSnek('x', { ...valid, name: '\u001b]0;pwned\u0007' }),
  'a bell in the art': putSnek('x', { ...valid, content: 'ding\u0007' }),
  'a carriage return in the art': putSnek('x', { ...valid, content: 'over\rwrite' }),
  'a NUL in the art': putSnek('x', { ...valid, content: 'a\u0000b' }),
  'DEL in the art': putSnek('x', { ...valid, content: 'a\u007fb' }),
  'a C1 CSI in the art': putSnek('x', { ...valid, content: 'a\u009b31mb' }),
  'a newline in the name': putSnek('x', { ...valid, name: 'two\nlines' }),
  'a lone high surrogate in the art': put('x', '{"name":"n","type":"t","content":"\\ud800"}'),
  'a lone low surrogate in the name': put('x', '{"name":"\\udc00","type":"t","content":"c"}'),
  // Query strings.
  'a 20 KB query string': get(`/v1/sneks?name=${'n'.repeat(20_000)}`),
  'a 10 KB name filter': get(`/v1/sneks?name=${'n'.repeat(10_000)}`),
  'a repeated type': get('/v1/sneks?type=a&type=b'),
  'a repeated limit': get('/v1/sneks?limit=1&limit=2'),
  'limit 0': get('/v1/sneks?limit=0'),
  'limit -1': get('/v1/sneks?limit=-1'),
  'limit 501': get('/v1/sneks?limit=501'),
  'limit 1e3': get('/v1/sneks?limit=1e3'),
  'an empty limit': get('/v1/sneks?limit='),
  'an unknown parameter': get('/v1/sneks?admin=1'),
  'bracket syntax': get('/v1/sneks?name[]=x'),
  'a repeated legacy name': get('/sneks?name=a&name=b'),
  // Cursors.
  'a garbage cursor': get('/v1/sneks?cursor=garbage!'),
  'a base64 cursor of another shape': get(`/v1/sneks?cursor=${Buffer.from('b:cute').toString('base64url')}`),
  'an empty cursor': get('/v1/sneks?cursor='),
  'a 600-character cursor': get(`/v1/sneks?cursor=${encodeCursor('x'.repeat(400))}`),
  'a truncated cursor': get(`/v1/sneks?cursor=${encodeCursor('cute').slice(0, 3)}`),
  // Search, sort and their cursors.
  'an empty search': get('/v1/sneks?q='),
  'a 101-character search': get(`/v1/sneks?q=${'q'.repeat(101)}`),
  'a 10 KB search': get(`/v1/sneks?q=${'q'.repeat(10_000)}`),
  'a NUL in a search': get('/v1/sneks?q=a%00b'),
  'an ANSI escape in a search': get('/v1/sneks?q=%1B%5B31m'),
  'a newline in a search': get('/v1/sneks?q=two%0Alines'),
  'DEL in a search': get('/v1/sneks?q=a%7Fb'),
  'a repeated search': get('/v1/sneks?q=a&q=b'),
  'bracket syntax in a search': get('/v1/sneks?q[]=a'),
  'a search as an object': get('/v1/sneks?q[a]=b'),
  'a search with a sort': get('/v1/sneks?q=snek&sort=name'),
  'a search with a name': get('/v1/sneks?q=snek&name=cute'),
  'a search with a type that is not a slug': get('/v1/sneks?q=snek&type=..%2F..'),
  'an unknown sort': get('/v1/sneks?sort=size'),
  'an upper-case sort': get('/v1/sneks?sort=NAME'),
  'an empty sort': get('/v1/sneks?sort='),
  'a repeated sort': get('/v1/sneks?sort=id&sort=name'),
  'a sort with a name': get('/v1/sneks?sort=name&name=cute'),
  'a sorted cursor of another sort': get(`/v1/sneks?sort=id&cursor=${pageCursor({ s: 'name', d: 'a', k: 'cute', i: 'cute', o: 0 })}`),
  'a sorted cursor given to a search': get(`/v1/sneks?q=cute&cursor=${pageCursor({ s: 'name', d: 'a', k: 'cute', i: 'cute', o: 0 })}`),
  'a search cursor given to a sorted list': get(`/v1/sneks?sort=name&cursor=${pageCursor({ s: 'q', h: 'x', t: 0, c: 1, k: 'cute', i: 'cute', o: 0 })}`),
  'a search cursor of another search': get(`/v1/sneks?q=cute&cursor=${pageCursor({ s: 'q', h: 'not-this-one', t: 0, c: 1, k: 'cute', i: 'cute', o: 0 })}`),
  'a sorted cursor with no direction': get(`/v1/sneks?sort=name&cursor=${pageCursor({ s: 'name', k: 'cute', i: 'cute', o: 0 })}`),
  'a sorted cursor with a negative offset': get(`/v1/sneks?sort=name&cursor=${pageCursor({ s: 'name', d: 'b', k: 'cute', i: 'cute', o: -1 })}`),
  'a sorted cursor with a huge offset': get(`/v1/sneks?sort=name&cursor=${pageCursor({ s: 'name', d: 'a', k: 'cute', i: 'cute', o: 1e300 })}`),
  'a sorted cursor whose id is a path': get(`/v1/sneks?sort=name&cursor=${pageCursor({ s: 'name', d: 'a', k: 'cute', i: '../../etc/passwd', o: 0 })}`),
  'a sorted cursor whose key is a number': get(`/v1/sneks?sort=name&cursor=${pageCursor({ s: 'name', d: 'a', k: 7, i: 'cute', o: 0 })}`),
  'an updated cursor whose key is text': get(`/v1/sneks?sort=updated&cursor=${pageCursor({ s: 'updated', d: 'a', k: 'latest', i: 'cute', o: 0 })}`),
  'an updated cursor past 2^53': get(`/v1/sneks?sort=updated&cursor=${pageCursor({ s: 'updated', d: 'a', k: 2 ** 60, i: 'cute', o: 0 })}`),
  'an id cursor whose key is not a slug': get(`/v1/sneks?sort=id&cursor=${pageCursor({ s: 'id', d: 'a', k: "' OR 1=1 --", i: 'cute', o: 0 })}`),
  'a sorted cursor with a lone surrogate key': get(`/v1/sneks?sort=name&cursor=${Buffer.from('{"s":"name","d":"a","k":"\\ud800","i":"cute","o":0}').toString('base64url')}`),
  'a search cursor with a rank of 5': get(`/v1/sneks?q=cute&cursor=${pageCursor({ s: 'q', h: 'x', t: 5, c: 1, k: 'cute', i: 'cute', o: 0 })}`),
  'a cursor of JSON that is an array': get(`/v1/sneks?sort=name&cursor=${Buffer.from('[1,2]').toString('base64url')}`),
  'a cursor of JSON null': get(`/v1/sneks?sort=name&cursor=${Buffer.from('null').toString('base64url')}`),
  'a cursor that is not JSON': get(`/v1/sneks?sort=name&cursor=${Buffer.from('{"s":').toString('base64url')}`),
  'a 3,000-character cursor': get(`/v1/sneks?sort=name&cursor=${'A'.repeat(3000)}`),
  'a name cursor given to a name lookup': get(`/v1/sneks?name=cute&cursor=${pageCursor({ s: 'name', d: 'a', k: 'cute', i: 'cute', o: 0 })}`),
  // Tokens.
  'a write without a token': { ...putSnek('x', valid), headers: json },
  'a write with a wrong token': putSnek('x', valid, ),
  'a write with a read-only token': { ...putSnek('x', valid), headers: { ...json, authorization: `Bearer ${READER}` } },
  'a delete with a read-only token': { method: 'DELETE', path: '/v1/sneks/cute', headers: { authorization: `Bearer ${READER}` } },
  'Basic instead of Bearer': { ...putSnek('x', valid), headers: { ...json, authorization: `Basic ${Buffer.from(`u:${WRITER}`).toString('base64')}` } },
  'Bearer with no token': { ...putSnek('x', valid), headers: { ...json, authorization: 'Bearer' } },
  'a token with a space in it': { ...putSnek('x', valid), headers: { ...json, authorization: `Bearer ${WRITER} extra` } },
  'a 5,000-character token': { ...putSnek('x', valid), headers: { ...json, authorization: `Bearer ${'t'.repeat(5000)}` } },
  // History: seqs, pages and cursors.
  'a revision seq of 0': get('/v1/sneks/cute/revisions/0'),
  'a negative revision seq': get('/v1/sneks/cute/revisions/-1'),
  'a revision seq past 2^53': get('/v1/sneks/cute/revisions/9007199254740993'),
  'a 10,000-digit revision seq': get(`/v1/sneks/cute/revisions/${'9'.repeat(10_000)}`),
  'a revision seq in hex': get('/v1/sneks/cute/revisions/0x10'),
  'a revision seq with an exponent': get('/v1/sneks/cute/revisions/1e3'),
  'a fractional revision seq': get('/v1/sneks/cute/revisions/1.5'),
  'a revision seq that is a word': get('/v1/sneks/cute/revisions/latest'),
  'a revision no snek has': get('/v1/sneks/cute/revisions/999999'),
  'revisions of an id that is not a slug': get('/v1/sneks/..%2f..%2fetc/revisions'),
  'revisions of an id that does not decode': get('/v1/sneks/%zz/revisions'),
  'a revision of an id that does not decode': get('/v1/sneks/%zz/revisions/1'),
  'revisions of a snek that never was': get('/v1/sneks/never-was/revisions'),
  'a huge revisions limit': get('/v1/sneks/cute/revisions?limit=1000000000000'),
  'a revisions limit of 0': get('/v1/sneks/cute/revisions?limit=0'),
  'a revisions limit of 501': get('/v1/sneks/cute/revisions?limit=501'),
  'a repeated revisions limit': get('/v1/sneks/cute/revisions?limit=1&limit=2'),
  'a garbage revisions cursor': get('/v1/sneks/cute/revisions?cursor=garbage!'),
  'a list cursor given to revisions': get(`/v1/sneks/cute/revisions?cursor=${encodeCursor('cute')}`),
  'a revisions cursor of seq 0': get(`/v1/sneks/cute/revisions?cursor=${revisionCursor('b:0')}`),
  'a revisions cursor with a leading zero': get(`/v1/sneks/cute/revisions?cursor=${revisionCursor('b:01')}`),
  'a 1,000-character revisions cursor': get(`/v1/sneks/cute/revisions?cursor=${'A'.repeat(1000)}`),
  'an unknown revisions parameter': get('/v1/sneks/cute/revisions?after=1'),
  // Restores.
  'a restore without a token': restore('cute/revisions/1', {}),
  'a restore with a wrong token': restore('cute/revisions/1', { authorization: 'Bearer not-a-real-token' }),
  'a restore with a read-only token': restore('cute/revisions/1', { authorization: `Bearer ${READER}` }),
  'a restore with an admin-only token': restore('cute/revisions/1', asAuditor),
  'a restore with a malformed If-Match': restore('cute/revisions/1', { ...asWriter, 'if-match': 'not-quoted' }),
  'a restore with an unterminated If-Match': restore('cute/revisions/1', { ...asWriter, 'if-match': '"abc' }),
  'a restore with a malformed If-None-Match': restore('cute/revisions/1', { ...asWriter, 'if-none-match': 'W/abc' }),
  'a restore with a stale If-Match': restore('cute/revisions/1', { ...asWriter, 'if-match': '"stale"' }),
  'a restore with If-None-Match: * over a snek': restore('cute/revisions/1', { ...asWriter, 'if-none-match': '*' }),
  'a restore of seq 0': restore('cute/revisions/0'),
  'a restore of a seq past 2^53': restore('cute/revisions/99999999999999999999'),
  'a restore of a revision no snek has': restore('cute/revisions/999999'),
  'a restore of an id that does not decode': restore('%zz/revisions/1'),
  'a restore of an id that is not a slug': restore('..%2fescape/revisions/1'),
  'a restore of a 65-character id': restore(`${'x'.repeat(65)}/revisions/1`),
  'a GET of the restore route': get('/v1/sneks/cute/revisions/1/restore'),
  'a PUT to a revision': { method: 'PUT', path: '/v1/sneks/cute/revisions/1', headers: { ...json, ...asWriter }, body: JSON.stringify(valid) },
  // The audit log.
  'the audit log without a token': get('/v1/changes'),
  'the audit log with a wrong token': get('/v1/changes', { authorization: 'Bearer not-a-real-token' }),
  'the audit log with a read-only token': get('/v1/changes', { authorization: `Bearer ${READER}` }),
  'the audit log with a writer token': get('/v1/changes', asWriter),
  'an audit log after -1': get('/v1/changes?after=-1', asAuditor),
  'an audit log after that is a word': get('/v1/changes?after=start', asAuditor),
  'an audit log after past 2^53': get('/v1/changes?after=99999999999999999999', asAuditor),
  'an audit log limit of 0': get('/v1/changes?limit=0', asAuditor),
  'an audit log limit of 1001': get('/v1/changes?limit=1001', asAuditor),
  'a huge audit log limit': get('/v1/changes?limit=1000000000000', asAuditor),
  'a repeated audit log after': get('/v1/changes?after=1&after=2', asAuditor),
  'an audit log cursor': get('/v1/changes?cursor=abc', asAuditor),
  'a POST to the audit log': { method: 'POST', path: '/v1/changes', headers: { ...json, ...asAuditor }, body: '{}' },
  // The change stream: every bad resume point or filter is refused before the stream opens.
  'a stream after -1': get('/v1/changes/stream?after=-1'),
  'a stream after that is a word': get('/v1/changes/stream?after=now'),
  'a stream after past 2^53': get('/v1/changes/stream?after=99999999999999999999'),
  'a repeated stream after': get('/v1/changes/stream?after=1&after=2'),
  'a stream of a type that is not a slug': get('/v1/changes/stream?type=..%2F..'),
  'a stream of a 65-character type': get(`/v1/changes/stream?type=${'t'.repeat(65)}`),
  'an unknown stream parameter': get('/v1/changes/stream?id=cute'),
  'a Last-Event-ID that is a word': get('/v1/changes/stream', { 'last-event-id': 'latest' }),
  'a negative Last-Event-ID': get('/v1/changes/stream', { 'last-event-id': '-5' }),
  'a 10,000-digit Last-Event-ID': get('/v1/changes/stream', { 'last-event-id': '9'.repeat(10_000) }),
  'a POST to the stream': { method: 'POST', path: '/v1/changes/stream', headers: { ...json, ...asWriter }, body: '{}' },
  // Routes and methods that do not exist.
  'POST to the collection': { method: 'POST', path: '/v1/sneks', headers: { ...json, ...asWriter }, body: JSON.stringify(valid) },
  'PATCH a snek': { method: 'PATCH', path: '/v1/sneks/cute', headers: { ...json, ...asWriter }, body: '{}' },
  'an unknown route': get('/admin'),
};
HOSTILE['a write with a wrong token'] = { ...putSnek('x', valid), headers: { ...json, authorization: 'Bearer not-a-real-token' } };

// Searches that are not wrong: each character is literal. The sneks below carry some of them, so results are not all empty.
const SEARCHES = ['%', '_', '%%', 'a%b', "'", '"', "' OR '1'='1", "'; DROP TABLE sneks; --", '\\', '\\%', '.*', '^$', '(a|b)+', '[', '\\d', '$1', '{{x}}', '*', '?', '\u2028 line separator', 'ſ', 'İ', '🐍', 'x'.repeat(100)];
const SEARCH_SNEKS = [{ id: 'percent', name: '100% snek' }, { id: 'underscore', name: 'snek_case' }, { id: 'quoted', name: `O'Snek "the" \\ one` }, { id: 'regexy', name: 'a.*b (a|b)+ [x] $1' }];

const RAW: Record<string, string> = {
  'a raw NUL in the path': 'GET /v1/sneks/a\u0000b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'a request line that is not HTTP': 'SNEK /v1/sneks\r\n\r\n',
  'a Content-Length that is not a number': 'PUT /v1/sneks/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: lots\r\nConnection: close\r\n\r\n{}',
};

/** The sneks as served, the change log as the audit log shows it, the store's own records, and every path in the server's folder. */
async function snapshot(server: TestServer & { dir: string }, store: string) {
  const sneks = (await rawRequest(server.url, get('/v1/sneks?limit=500'))).body;
  const changes = await rawRequest(server.url, get('/v1/changes?limit=1000', asAuditor));
  // A store without a change log answers 404 each time, with another requestId.
  const log = changes.status === 200 ? changes.body : changes.status;
  const records = store === 'postgres' ? await tableRows() : store === 'memory' ? [] : await dataFiles(path.join(server.dir, 'data'));
  return { sneks, log, records, root: (await readdir(server.dir, { recursive: true })).sort() };
}

async function dataFiles(data: string): Promise<string[]> {
  // Regular files only: the fs store's lock is a socket, and holds no snek.
  const files = (await readdir(data, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  return Promise.all(files.sort().map(async (name) => `${name}:${await readFile(path.join(data, name), 'utf8')}`));
}

function tableRows(): Promise<unknown[]> {
  const schema = `"${POSTGRES_TEST_SCHEMA}"`;
  return withClient(async (client) => [
    ...(await client.query(`SELECT id, name, type, content FROM ${schema}.sneks ORDER BY id`)).rows,
    ...(await client.query(`SELECT id FROM ${schema}.seeded_pack_sneks ORDER BY id`)).rows,
    ...(await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [POSTGRES_TEST_SCHEMA])).rows,
  ]);
}

afterAll(() => dropBuiltInStoreData());

function expectProblem4xx(label: string, response: RawResponse): void {
  const problem = response.contentType.startsWith('application/problem+json') ? (JSON.parse(response.body) as { status: number; code: string }) : undefined;
  expect({ label, status: response.status, problem: problem && { status: problem.status, code: typeof problem.code } }).toEqual({
    label,
    status: expect.any(Number),
    problem: { status: response.status, code: 'string' },
  });
  expect([label, response.status >= 400 && response.status < 500]).toEqual([label, true]);
}

describe.each(Object.keys(STORES))('hostile input to a server on the %s store', (store) => {
  let server: TestServer & { dir: string };
  let before: Awaited<ReturnType<typeof snapshot>>;
  beforeAll(async () => {
    server = await startTestServer({ snekrc: STORES[store]! + AUTH, env: { SNEK_ADMIN_TOKEN: '', HOSTILE_READER: READER, HOSTILE_WRITER: WRITER, HOSTILE_AUDITOR: AUDITOR } });
    // A snek written and deleted, so that its history ends in a delete revision.
    expect((await rawRequest(server.url, putSnek('gone', valid))).status).toBe(201);
    expect((await rawRequest(server.url, { method: 'DELETE', path: '/v1/sneks/gone', headers: asWriter })).status).toBe(204);
    for (const { id, name } of SEARCH_SNEKS) expect((await rawRequest(server.url, putSnek(id, { ...valid, name }))).status).toBe(201);
    before = await snapshot(server, store);
  });
  afterAll(() => server.stop());

  it(`has at least 60 requests (${Object.keys(HOSTILE).length + Object.keys(RAW).length})`, () => {
    expect(Object.keys(HOSTILE).length + Object.keys(RAW).length).toBeGreaterThanOrEqual(60);
  });

  it.each(Object.entries(HOSTILE))('%s → 4xx problem+json that /openapi.json documents', async (label, spec) => {
    const response = await rawRequest(server.url, spec);
    expectProblem4xx(label, response);
    await server.expectDocumented({ method: spec.method, path: spec.path, ...response });
  });

  it.each(Object.entries(RAW))('%s → 4xx problem+json that /openapi.json documents', async (label, bytes) => {
    const response = await rawSocket(server.url, bytes);
    expectProblem4xx(label, response);
    const [method = '', path = ''] = bytes.split(' ');
    await server.expectDocumented({ method, path, ...response });
  });

  it.each(SEARCHES)('search text %j, with characters SQL, LIKE or a regex would read → 200, exactly as rankSneks ranks it', async (q) => {
    const sneks = (JSON.parse(before.sneks) as { items: Snek[] }).items;
    const response = await rawRequest(server.url, get(`/v1/sneks?${new URLSearchParams({ q, limit: '500' })}`));
    expect([response.status, response.contentType]).toEqual([200, 'application/json; charset=utf-8']);
    const found = (JSON.parse(response.body) as { items: Snek[] }).items.map((snek) => snek.id);
    expect(found).toEqual(rankSneks(sneks, prepareSearch(q)).map((entry) => entry.snek.id));
  });

  it.each([['%ff', '\ufffd'], ['%ED%A0%80', '\ufffd\ufffd\ufffd'], ['%F0%9F%90', '\ufffd']])('search text of bytes that are not UTF-8 (%s) → 200, read as U+FFFD like every query parameter', async (raw, text) => {
    const sneks = (JSON.parse(before.sneks) as { items: Snek[] }).items;
    const response = await rawRequest(server.url, get(`/v1/sneks?limit=500&q=${raw}`));
    expect(response.status).toBe(200);
    expect((JSON.parse(response.body) as { items: Snek[] }).items.map((snek) => snek.id)).toEqual(rankSneks(sneks, prepareSearch(text)).map((entry) => entry.snek.id));
  });

  it('a restore of a delete revision → 400 REQUEST_INVALID (404 HISTORY_NOT_KEPT where the store keeps no log), documented', async () => {
    const history = await rawRequest(server.url, get('/v1/sneks/gone/revisions'));
    const kept = history.status === 200;
    const seq = kept ? (JSON.parse(history.body) as { items: Array<{ seq: number; op: string }> }).items[0]! : { seq: 2, op: 'delete' };
    expect(seq.op).toBe('delete');
    for (const headers of [asWriter, { ...asWriter, 'if-none-match': '*' }]) {
      const spec = restore(`gone/revisions/${seq.seq}`, headers);
      const response = await rawRequest(server.url, spec);
      expectProblem4xx('a restore of a delete revision', response);
      expect([response.status, (JSON.parse(response.body) as { code: string }).code]).toEqual(kept ? [400, 'REQUEST_INVALID'] : [404, 'HISTORY_NOT_KEPT']);
      await server.expectDocumented({ method: spec.method, path: spec.path, ...response });
    }
  });

  it('leaves the server alive, the sneks and the store\'s records unchanged, and nothing new in its folder', async () => {
    expect((await rawRequest(server.url, get('/healthz'))).status).toBe(200);
    expect(await snapshot(server, store)).toEqual(before);
    // The same valid write the hostile ones imitated does work, so the checks above were not vacuous.
    expect((await rawRequest(server.url, putSnek('x', valid))).status).toBe(201);
  });
});
