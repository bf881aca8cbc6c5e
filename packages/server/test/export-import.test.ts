import { access, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { replaysChanges, type SnapshotView, type SnekStore, type StorePlugin } from '@snek/core';
import { TRICKY_CONTENT } from '../../store-testkit/src/sample-sneks.js';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { exportSneks } from '../src/export-sneks.js';
import { guardStore } from '../src/guarded-store.js';
import type { LineSink } from '../src/line-sink.js';
import { TEST_PG_URL, pgAvailable } from '../../store-postgres/test/helpers/pg-available.js';
import { dropSchemas, uniqueSchema } from '../../store-postgres/test/helpers/test-schemas.js';
import { cleanEnv, killAllServers, runServerToExit } from './helpers/server-process.js';

// snek-server export → import between real stores, each CLI run a child process: the same sneks, byte for byte.
const postgres = await pgAvailable();
const schemas: string[] = [];
function storeConfig(kind: string): string {
  if (kind === 'memory') return 'server:\n  store: memory\n';
  if (kind === 'fs') return 'server:\n  store: { use: fs, options: { dir: ./data } }\n';
  if (kind === 'sqlite') return 'server:\n  store: { use: sqlite, options: { file: ./data/sneks.db } }\n';
  const schema = uniqueSchema('export');
  schemas.push(schema);
  return `server:\n  store: { use: postgres, options: { url: "${TEST_PG_URL}", schema: ${schema} } }\n`;
}

const INPUT = [
  ...Object.values(TRICKY_CONTENT).map((content, i) => ({ id: `tricky-${i}`, name: `Tricky ${i} ünï`, type: 'tricky', content })),
  ...Array.from({ length: 300 }, (_, i) => ({ id: `s-${String(i).padStart(4, '0')}`, name: `Snek ${i}`, type: ['cute', 'fancy'][i % 2]!, content: `${'~'.repeat((i % 30) + 1)}<  \n\t` })),
];
const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

let dir: TempDir;
let n = 0;
/** A folder with a .snekrc for a fresh store of `kind`. */
async function home(kind: string): Promise<string> {
  const folder = path.join(dir.path, `${kind}-${n++}`);
  await dir.write(path.relative(dir.path, path.join(folder, '.snekrc')), storeConfig(kind));
  return folder;
}
const run = (cwd: string, ...args: string[]) => runServerToExit({ cwd, env: cleanEnv(cwd), args });

beforeAll(async () => {
  dir = await tempDir('snek-export-');
  await dir.write('input.jsonl', `${INPUT.map((snek) => JSON.stringify({ name: snek.name, type: snek.type, content: snek.content, id: snek.id })).join('\n')}\n`);
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
  await dropSchemas(schemas);
});

// Each source exports into the next store along: sqlite → fs → postgres → sqlite.
const ROUTES: Array<[string, string]> = postgres ? [['sqlite', 'fs'], ['fs', 'postgres'], ['postgres', 'sqlite']] : [['sqlite', 'fs'], ['fs', 'sqlite']];

describe.each(ROUTES)('snek-server export from %s, import into %s', (from, to) => {
  it('gives the same sneks byte for byte, ids kept, and a second export the same bytes', async () => {
    const source = await home(from);
    expect((await run(source, 'import', path.join(dir.path, 'input.jsonl'))).code).toBe(0);
    const exported = path.join(source, 'export.jsonl');
    const first = await run(source, 'export', '--out', exported);
    expect([first.code, first.stdout]).toEqual([0, '']);
    expect(first.stderr).toMatch(new RegExp(`^exported ${INPUT.length} sneks from the ${from} store \\(as of change \\d+\\) in [\\d.]+ s into ${exported}\\n$`));
    expect((await stat(exported)).mode & 0o777).toBe(0o600);
    const text = await readFile(exported, 'utf8');
    expect(text.split('\n').slice(0, -1).map((line) => JSON.parse(line))).toEqual(byId(INPUT));
    if (from === 'sqlite') {
      // stdout is the same bytes as the file (the helper keeps 1 MB of it; this is well under).
      const piped = await run(source, 'export');
      expect(piped.stdout === text).toBe(true);
    }

    const target = await home(to);
    const imported = await run(target, 'import', exported);
    expect([imported.code, imported.stderr]).toEqual([0, '']);
    expect(imported.stdout).toMatch(new RegExp(`^imported ${INPUT.length} sneks \\(${INPUT.length} new\\) into the ${to} store .*; skipped 0\\n$`));
    const again = path.join(target, 'again.jsonl');
    expect((await run(target, 'export', '--out', again)).code).toBe(0);
    expect((await readFile(again)).equals(await readFile(exported))).toBe(true);
  });
});

describe('snek-server export --history', () => {
  it('writes the change log first, oldest first, then the sneks; import replays it where the store can, and says so where it cannot', async () => {
    const source = await home('sqlite');
    await dir.write('history-1.jsonl', `${JSON.stringify({ id: 'a', name: 'A', type: 't', content: 'one\n' })}\n${JSON.stringify({ id: 'b', name: 'B', type: 't', content: 'b\n' })}\n`);
    await dir.write('history-2.jsonl', `${JSON.stringify({ id: 'a', name: 'A', type: 't', content: 'two  \n' })}\n`);
    expect((await run(source, 'import', path.join(dir.path, 'history-1.jsonl'))).code).toBe(0);
    expect((await run(source, 'import', '--overwrite', path.join(dir.path, 'history-2.jsonl'))).code).toBe(0);
    const out = path.join(source, 'history.jsonl');
    const exported = await run(source, 'export', '--history', '--out', out);
    expect(exported.stderr).toMatch(/^exported 2 sneks and 3 changes from the sqlite store \(as of change 3\)/);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => ('change' in line ? `change ${(line['change'] as { seq: number }).seq}` : `snek ${line['id'] as string}`))).toEqual(['change 1', 'change 2', 'change 3', 'snek a', 'snek b']);
    expect(lines[2]).toEqual({ change: { seq: 3, id: 'a', op: 'put', snek: { id: 'a', name: 'A', type: 't', content: 'two  \n' }, actor: null, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) } });

    const target = await home('fs');
    const imported = await run(target, 'import', out);
    const plugin = ((await import('@snek/store-fs')) as { default: StorePlugin<unknown> }).default;
    const probe = (await plugin.create({ dir: path.join(dir.path, 'probe') }, { configDir: dir.path })) as SnekStore;
    const canReplay = replaysChanges(probe);
    await probe.close();
    if (canReplay) {
      expect([imported.code, imported.stdout]).toEqual([0, expect.stringMatching(/^imported 2 sneks .*, replayed 3 changes of history; skipped 0\n$/)]);
    } else {
      expect(imported.code).toBe(3);
      expect(imported.stdout).toMatch(/^imported 2 sneks \(2 new\) into the fs store .*; skipped 3\n {2}skipped 3 history lines: the fs store cannot replay changes \(it has no replayChanges\), so the sneks came in without their history\n$/);
    }
    const back = await run(target, 'export');
    expect(back.stdout).toBe(`${lines.slice(3).map((line) => JSON.stringify(line)).join('\n')}\n`);
  });

  it('with --overwrite restores a snek edited since the export, though the store holds that history already', async () => {
    const source = await home('sqlite');
    const first = await dir.write('restore-1.jsonl', `${JSON.stringify({ id: 'a', name: 'A', type: 't', content: 'kept\n' })}\n`);
    const edit = await dir.write('restore-2.jsonl', `${JSON.stringify({ id: 'a', name: 'A', type: 't', content: 'edited\n' })}\n`);
    expect((await run(source, 'import', first)).code).toBe(0);
    expect((await run(source, 'export', '--history', '--out', 'export.jsonl')).code).toBe(0);
    expect((await run(source, 'import', '--overwrite', edit)).code).toBe(0);
    // The store's log holds change 1 already (and change 2 above it): nothing is replayed, and the snek line replaces.
    const restored = await run(source, 'import', '--overwrite', 'export.jsonl');
    expect([restored.code, restored.stdout]).toEqual([0, expect.stringMatching(/^imported 1 snek \(0 new\) into the sqlite store in [\d.]+ s \(\d+\/s\); skipped 0\n$/)]);
    expect((await run(source, 'export')).stdout).toBe(`${JSON.stringify({ id: 'a', name: 'A', type: 't', content: 'kept\n' })}\n`);
  });

  it('skips a history line that is not a change, or comes after the sneks, saying why, and exits 3', async () => {
    const target = await home('sqlite');
    const change = { seq: 1, id: 'a', op: 'put', snek: { id: 'a', name: 'A', type: 't', content: 'x' }, actor: null, at: '2026-01-02T03:04:05.006Z' };
    const file = await dir.write('bad-history.jsonl', [JSON.stringify({ change: { ...change, op: 'rename' } }), JSON.stringify({ id: 'b', name: 'B', type: 't', content: 'b' }), JSON.stringify({ change })].join('\n'));
    const imported = await run(target, 'import', file);
    expect(imported.code).toBe(3);
    expect(imported.stdout).toContain('bad-history.jsonl:1: not a change (op:');
    expect(imported.stdout).toContain('bad-history.jsonl:3: a history line after the sneks: history comes first, as snek-server export --history writes it');
  });
});

describe('snek-server export --out', () => {
  it('refuses a folder that does not exist with exit 2 and leaves nothing', async () => {
    const source = await home('sqlite');
    const result = await run(source, 'export', '--out', 'missing/export.jsonl');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^snek-server: USAGE: Cannot write the export beside .*missing\/export\.jsonl .*Check that its folder exists and is writable\.\n$/);
  });

  it('leaves no file when the export fails, and the file it replaces as it was', async () => {
    // A store that fails in the middle of its snapshot: a real export over a real file sink, aborted.
    const { fileSink } = await import('../src/line-sink.js');
    const file = await dir.write('kept.jsonl', 'an earlier export\n');
    const sink = await fileSink(file);
    const failing = { ...failingStore(), snapshot: async () => ({ seq: 0, sneks: failingBatches, changes: failingBatches, close: async () => undefined }) };
    await expect(exportSneks(failing, sink).catch(async (error: unknown) => {
      await sink.abort();
      throw error;
    })).rejects.toThrow('the disk went away');
    expect(await readFile(file, 'utf8')).toBe('an earlier export\n');
    expect((await readdir(path.dirname(file))).filter((name) => name.includes('kept.jsonl'))).toEqual(['kept.jsonl']);
  });
});

async function* failingBatches() {
  yield [{ id: 'a', name: 'A', type: 't', content: 'a' }];
  throw new Error('the disk went away');
}
function failingStore(): SnekStore {
  const none = async () => undefined;
  return { get: none, put: async () => ({ created: true }), delete: async () => false, list: async () => ({ items: [], nextCursor: null }), close: none };
}

describe('a guarded store\'s snapshot', () => {
  it('turns a failure of its reads and of close() into STORE_UNAVAILABLE naming the store', async () => {
    let closes = 0;
    // With conditional writes of its own: the server's fallback for a store without them keeps no snapshot.
    const conditional = { putIf: async () => ({ ok: true as const, created: true }), deleteIf: async () => ({ ok: true as const }) };
    const raw = { ...failingStore(), ...conditional, snapshot: async () => ({ seq: 0, sneks: failingBatches, changes: failingBatches, close: async () => (closes++ ? Promise.reject(new Error('the handle went away')) : undefined) }) };
    const store = guardStore(raw, 'flaky');
    const sink: LineSink = { write: async () => undefined, commit: async () => undefined, abort: async () => undefined };
    await expect(exportSneks(store, sink)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('The flaky store failed on snapshot sneks (the disk went away)') });
    const view = await (store as SnekStore & { snapshot(): Promise<SnapshotView> }).snapshot();
    await expect(view.close()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('snapshot close (the handle went away)') });
  });
});

describe('snek-server export of a memory store', () => {
  it("warns that the command's own memory store is empty", async () => {
    const result = await run(await home('memory'), 'export');
    expect([result.code, result.stdout]).toEqual([0, '']);
    expect(result.stderr).toMatch(/^snek-server: warning: the memory store lives inside each server process: this command's own is empty, so the export is too\nexported 0 sneks from the memory store/);
  });
});

describe('snek-server export of a store without snapshots', () => {
  it('pages through list, warns that it is not one moment, and writes every snek', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/stores/no-conditional/index.js', import.meta.url));
    const plugin = ((await import(fixture)) as { default: StorePlugin<unknown> }).default;
    const store = guardStore(await plugin.create(undefined, { configDir: dir.path }), 'no-conditional');
    for (const snek of INPUT.slice(0, 20)) await store.put(snek);
    let text = '';
    const sink: LineSink = { write: async (chunk) => void (text += chunk), commit: async () => undefined, abort: async () => undefined };
    const warnings: string[] = [];
    const report = await exportSneks(store, sink, { history: true, warn: (line) => warnings.push(line) });
    expect(report).toMatchObject({ sneks: 20, changes: 0, seq: null });
    expect(warnings).toEqual([expect.stringContaining('not of one moment')]);
    expect(text.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(byId(INPUT.slice(0, 20)));
    await store.close();
  });
});

describe('snek-server backup', () => {
  it('copies a sqlite store into a new file, refuses one that exists (exit 2) unless --force, and the store files themselves even then', async () => {
    const source = await home('sqlite');
    expect((await run(source, 'import', path.join(dir.path, 'input.jsonl'))).code).toBe(0);
    expect((await run(source, 'export', '--out', 'export.jsonl')).code).toBe(0);
    const backup = path.join(dir.path, `backup-${n}.db`);
    const made = await run(source, 'backup', backup);
    expect([made.code, made.stdout]).toEqual([0, '']);
    expect(made.stderr).toMatch(new RegExp(`^backed up the sqlite store into ${backup} \\([\\d.]+ MB\\) in [\\d.]+ s\\n$`));
    const again = await run(source, 'backup', backup);
    expect([again.code, again.stderr]).toEqual([2, `snek-server: USAGE: The backup file ${backup} exists already. Name a new file, or pass --force to replace it.\n`]);
    expect((await run(source, 'backup', '--force', backup)).code).toBe(0);
    expect((await stat(backup)).mode & 0o777).toBe(0o600);
    const live = await run(source, 'backup', '--force', 'data/sneks.db-wal');
    expect([live.code, live.stderr]).toEqual([2, expect.stringMatching(/^snek-server: USAGE: The backup file .*sneks\.db-wal is the store's own WAL file .* Name a file outside the store\.\n$/)]);
    const nowhere = await run(source, 'backup', 'missing/backup.db');
    expect([nowhere.code, nowhere.stderr]).toEqual([2, `snek-server: USAGE: The folder of the backup file ${path.join(source, 'missing/backup.db')} does not exist. Create it first, or name a file in a folder that exists.\n`]);
    // The copy serves as a store of its own.
    const restored = path.join(dir.path, `restored-${n}`);
    await dir.write(path.relative(dir.path, path.join(restored, '.snekrc')), `server:\n  store: { use: sqlite, options: { file: ${backup} } }\n`);
    const exported = await run(restored, 'export');
    expect(exported.stdout === (await readFile(path.join(source, 'export.jsonl'), 'utf8'))).toBe(true);
  });

  it.each(postgres ? ['fs', 'memory', 'postgres'] : ['fs', 'memory'])('refuses the %s store with exit 4, naming what to do instead', async (kind) => {
    const source = await home(kind);
    const result = await run(source, 'backup', 'backup.db');
    expect(result.code).toBe(4);
    const instead = {
      postgres: `back PostgreSQL up with pg_dump --schema=${schemas.at(-1)!} (see docs/operating.md), or use snek-server export`,
      fs: 'use snek-server export --out FILE, which any store can import (see docs/operating.md)',
      memory: 'the memory store lives inside each server process and keeps nothing once it stops, so nothing outside it can copy it; use a sqlite or fs store for sneks you want to keep',
    }[kind];
    expect(result.stderr).toBe(`snek-server: BACKUP_UNSUPPORTED: The ${kind} store cannot be backed up into a file by snek-server (only sqlite can); ${instead}.\n`);
    await expect(access(path.join(source, 'backup.db'))).rejects.toThrow();
  });
});
