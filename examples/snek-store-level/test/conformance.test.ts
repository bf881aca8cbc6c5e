import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeStoreConformance } from '@snek/store-testkit';
import plugin, { LevelSnekStore } from '../src/index.js';

const root = await mkdtemp(path.join(tmpdir(), 'snek-level-kit-'));
let n = 0;

await describeStoreConformance('level', {
  create: (context) => plugin.create({ dir: `db-${n++}` }, { configDir: root, ...context }),
  reopen: (store) => LevelSnekStore.open((store as LevelSnekStore).dir),
  cleanup: () => rm(root, { recursive: true, force: true }),
});
