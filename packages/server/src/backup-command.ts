import { SnekError, backsUpToFile, loadConfig, loadStore } from '@snek/core';
import { guardStore } from './guarded-store.js';
import { storeLoadOptions } from './store-load-options.js';

/** What to do instead, for a store that cannot copy itself into a file. */
function instead(storeName: string, options: unknown): string {
  if (storeName === 'postgres') {
    const schema = (options as { schema?: unknown } | undefined)?.schema;
    return `back PostgreSQL up with pg_dump --schema=${typeof schema === 'string' ? schema : 'snek'} (see docs/operating.md), or use snek-server export`;
  }
  if (storeName === 'memory') return 'the memory store lives inside each server process and keeps nothing once it stops, so nothing outside it can copy it; use a sqlite or fs store for sneks you want to keep';
  return 'use snek-server export --out FILE, which any store can import (see docs/operating.md)';
}

/** `snek-server backup FILE [--force]`: a consistent copy of the store's file, made while servers keep writing to it. */
export async function runBackup(args: { config?: string | undefined; file: string; force?: boolean | undefined }): Promise<void> {
  const loaded = await loadConfig({ configPath: args.config });
  const { store, plugin } = await loadStore(storeLoadOptions(loaded));
  try {
    const guarded = guardStore(store, plugin.name);
    if (!backsUpToFile(guarded)) {
      throw new SnekError('BACKUP_UNSUPPORTED', `The ${plugin.name} store cannot be backed up into a file by snek-server (only sqlite can); ${instead(plugin.name, loaded.config.server.store.options)}.`);
    }
    const started = performance.now();
    const { bytes } = await guarded.backupTo(args.file, { replace: args.force ?? false });
    process.stderr.write(`backed up the ${plugin.name} store into ${args.file} (${(bytes / 1024 / 1024).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await store.close();
  }
}
