import { MAX_CHANGES_LIMIT, MAX_LIST_LIMIT, keepsChangeLog, takesSnapshots, type Change, type Snek, type SnekStore, type SnapshotView } from '@snek/core';
import type { LineSink } from './line-sink.js';

/**
 * Sneks per batch: one round trip each on postgres, and at most this many sneks' art in memory at once (64 KB each
 * at most, so 32 MB at worst; a few MB for usual art).
 */
const BATCH = 500;

export interface ExportOptions {
  /** Also write the change log the store keeps, as `{"change": …}` lines before the sneks. */
  history?: boolean | undefined;
  /** Called after each batch with the lines written so far, for a progress bar. */
  progress?: (done: number) => void;
  /** Told once when the store takes no snapshot, so the export is not of one moment. */
  warn?: (line: string) => void;
}

export interface ExportReport {
  sneks: number;
  changes: number;
  /** The newest change the export holds; 0 without a log, null when the store took no snapshot. */
  seq: number | null;
  seconds: number;
}

/**
 * One snek per line, `{"id","name","type","content"}`: what `snek-server import` reads, ids kept. With `history`, the
 * store's changes come first, oldest first, one `{"change":{"seq","id","op","snek"?,"actor","at"}}` per line, so that
 * an import replays them before it writes the sneks. Everything comes from one snapshot when the store takes one.
 */
export async function exportSneks(store: SnekStore, sink: LineSink, options: ExportOptions = {}): Promise<ExportReport> {
  const started = performance.now();
  const report: ExportReport = { sneks: 0, changes: 0, seq: null, seconds: 0 };
  const view = takesSnapshots(store) ? await store.snapshot() : pagedView(store, options.warn);
  try {
    report.seq = takesSnapshots(store) ? view.seq : null;
    if (options.history) {
      for await (const batch of view.changes(BATCH)) {
        await sink.write(batch.map((change) => `${JSON.stringify({ change: changeLine(change) })}\n`).join(''));
        report.changes += batch.length;
        options.progress?.(report.changes + report.sneks);
      }
    }
    for await (const batch of view.sneks(BATCH)) {
      await sink.write(batch.map((snek) => `${JSON.stringify(snekLine(snek))}\n`).join(''));
      report.sneks += batch.length;
      options.progress?.(report.changes + report.sneks);
    }
  } finally {
    await view.close();
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Fields in a fixed order, whatever order the store gave them in: two exports of one store are the same bytes. */
function snekLine(snek: Snek): Snek {
  return { id: snek.id, name: snek.name, type: snek.type, content: snek.content };
}

function changeLine(change: Change): Change {
  return { seq: change.seq, id: change.id, op: change.op, ...(change.snek ? { snek: snekLine(change.snek) } : {}), actor: change.actor, at: change.at };
}

/** For a store without snapshots: `list` and `changes` paged by keyset, each page its own moment. */
function pagedView(store: SnekStore, warn: ((line: string) => void) | undefined): SnapshotView {
  warn?.('this store takes no snapshot (no StoreSnapshot): the export pages through it while it may change, so it is not of one moment; stop the writers for an exact copy');
  return {
    seq: 0,
    async *sneks() {
      for (let cursor: string | undefined; ; ) {
        const page = await store.list({ limit: MAX_LIST_LIMIT, ...(cursor === undefined ? {} : { cursor }) });
        if (page.items.length) yield page.items;
        if (page.nextCursor === null) return;
        cursor = page.nextCursor;
      }
    },
    async *changes() {
      if (!keepsChangeLog(store)) return;
      for (let after = 0; ; ) {
        const page = await store.changes({ after, limit: MAX_CHANGES_LIMIT });
        if (page.length === 0) return;
        yield page;
        after = page.at(-1)!.seq;
      }
    },
    close: async () => undefined,
  };
}

/** The closing line of `snek-server export`, on stderr. */
export function describeExport(report: ExportReport, storeName: string): string {
  const history = report.changes > 0 ? ` and ${report.changes} ${report.changes === 1 ? 'change' : 'changes'}` : '';
  const moment = report.seq === null ? 'paged, not one moment' : `as of change ${report.seq}`;
  return `exported ${report.sneks} ${report.sneks === 1 ? 'snek' : 'sneks'}${history} from the ${storeName} store (${moment}) in ${report.seconds.toFixed(1)} s`;
}
