import { keepsSeedLedger, loadPack, loadPacks, type LoadedConfig, type LoadedPack, type SnekStore } from '@snek/core';

/** One pack in force, as `GET /v1/packs` and the start log show it. */
export interface PackSummary {
  /** The pack's own name. */
  name: string;
  /** The entry of `server.packs` that named it. */
  use: string;
  /** Its package version; null for a folder or file without one. */
  version: string | null;
  /** How many sneks the pack holds. */
  sneks: number;
  /** How many of them this start added to the store. */
  added: number;
}

/** How seeding decided which sneks to add: the store's ledger, or (without one) whether the store was empty. */
export type SeedRule = 'ledger' | 'empty-store';

export interface SeedReport {
  packs: PackSummary[];
  rule: SeedRule;
}

// Packs resolve from the config's folder, then from this server's own dependencies, where @snek/pack-classic is.
// Each pack's import is bounded by server.storeTimeout, as the store's is.
const FALLBACK = [import.meta.url];

/** The packs of `server.packs`, loaded and checked before the store opens. */
export function loadConfiguredPacks({ config, configDir, filepath }: LoadedConfig): Promise<LoadedPack[]> {
  return loadPacks(config.server.packs, { configDir, configFile: filepath, fallbackFrom: FALLBACK, timeoutMs: config.server.storeTimeout * 1000 });
}

/** One pack named on the command line (`snek-server import --pack NAME`). */
export function loadNamedPack(use: string, { config, configDir, filepath }: LoadedConfig): Promise<LoadedPack> {
  const timeoutHint = `raise server.storeTimeout${filepath ? ` in ${filepath}` : ''}`;
  return loadPack({ use, configDir, origin: '--pack', fallbackFrom: FALLBACK, timeoutMs: config.server.storeTimeout * 1000, timeoutHint });
}

/**
 * Seeding at start never undoes what someone did over the API:
 * - a store with a seed ledger gets each pack snek it has never seen and does not already hold; every pack
 *   snek is then recorded, so one deleted later stays deleted and one edited later stays as edited;
 * - a store without one is seeded only while it is empty (its first start), since it cannot tell a deleted pack
 *   snek from a new one. Packs added later reach it through `snek-server import --pack`.
 */
export async function seedPacks(store: SnekStore, packs: readonly LoadedPack[]): Promise<SeedReport> {
  const ids = packs.flatMap((pack) => pack.sneks.map((snek) => snek.id));
  const ledger = keepsSeedLedger(store) ? store : undefined;
  let unseen: Set<string>;
  if (ledger) {
    const seen = new Set(ids.length ? await ledger.seeded(ids) : []);
    unseen = new Set(ids.filter((id) => !seen.has(id)));
  } else {
    const empty = ids.length > 0 && (await store.list({ limit: 1 })).items.length === 0;
    unseen = new Set(empty ? ids : []);
  }
  const summaries: PackSummary[] = [];
  for (const pack of packs) {
    let added = 0;
    for (const snek of pack.sneks) {
      // An id someone created before the pack came is theirs: it is recorded as seen, never overwritten.
      if (!unseen.has(snek.id) || (await store.get(snek.id))) continue;
      await store.put(snek);
      added++;
    }
    summaries.push(summaryOf(pack, added));
  }
  // Recorded after the puts: a crash in between leaves ids unrecorded, and the next start finds them present.
  if (ledger && unseen.size) await ledger.recordSeeded([...unseen]);
  return { packs: summaries, rule: ledger ? 'ledger' : 'empty-store' };
}

export interface ApplyPackReport {
  added: string[];
  replaced: string[];
  /** Present already and left alone (without `overwrite`). */
  kept: string[];
}

/** `snek-server import --pack`: adds every snek of the pack that is missing, deleted ones too; `overwrite` replaces the rest. */
export async function applyPack(store: SnekStore, pack: LoadedPack, { overwrite = false } = {}): Promise<ApplyPackReport> {
  const report: ApplyPackReport = { added: [], replaced: [], kept: [] };
  for (const snek of pack.sneks) {
    const present = await store.get(snek.id);
    if (present && !overwrite) {
      report.kept.push(snek.id);
      continue;
    }
    await store.put(snek);
    (present ? report.replaced : report.added).push(snek.id);
  }
  if (keepsSeedLedger(store) && pack.sneks.length) await store.recordSeeded(pack.sneks.map((snek) => snek.id));
  return report;
}

function summaryOf(pack: LoadedPack, added: number): PackSummary {
  return { name: pack.name, use: pack.use, version: pack.version, sneks: pack.sneks.length, added };
}
