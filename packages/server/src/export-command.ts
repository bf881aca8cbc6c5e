import { loadConfig, loadStore } from '@snek/core';
import { describeExport, exportSneks } from './export-sneks.js';
import { guardStore } from './guarded-store.js';
import { fileSink, streamSink } from './line-sink.js';
import { progressBar } from './progress-bar.js';
import { storeLoadOptions } from './store-load-options.js';

/** `snek-server export [--out FILE|-] [--history]`: the data on stdout or in FILE (atomically), the report on stderr. */
export async function runExport(args: { config?: string | undefined; out?: string | undefined; history?: boolean | undefined }): Promise<void> {
  const loaded = await loadConfig({ configPath: args.config });
  const { store, plugin } = await loadStore(storeLoadOptions(loaded));
  const toFile = args.out !== undefined && args.out !== '-';
  const progress = process.stderr.isTTY ? progressBar('written') : undefined;
  const warn = (line: string) => process.stderr.write(`snek-server: warning: ${line}\n`);
  if (plugin.name === 'memory') warn("the memory store lives inside each server process: this command's own is empty, so the export is too");
  try {
    const sink = toFile ? await fileSink(args.out!) : streamSink(process.stdout);
    try {
      const report = await exportSneks(guardStore(store, plugin.name), sink, { history: args.history, progress, warn });
      await sink.commit();
      progress?.(Number.NaN);
      process.stderr.write(`${describeExport(report, plugin.name)}${toFile ? ` into ${args.out}` : ''}\n`);
    } catch (error) {
      progress?.(Number.NaN);
      await sink.abort();
      throw error;
    }
  } finally {
    await store.close();
  }
}
