import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SnekError, keepsSeedLedger } from '@snek/core';
import { FsSnekStore } from '../src/index.js';

let root: string;
const open: FsSnekStore[] = [];
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-fs-ledger-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await rm(root, { recursive: true, force: true });
});

async function openStore(): Promise<FsSnekStore> {
  const store = await FsSnekStore.open(root);
  open.push(store);
  return store;
}

describe('FsSnekStore seed ledger', () => {
  it('keeps the recorded ids in .snek-seeded.json, across a reopen, and lists no record for it', async () => {
    const store = await openStore();
    expect(keepsSeedLedger(store)).toBe(true);
    expect(await store.seeded(['cute'])).toEqual([]);
    await Promise.all([store.recordSeeded(['normal', 'cute']), store.recordSeeded(['fancy'])]);
    expect(JSON.parse(await readFile(path.join(root, '.snek-seeded.json'), 'utf8'))).toEqual(['cute', 'fancy', 'normal']);
    await store.close();
    const reopened = await openStore();
    expect(await reopened.seeded(['cute', 'fancy', 'other'])).toEqual(['cute', 'fancy']);
    expect((await reopened.list()).items).toEqual([]);
    expect(await reopened.status()).toMatchObject({ records: 0, skipped: 0 });
    expect((await readdir(root)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to open on a ledger edited into something else, saying how to recover', async () => {
    await writeFile(path.join(root, '.snek-seeded.json'), '{"cute": true}');
    const error = await FsSnekStore.open(root).then(() => undefined, (e: unknown) => e);
    expect(SnekError.hasCode(error, 'STORE_INIT_FAILED') && error.message).toMatch(/\.snek-seeded\.json is not a JSON array of ids\. Restore it, or delete it/);
    // The refused open released its lock: a fixed folder opens.
    await rm(path.join(root, '.snek-seeded.json'));
    expect(await (await openStore()).seeded(['cute'])).toEqual([]);
  });
});
