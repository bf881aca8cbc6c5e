import { isDeepStrictEqual } from 'node:util';
import { SnekError, loadConfig, loadStore, type LoadStoreOptions, type LoadedConfig } from '@snek/core';
import { guardStore } from './guarded-store.js';
import { MAX_BATCH, migrateStore, type MigrateReport } from './migrate.js';
import { progressBar } from './progress-bar.js';
import { loadConfiguredPacks } from './seed-packs.js';
import { storeLoadOptions } from './store-load-options.js';

/** `snek-server migrate` exits with this when the two sides' counts or digests differ. */
export const EXIT_MISMATCH = 5;

// A follow that polls more often than this only loads the source; one that polls less often lags by minutes.
const MIN_POLL_MS = 10;
const MAX_POLL_MS = 60_000;

export interface MigrateArgs {
  config?: string | undefined;
  to?: string | undefined;
  toConfig?: string | undefined;
  follow?: boolean | undefined;
  force?: boolean | undefined;
  history?: boolean | undefined;
  batch?: number | undefined;
  pollMs?: number | undefined;
}

/** The target's load options: a store spec as in `server.store` (`--to`), or the `server.store` of another .snekrc (`--to-config`). */
async function targetOptions(args: MigrateArgs, source: LoadedConfig): Promise<{ load: LoadStoreOptions; config: LoadedConfig | undefined }> {
  if ((args.to === undefined) === (args.toConfig === undefined)) throw new SnekError('USAGE', 'Give the target as either --to \'{"use":"postgres","options":{...}}\' or --to-config FILE, not both and not neither. Run snek-server migrate --help for usage.');
  if (args.toConfig !== undefined) {
    const config = await loadConfig({ configPath: args.toConfig });
    return { load: { ...storeLoadOptions(config), origin: `server.store.use in ${args.toConfig} (--to-config)` }, config };
  }
  let spec: unknown;
  try {
    spec = JSON.parse(args.to!);
  } catch (error) {
    throw new SnekError('USAGE', `--to is not JSON (${(error as Error).message}). Quote it, e.g. --to '{"use":"postgres","options":{"url":"postgres://127.0.0.1/snek"}}'.`);
  }
  if (typeof spec === 'string' && spec) spec = { use: spec };
  const valid = typeof spec === 'object' && spec !== null && !Array.isArray(spec) && typeof (spec as { use?: unknown }).use === 'string' && (spec as { use: string }).use !== '' && Object.keys(spec).every((key) => key === 'use' || key === 'options');
  if (!valid) throw new SnekError('USAGE', '--to must be a store as in server.store: {"use": NAME, "options": {...}} (only those two keys), or a NAME in quotes.');
  const { use, options } = spec as { use: string; options?: unknown };
  // Relative paths in the target's options resolve from the source's config folder, and it keeps as much history.
  return { load: { ...storeLoadOptions(source), use, options, origin: '--to' }, config: undefined };
}

/** `value` as a whole number from `min` to `max`, or a USAGE error naming `flag`; undefined stays undefined (the default). */
function wholeNumber(flag: string, value: number | undefined, min: number, max: number, example: number): number | undefined {
  if (value === undefined || (Number.isInteger(value) && value >= min && value <= max)) return value;
  throw new SnekError('USAGE', `${flag} must be a whole number from ${min} to ${max}. Give e.g. ${flag} ${example}, or leave it out for the default.`);
}

/** Loads both stores, migrates, prints both digests on stdout; a mismatch is a one-line error and exit 3. */
export async function runMigrate(args: MigrateArgs): Promise<void> {
  const batch = wholeNumber('--batch', args.batch, 1, MAX_BATCH, 5000);
  const pollMs = wholeNumber('--poll-ms', args.pollMs, MIN_POLL_MS, MAX_POLL_MS, 200);
  const loaded = await loadConfig({ configPath: args.config });
  const from = storeLoadOptions(loaded);
  const { load: to, config: targetConfig } = await targetOptions(args, loaded);
  const packs = [...(await loadConfiguredPacks(loaded)), ...(targetConfig ? await loadConfiguredPacks(targetConfig) : [])];
  if (from.use === to.use && isDeepStrictEqual(from.options, to.options) && from.configDir === to.configDir) {
    throw new SnekError('USAGE', `The target is the configured store itself (${to.use}). Point --to or --to-config at another store.`);
  }
  const source = await loadStore(from);
  let target;
  try {
    target = await loadStore(to);
  } catch (error) {
    await source.store.close();
    throw error;
  }
  const say = (line: string) => process.stderr.write(`${progress ? '\r\u001b[2K' : ''}snek-server migrate: ${line}\n`);
  const bar = process.stderr.isTTY ? progressBar('changes') : undefined;
  const progress = bar && (({ changes, sneks, seq }: { changes: number; sneks: number; seq: number }) => bar(changes, undefined, `, ${sneks} sneks copied, seq ${seq}`));
  const { stop, release } = stopOnSignal(say);
  let report: MigrateReport;
  try {
    report = await migrateStore({
      source: guardStore(source.store, source.plugin.name),
      target: guardStore(target.store, target.plugin.name),
      sourceName: source.plugin.name,
      targetName: target.plugin.name,
      follow: args.follow,
      force: args.force,
      history: args.history,
      stop,
      batch,
      pollMs,
      packSnekIds: [...new Set(packs.flatMap((pack) => pack.sneks.map((snek) => snek.id)))],
      say,
      progress,
    });
  } finally {
    release();
    bar?.(Number.NaN);
    await Promise.all([source.store.close(), target.store.close()]);
  }
  const what = report.history
    ? `${report.changesApplied} changes replayed with their history, ${report.sneksCopied} sneks without history copied`
    : `${report.sneksCopied} sneks copied and ${report.changesApplied} changes applied as plain writes, without history (the source keeps no change log, the target cannot replay one, --no-history or --force)`;
  const resumed = report.resumedAt ? `, resumed at seq ${report.resumedAt}` : '';
  process.stdout.write(`migrated ${source.plugin.name} -> ${target.plugin.name}: ${what}; source seq ${report.seq}${resumed}\n`);
  process.stdout.write(`source ${source.plugin.name}: ${report.source.count} sneks, sha256 ${report.source.sha256}\n`);
  process.stdout.write(`target ${target.plugin.name}: ${report.target.count} sneks, sha256 ${report.target.sha256}\n`);
  if (report.leftOut) process.stdout.write(`  left out of both: ${report.leftOut} sneks changed after seq ${report.seq}\n`);
  if (report.source.count !== report.target.count || report.source.sha256 !== report.target.sha256) {
    throw new SnekError('MIGRATE_MISMATCH', `The target differs from the source: ${report.target.count} sneks against ${report.source.count}, and the digests ${report.target.sha256 === report.source.sha256 ? 'agree' : 'differ'}. A target written to directly (not through this migrate) differs so: migrate into an empty store instead.`);
  }
  process.stdout.write(`verified: the same ${report.source.count} sneks on both sides\n`);
}

/** SIGINT or SIGTERM asks a follow to catch up, verify and end; a second one ends the process at once. */
function stopOnSignal(say: (line: string) => void): { stop: Promise<void>; release: () => void } {
  let asked = false;
  let resolve!: () => void;
  const stop = new Promise<void>((done) => (resolve = done));
  const onSignal = (signal: string) => {
    if (asked) {
      say(`${signal} again: stopping now, before verifying; run the same command again to resume`);
      process.exit(1);
    }
    asked = true;
    say(`${signal}: catching up one last time, then verifying (send it again to stop at once)`);
    resolve();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { stop, release: () => (process.off('SIGINT', onSignal), process.off('SIGTERM', onSignal)) };
}
