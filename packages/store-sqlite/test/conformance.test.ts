import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeStoreConformance } from '@snek/store-testkit';
import plugin, { SqliteSnekStore } from '../src/index.js';

const root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-kit-'));
let n = 0;

await describeStoreConformance('sqlite', {
  create: (context) => plugin.create({ file: `db-${n++}/sneks.db` }, { configDir: root, ...context }),
  reopen: (store, context) => plugin.create({ file: (store as SqliteSnekStore).file }, { configDir: root, ...context }),
  openBackup: (file) => SqliteSnekStore.open(file),
  cleanup: () => rm(root, { recursive: true, force: true }),
});
