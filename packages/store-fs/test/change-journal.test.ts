import { appendFile, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Change } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import { CLEAN_CLOSE_FILE, FsSnekStore, JOURNAL_FILE } from '../src/index.js';
import { rejection } from '../../core/test/helpers/rejection.js';

let root: string;
let dir: string;
const open: FsSnekStore[] = [];
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-fs-journal-'));
  dir = path.join(root, 'data');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await rm(root, { recursive: true, force: true });
});

async function openStore(keep?: number): Promise<FsSnekStore> {
  const store = await FsSnekStore.open(dir, keep === undefined ? {} : { history: { keep } });
  open.push(store);
  return store;
}

async function reopen(store: FsSnekStore, keep?: number): Promise<FsSnekStore> {
  await store.close();
  return openStore(keep);
}

const journal = () => path.join(dir, JOURNAL_FILE);
const journalLines = async () => (await readFile(journal(), 'utf8')).split('\n').slice(0, -1);
const line = (change: Change) => `${JSON.stringify(change)}\n`;
const recordOf = async (id: string) => readFile(path.join(dir, `${id}.json`), 'utf8').then((text) => JSON.parse(text) as unknown, () => undefined);
const at = new Date().toISOString();

describe('the fs change journal', () => {
  it('holds each change as one JSON line, which the next open reads back; reads come from memory', async () => {
    let store = await openStore();
    // An actor keeps only the fields of the contract: what is read back after a restart is what was written.
    await store.put(sampleSnek('a'), { actor: { kind: 'person', id: 'sub-1', name: 'Ada', email: undefined, extra: 'dropped' } as never });
    await store.putMany([sampleSnek('b'), sampleSnek('c')], { actor: { kind: 'token', id: 'import' } });
    await store.delete('a');
    const changes = await store.changes();
    expect(changes.map((change) => [change.seq, change.id, change.op, change.actor])).toEqual([
      [1, 'a', 'put', { kind: 'person', id: 'sub-1', name: 'Ada' }],
      [2, 'b', 'put', { kind: 'token', id: 'import' }],
      [3, 'c', 'put', { kind: 'token', id: 'import' }],
      [4, 'a', 'delete', null],
    ]);
    expect((await journalLines()).map((text) => JSON.parse(text) as unknown)).toEqual(changes);
    store = await reopen(store);
    expect(await store.changes()).toEqual(changes);
    await rm(journal());
    expect(await store.changes()).toEqual(changes);
  });

  it('redoes at open the newest committed change of each id whose record a crash left behind', async () => {
    let store = await openStore();
    await store.put(sampleSnek('stale', { content: 'v1' }));
    await store.put(sampleSnek('doomed'));
    await store.put(sampleSnek('torn', { content: 'v1' }));
    await store.close();
    // As a kill leaves them after the journal's fsync and before the records are replaced.
    await appendFile(journal(), [
      line({ seq: 4, id: 'stale', op: 'put', snek: sampleSnek('stale', { content: 'v2' }), actor: null, at }),
      line({ seq: 5, id: 'doomed', op: 'delete', actor: null, at }),
      line({ seq: 6, id: 'fresh', op: 'put', snek: sampleSnek('fresh'), actor: null, at }),
      line({ seq: 7, id: 'torn', op: 'put', snek: sampleSnek('torn', { content: 'v2' }), actor: null, at }),
    ].join(''));
    await writeFile(path.join(dir, 'torn.json'), '{"id":"torn","na');
    store = await openStore();
    expect(await store.status()).toMatchObject({ redoneAtOpen: 4, skipped: 0, records: 3 });
    for (const [id, snek] of [['stale', sampleSnek('stale', { content: 'v2' })], ['doomed', undefined], ['fresh', sampleSnek('fresh')], ['torn', sampleSnek('torn', { content: 'v2' })]] as const) {
      expect([id, await store.get(id), await recordOf(id)]).toEqual([id, snek, snek]);
    }
    await store.put(sampleSnek('next'));
    expect((await store.latestChanges(['next']))[0]!.seq).toBe(8);
    store = await reopen(store);
    expect(await store.status()).toMatchObject({ redoneAtOpen: 0 });
  });

  it('after a clean close, takes from the journal each record whose newest change is a put, and reads the others', async () => {
    let store = await openStore();
    await store.put(sampleSnek('a'));
    await store.put(sampleSnek('gone'));
    await store.delete('gone');
    await store.close();
    expect(JSON.parse(await readFile(path.join(dir, CLEAN_CLOSE_FILE), 'utf8'))).toEqual({ journalBytes: (await readFile(journal())).length, lastSeq: 3 });
    // A record with no change (made before the log, or by hand) is read; a's file is not, so its damage goes unseen.
    await writeFile(path.join(dir, 'old.json'), JSON.stringify(sampleSnek('old')));
    await writeFile(path.join(dir, 'a.json'), '{"id":"a","na');
    store = await openStore();
    expect(await store.status()).toMatchObject({ records: 2, skipped: 0, redoneAtOpen: 0 });
    expect((await store.list()).items).toEqual([sampleSnek('a'), sampleSnek('old')]);
    await expect(readFile(path.join(dir, CLEAN_CLOSE_FILE))).rejects.toThrow();
    // Without the mark (a crash), every record is read, and redo rewrites a's from the journal.
    await store.put(sampleSnek('b'));
    await store.close();
    await rm(path.join(dir, CLEAN_CLOSE_FILE));
    store = await openStore();
    expect(await store.status()).toMatchObject({ records: 3, skipped: 0, redoneAtOpen: 1 });
    expect(await recordOf('a')).toEqual(sampleSnek('a'));
  });

  it('writes no clean-close mark when a record written since open cannot be fsynced, so the next open reads it', async () => {
    let store = await openStore();
    await store.put(sampleSnek('a'));
    await store.put(sampleSnek('b'));
    // A record that cannot be opened to sync (a symlink to itself): the mark would vouch for a file not durable.
    await rm(path.join(dir, 'b.json'));
    await symlink('b.json', path.join(dir, 'b.json'));
    await store.close();
    await expect(readFile(path.join(dir, CLEAN_CLOSE_FILE))).rejects.toThrow();
    await rm(path.join(dir, 'b.json'));
    store = await openStore();
    expect(await store.status()).toMatchObject({ records: 2, redoneAtOpen: 1 });
    expect(await recordOf('b')).toEqual(sampleSnek('b'));
  });

  it('reads every record when the journal is not as the clean close left it', async () => {
    let store = await openStore();
    await store.put(sampleSnek('a', { content: 'v1' }));
    await store.close();
    await appendFile(journal(), line({ seq: 2, id: 'a', op: 'put', snek: sampleSnek('a', { content: 'v2' }), actor: null, at }));
    await writeFile(path.join(dir, 'a.json'), '{"id":"a","na');
    store = await openStore();
    expect(await store.status()).toMatchObject({ redoneAtOpen: 1, skipped: 0 });
    expect([await store.get('a'), await recordOf('a')]).toEqual([sampleSnek('a', { content: 'v2' }), sampleSnek('a', { content: 'v2' })]);
  });

  it('cuts a torn last line off, as a kill during an append leaves it, and appends after it', async () => {
    let store = await openStore();
    await store.put(sampleSnek('a'));
    await store.close();
    await appendFile(journal(), '{"seq":2,"id":"b","op":"put","snek":{"id":"b","na');
    store = await openStore();
    expect((await store.changes()).map((change) => change.id)).toEqual(['a']);
    expect(await store.get('b')).toBeUndefined();
    expect(await readFile(journal(), 'utf8')).toMatch(/^\{[^\n]*\}\n$/);
    await store.put(sampleSnek('b'));
    store = await reopen(store);
    expect((await store.changes()).map((change) => [change.seq, change.id])).toEqual([[1, 'a'], [2, 'b']]);
  });

  it('refuses to open a journal with an unreadable line before whole ones, which no crash leaves, naming the file and line', async () => {
    const store = await openStore();
    await store.put(sampleSnek('a'));
    await store.put(sampleSnek('b'));
    await store.close();
    const [first, second] = await journalLines();
    await writeFile(journal(), `${first}\nnot a change\n${second}\n`);
    const error = await rejection(() => FsSnekStore.open(dir));
    expect([error.code, error.message]).toEqual(['STORE_INIT_FAILED', expect.stringContaining(`${journal()} has an unreadable line 2`)]);
    // Seq going back is an edit too.
    await writeFile(journal(), `${second}\n${first}\n${second}\n`);
    expect((await rejection(() => FsSnekStore.open(dir))).code).toBe('STORE_INIT_FAILED');
  });

  it('compacts the journal, not on every write, once retention has dropped as many changes as it keeps; seq goes on', async () => {
    let store = await openStore(2);
    for (let i = 0; i < 300; i++) await store.put(sampleSnek('a', { content: `v${i}` }));
    expect((await journalLines()).length).toBeLessThan(100);
    expect((await journalLines()).length).toBeGreaterThan(2);
    expect((await store.changes()).map((change) => [change.seq, change.snek?.content])).toEqual([[299, 'v298'], [300, 'v299']]);
    store = await reopen(store, 2);
    expect((await store.changes()).map((change) => change.seq)).toEqual([299, 300]);
    await store.put(sampleSnek('a'));
    expect((await store.latestChanges(['a']))[0]!.seq).toBe(301);
  });

  it('keeps fewer changes at open when history.keep is lowered, and compacts the journal then when it is due', async () => {
    let store = await openStore(1000);
    for (let i = 0; i < 300; i++) await store.put(sampleSnek(`s${i % 3}`, { content: `v${i}` }));
    store = await reopen(store, 1);
    expect((await store.changes()).map((change) => change.snek?.content)).toEqual(['v297', 'v298', 'v299']);
    expect(await journalLines()).toHaveLength(3);
  });

  it('finishes the writes queued before close(), which waits for them, and refuses those after it', async () => {
    let store = await openStore();
    const writes = Array.from({ length: 20 }, (_, i) => store.put(sampleSnek(`q${i}`)));
    const closing = store.close();
    expect((await rejection(() => store.put(sampleSnek('late')))).code).toBe('STORE_CLOSED');
    await closing;
    expect(await Promise.all(writes)).toEqual(writes.map(() => ({ created: true })));
    store = await openStore();
    expect((await store.changes()).map((change) => change.id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `q${i}`).sort());
    expect(await store.status()).toMatchObject({ records: 20, redoneAtOpen: 0 });
  });
});
