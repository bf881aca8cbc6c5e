import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { SnekError, loadConfig, loadStore } from '@snek/core';
import { guardStore } from './guarded-store.js';
import { describeImport, describeSkippedHistory, importSneks } from './import-sneks.js';
import { runBackup } from './backup-command.js';
import { runExport } from './export-command.js';
import { progressBar } from './progress-bar.js';
import { applyPack, loadNamedPack } from './seed-packs.js';
import { storeLoadOptions } from './store-load-options.js';
import { createLogger, settleLogger } from './logger.js';
import type { RunningServer } from './start.js';
import { verifyStore } from './verify-store.js';
import { EXIT_MISMATCH, runMigrate } from './migrate-command.js';

/** `snek-server`: serves (the default command), checks a store with `verify-store`, bulk-loads with `import`, or copies to another store with `migrate`. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  const debug = argv.includes('--debug');
  try {
    await parser(argv).parseAsync();
  } catch (error) {
    fail(error, debug);
  }
}

function parser(argv: string[]) {
  return yargs(argv)
    .scriptName('snek-server')
    .usage('$0 [options]\n\nServes sneks over HTTP from the store named in .snekrc.')
    .option('config', { type: 'string', describe: 'Config file (default: .snekrc searched from here up; or SNEK_CONFIG)' })
    .option('debug', { type: 'boolean', describe: 'Show stack traces of startup errors' })
    .command(
      '$0',
      'Start the server',
      (y) =>
        y
          .option('host', { type: 'string', describe: 'Address to listen on (default: server.host, SNEK_HOST, 127.0.0.1)' })
          .option('port', { type: 'number', describe: 'Port to listen on, 0 for any free one (default: server.port, SNEK_PORT, 8000)' })
          .option('import', { type: 'string', describe: 'Before listening, bulk-load sneks from this .jsonl file or folder of art (the way to fill a memory store)' })
          .option('import-type', { type: 'string', describe: 'Type of sneks made from art files by --import (default: imported)' }),
      (args) => serve(args),
    )
    .command(
      'verify-store [name]',
      'Load a store as the server would, create it and smoke-test it on a temporary id',
      (y) =>
        y
          .positional('name', { type: 'string', describe: 'Store to check (default: server.store.use)' })
          .option('options', { type: 'string', describe: 'Store options as JSON (default: server.store.options)' }),
      (args) => verify(args),
    )
    .command(
      'import [source]',
      'Bulk-load sneks into the configured store from a JSON-lines file or a folder of art files, or apply a snek pack with --pack',
      (y) =>
        y
          .positional('source', { type: 'string', describe: 'A .jsonl file ({ name, type, content, id? } per line) or a folder of art files' })
          .option('type', { type: 'string', describe: 'Type of sneks made from art files (default: imported)' })
          .option('pack', { type: 'string', describe: 'Instead of a source, add the sneks of this pack (named as in server.packs) that the store lacks, deleted ones too' })
          .option('overwrite', { type: 'boolean', describe: 'Also replace the sneks the store already has (by default they are kept as they are)' })
          .check((args) => {
            if ((args.source === undefined) === (args.pack === undefined)) throw new SnekError('USAGE', 'Give either a source to import or --pack NAME, not both and not neither. Run snek-server import --help for usage.');
            return true;
          }),
      (args) => (args.pack === undefined ? runImport({ ...args, source: args.source! }) : runPackImport({ ...args, pack: args.pack })),
    )
    .command(
      'migrate',
      'Copy every snek, with its history where both stores keep one, from the configured store into another; --follow keeps applying new changes until stopped; both sides are verified by count and digest',
      (y) =>
        y
          .option('to', { type: 'string', describe: 'The target store as JSON, as in server.store: \'{"use":"postgres","options":{"url":"..."}}\'' })
          .option('to-config', { type: 'string', describe: 'Another .snekrc whose server.store is the target' })
          .option('follow', { type: 'boolean', describe: 'After the copy, apply the source\'s new changes until SIGINT or SIGTERM, then verify' })
          .option('history', { type: 'boolean', describe: 'Carry the change log along where both stores keep one (default true; --no-history copies the sneks only)' })
          .option('force', { type: 'boolean', describe: 'Copy into a target that holds sneks or changes not from this source (without history)' })
          .option('batch', { type: 'number', describe: 'Sneks or changes written per batch (default 5000, at most 20000)' })
          .option('poll-ms', { type: 'number', describe: 'With --follow, how often to read a source that has no change feed (default 200)' }),
      (args) => runMigrate(args),
    )
    .command(
      'export',
      'Write every snek as JSON lines, the format import reads, from one consistent snapshot of the store',
      (y) =>
        y
          .option('out', { type: 'string', describe: 'Write here, atomically (a temp file renamed once complete), or - for stdout (default: -)' })
          .option('history', { type: 'boolean', describe: 'Also write the change log the store keeps, as {"change": …} lines before the sneks' }),
      (args) => runExport(args),
    )
    .command(
      'backup <file>',
      'Copy a sqlite store into FILE while servers keep writing to it (other stores: see docs/operating.md)',
      (y) =>
        y
          .positional('file', { type: 'string', demandOption: true, describe: 'The backup file; it must not exist' })
          .option('force', { type: 'boolean', describe: 'Replace FILE if it exists' }),
      (args) => runBackup({ ...args, file: args.file }),
    )
    .strict()
    .help()
    .fail((message, error) => {
      throw error ?? new SnekError('USAGE', `${message}. Run snek-server --help for usage.`);
    });
}

interface ServeArgs {
  config?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  import?: string | undefined;
  importType?: string | undefined;
  debug?: boolean | undefined;
}

async function serve(args: ServeArgs): Promise<void> {
  const logger = createLogger();
  // The handlers go in before the server says it listens: until a handler exists a signal kills at once, so a
  // supervisor that stops the server right after that line would skip the drain.
  let server: RunningServer | undefined;
  let stopping = false;
  const finish = (running: RunningServer) =>
    running
      .close()
      .then(() => settleLogger(logger))
      .then(() => process.exit(0), (error: unknown) => fail(error, args.debug));
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing requests in flight');
    // Still starting: nothing is served yet, and a store that is being waited for should not hold the stop.
    if (server) void finish(server);
    else void settleLogger(logger).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const loaded = await loadConfig({ configPath: args.config });
  const importFrom = args.import === undefined ? undefined : { source: args.import, type: args.importType };
  // Loaded only to serve: without express and the web pages, import, export and the rest start about 0.1 s sooner.
  const { startServer } = await import('./start.js');
  server = await startServer({ loaded, host: args.host, port: args.port, logger, importFrom });
}

async function verify(args: { config?: string | undefined; name?: string | undefined; options?: string | undefined }): Promise<void> {
  const loaded = await loadConfig({ configPath: args.config });
  let options: unknown;
  if (args.options !== undefined) {
    try {
      options = JSON.parse(args.options);
    } catch (error) {
      throw new SnekError('USAGE', `--options is not JSON (${(error as Error).message}). Quote it, e.g. --options '{"dir":"./data"}'.`);
    }
  }
  const ok = await verifyStore({ loaded, use: args.name, options, write: (line) => process.stdout.write(`${line}\n`) });
  // Exit, not just set the code: a store that failed to load may have left a timer of its own running.
  process.exit(ok ? 0 : 1);
}

async function runImport(args: { config?: string | undefined; source: string; type?: string | undefined; overwrite?: boolean | undefined }): Promise<void> {
  const loaded = await loadConfig({ configPath: args.config });
  const { store, plugin } = await loadStore(storeLoadOptions(loaded));
  const progress = process.stderr.isTTY ? progressBar() : undefined;
  try {
    const report = await importSneks(guardStore(store, plugin.name), { source: args.source, type: args.type, overwrite: args.overwrite, progress });
    progress?.(Number.NaN, undefined);
    process.stdout.write(`${describeImport(report, plugin.name)}\n`);
    const history = describeSkippedHistory(report, plugin.name);
    if (history) process.stdout.write(`  ${history}\n`);
    for (const { where, reason } of report.skipped.slice(0, 20)) process.stdout.write(`  skipped ${where}: ${reason}\n`);
    if (report.skipped.length > 20) process.stdout.write(`  … and ${report.skipped.length - 20} more\n`);
    // 3: done, but not everything came in; 1 stays for failures, 2 for usage.
    if (report.skipped.length > 0 || report.historySkipped > 0) process.exitCode = 3;
  } finally {
    await store.close();
  }
}

async function runPackImport(args: { config?: string | undefined; pack: string; overwrite?: boolean | undefined }): Promise<void> {
  const loaded = await loadConfig({ configPath: args.config });
  const pack = await loadNamedPack(args.pack, loaded);
  const { store, plugin } = await loadStore(storeLoadOptions(loaded));
  try {
    const { added, replaced, kept } = await applyPack(guardStore(store, plugin.name), pack, { overwrite: args.overwrite ?? false });
    const version = pack.version ? ` ${pack.version}` : '';
    process.stdout.write(`pack "${pack.name}"${version} into the ${plugin.name} store: added ${added.length}, replaced ${replaced.length}, kept ${kept.length}\n`);
    if (kept.length) process.stdout.write(`  kept as they are: ${kept.join(', ')} (--overwrite replaces them)\n`);
  } finally {
    await store.close();
  }
}

function fail(error: unknown, debug: boolean | undefined): never {
  const text = SnekError.is(error) ? `${error.code}: ${error.message}` : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
  process.stderr.write(`snek-server: ${text}${debug && error instanceof Error ? `\n${error.stack}` : ''}\n`);
  process.exit(exitCodeOf(error));
}

/** snek-server's exit codes (docs/configuration.md): 2 usage, 4 a backup this store cannot make, 5 a migration whose two sides differ, 1 any other failure. */
function exitCodeOf(error: unknown): number {
  if (SnekError.hasCode(error, 'USAGE')) return 2;
  if (SnekError.hasCode(error, 'BACKUP_UNSUPPORTED')) return 4;
  if (SnekError.hasCode(error, 'MIGRATE_MISMATCH')) return EXIT_MISMATCH;
  return 1;
}
