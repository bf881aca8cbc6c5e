import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeStoreConformance } from '@snek/store-testkit';
import plugin, { FsSnekStore } from '../src/index.js';

const root = await mkdtemp(path.join(tmpdir(), 'snek-fs-kit-'));
let n = 0;

await describeStoreConformance('fs', {
  create: (context) => plugin.create({ dir: `store-${n++}` }, { configDir: root, ...context }),
  reopen: (store, context) => FsSnekStore.open((store as FsSnekStore).dir, context),
  cleanup: () => rm(root, { recursive: true, force: true }),
});
