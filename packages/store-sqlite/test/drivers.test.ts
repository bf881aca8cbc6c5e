import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Snek } from '@snek/core';
import { sampleSnek } from '@snek/store-testkit';
import plugin, { SCHEMA_VERSION, SqliteSnekStore, type SqliteDriverName } from '../src/index.js';
import { rejection } from '../../core/test/helpers/rejection.js';
import { usable } from './helpers/usable-driver.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const CONTENT = JSON.parse(await readFile(path.join(FIXTURES, 'fixture-content.json'), 'utf8')) as { sneks: Snek[]; seeded: string[] };
const HAS_NODE_SQLITE = process.getBuiltinModule('node:sqlite') !== undefined;
const AUTO: SqliteDriverName = HAS_NODE_SQLITE ? 'node:sqlite' : 'better-sqlite3';

const BOTH = (await usable('node:sqlite')) && (await usable('better-sqlite3'));
const SQLITE3_CLI = spawnSync('sqlite3', ['-version']).status === 0;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-driver-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});


/** Everything a fixture holds must read back whole, and the file must take writes. */
async function expectFixture(store: SqliteSnekStore): Promise<void> {
  expect((await store.list()).items).toEqual(CONTENT.sneks);
  expect(await store.countTypes()).toEqual([{ type: 'cute', count: 2 }, { type: 'scary', count: 1 }]);
  expect(await store.seeded(['alpha', 'beta', 'gone-pack-snek'])).toEqual(['alpha', 'gone-pack-snek']);
  expect(await store.status()).toMatchObject({ schemaVersion: SCHEMA_VERSION, journalMode: 'wal', synchronous: 'full' });
  expect(await store.put(sampleSnek('delta'))).toEqual({ created: true });
  expect(await store.get('delta')).toEqual(sampleSnek('delta'));
}

describe('sqlite drivers', () => {
  it(`picks ${AUTO} on Node ${process.versions.node} when driver is auto`, async () => {
    const store = await plugin.create({ file: 'auto.db' }, { configDir: root });
    expect(await (store as SqliteSnekStore).status()).toMatchObject({ driver: AUTO });
    await store.close();
  });

  it('rejects an unknown driver with STORE_OPTIONS_INVALID', async () => {
    const error = await rejection(() => plugin.create({ file: 'x.db', driver: 'sqlite4' } as never, { configDir: root }));
    expect(error.code).toBe('STORE_OPTIONS_INVALID');
    expect(error.message).toContain('driver');
  });

  // On Node 20 node:sqlite is missing; on 24 and 26 the installed better-sqlite3 is usually built for another Node.
  it('names what to install when the chosen driver cannot load here', async () => {
    const missing = (await usable('node:sqlite')) ? ((await usable('better-sqlite3')) ? undefined : 'better-sqlite3') : 'node:sqlite';
    if (missing === undefined) return void console.log('both drivers load on this Node: nothing missing to report');
    const error = await rejection(() => plugin.create({ file: 'x.db', driver: missing }, { configDir: root }));
    expect(error.code).toBe('STORE_DEPENDENCY_MISSING');
    expect(error.message).toMatch(missing === 'node:sqlite' ? /Node\.js 22\.13/ : /better-sqlite3.*(rebuild|install)/);
  });

  it.each(['better-sqlite3', 'node-sqlite'])(`reads a file written by %s with ${AUTO}, and writes to it`, async (writer) => {
    const file = path.join(root, `${writer}.db`);
    await copyFile(path.join(FIXTURES, `written-by-${writer}.db`), file);
    const store = await SqliteSnekStore.open(file);
    try {
      await expectFixture(store);
    } finally {
      await store.close();
    }
  });

  // Skipped where one process cannot load both (Node 20 has no node:sqlite; 24/26 here have better-sqlite3 built for 20).
  (BOTH ? it : it.skip)('writes with one driver and reads with the other, both ways, in one process', async () => {
    const file = path.join(root, 'both.db');
    for (const [writer, reader] of [['better-sqlite3', 'node:sqlite'], ['node:sqlite', 'better-sqlite3']] as const) {
      const id = `by-${writer.replace(':', '-')}`;
      const written = await SqliteSnekStore.open(file, { driver: writer });
      await written.put(sampleSnek(id));
      await written.close();
      const read = await SqliteSnekStore.open(file, { driver: reader });
      expect(await read.get(id)).toEqual(sampleSnek(id));
      await read.close();
    }
  });

  // The sqlite3 command-line shell is a third SQLite build; skipped where it is not installed.
  (SQLITE3_CLI ? it : it.skip)(`leaves a file written by ${AUTO} that the sqlite3 shell reads and finds intact`, async () => {
    const file = path.join(root, 'cli.db');
    const store = await SqliteSnekStore.open(file);
    await Promise.all(CONTENT.sneks.map((snek) => store.put(snek)));
    await store.close();
    const shell = spawnSync('sqlite3', [file, 'PRAGMA integrity_check; SELECT id || \'|\' || type || \'|\' || length(content) FROM sneks ORDER BY id; PRAGMA user_version'], { encoding: 'utf8' });
    expect(shell.stderr).toBe('');
    expect(shell.stdout.trim().split('\n')).toEqual(['ok', ...CONTENT.sneks.map((snek) => `${snek.id}|${snek.type}|${[...snek.content].length}`), String(SCHEMA_VERSION)]);
  });
});
