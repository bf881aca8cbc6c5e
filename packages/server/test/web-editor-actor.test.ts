import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { sessionKeys } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers/in-process.js';

// Who the store is told wrote, for each of the editor's writes: a person a sign-in provider vouched for. The
// recording store (a third-party store without conditional writes) appends the actor of every write to a file.
const RECORDING = fileURLToPath(new URL('./fixtures/stores/recording/', import.meta.url));
const KEY = 'editor-actor-session-key-0123456789abcdef';
const ENV = { SNEK_SESSION_KEYS: KEY };
const ALICE = { sub: 'corp|alice', name: 'Alice', email: 'alice@example.test', via: 'corp' };
const FORM = 'application/x-www-form-urlencoded';

let server: TestServer;
let log: TempDir;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  log = await tempDir('snek-editor-actor-');
  const snekrc = `server:\n  store: { use: ${RECORDING}, options: { log: ${path.join(log.path, 'writes.jsonl')} } }\n  packs: []\n  auth:\n    sessionKeysEnv: SNEK_SESSION_KEYS\n`;
  server = await startTestServer({ snekrc, env: ENV });
  // The session a provider's sign-in makes (startSession), sealed with the server's own keys.
  const keys = sessionKeys({ sessionKeysEnv: 'SNEK_SESSION_KEYS' }, ENV);
  const sealed = await keys.seal(ALICE, ['read', 'write']);
  cookie = `snek_session=${sealed.value}`;
  csrf = keys.csrfToken(sealed.session);
});
afterAll(async () => {
  await server?.stop();
  await log?.cleanup();
});

const post = (p: string, fields: Record<string, string>) =>
  fetch(server.url + p, { method: 'POST', redirect: 'manual', headers: { accept: 'text/html', cookie, 'content-type': FORM }, body: new URLSearchParams({ csrf, ...fields }) });
const etagOf = async (id: string) => (await server.request(`/v1/sneks/${id}`)).headers.get('etag')!;

describe('the actor of the editor’s writes', () => {
  it('is the signed-in person, for a create, an edit and a delete, through a store without conditional writes', async () => {
    expect((await post('/new', { id: 'by-alice', name: 'By Alice', type: 'cute', content: '~>' })).status).toBe(303);
    expect((await post('/s/by-alice/edit', { etag: await etagOf('by-alice'), name: 'By Alice', type: 'cute', content: '~~>' })).status).toBe(303);
    // A stale ETag writes nothing, so the store hears of no write.
    expect((await post('/s/by-alice/edit', { etag: '"stale"', name: 'By Alice', type: 'cute', content: 'lost?' })).status).toBe(409);
    expect((await post('/s/by-alice/delete', { etag: await etagOf('by-alice') })).status).toBe(303);
    const writes = (await readFile(path.join(log.path, 'writes.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as unknown);
    const actor = { kind: 'person', id: ALICE.sub, name: ALICE.name, email: ALICE.email, via: ALICE.via };
    expect(writes).toEqual([{ op: 'put', id: 'by-alice', actor }, { op: 'put', id: 'by-alice', actor }, { op: 'delete', id: 'by-alice', actor }]);
  });
});
