import { SnekError } from '../errors.js';
import { SUPPORTED_PACK_API_VERSIONS, type SnekPack } from '../pack.js';
import type { PluginKind } from '../plugin-kind.js';
import { snekNameSchema } from '../snek.js';

/** A pack's default export with its name checked; `loadPack` checks each of its sneks. */
export type UncheckedPack = Omit<SnekPack, 'sneks'> & { sneks: readonly unknown[] };

/** Packs: `server.packs` and `import --pack`, `@snek/pack-x` or `snek-pack-x`, a default export of definePack(). */
export const PACK_KIND: PluginKind<UncheckedPack> = {
  prefix: 'pack',
  noun: 'pack',
  codes: {
    notFound: 'PACK_NOT_FOUND',
    dependencyMissing: 'PACK_DEPENDENCY_MISSING',
    loadFailed: 'PACK_LOAD_FAILED',
    invalidExport: 'PACK_INVALID_EXPORT',
    apiVersion: 'PACK_API_VERSION',
  },
  apiVersions: SUPPORTED_PACK_API_VERSIONS,
  expectedExport: 'definePack({ apiVersion: 1, name, sneks })',
  hasShape: (value) => Array.isArray(value['sneks']),
  accept(value, named) {
    const name = snekNameSchema.safeParse(value['name']);
    if (!name.success) throw new SnekError('PACK_INVALID', `${named}: its name ${name.error.issues[0]?.message ?? 'is not valid'} (a string of 1–100 characters). Fix the pack's name.`, { details: { field: 'name' } });
    return { apiVersion: 1, name: name.data, sneks: value['sneks'] as unknown[] };
  },
  // The entry of .snekrc, as the admin wrote it: several packs may be in force at once.
  name: ({ use, origin }) => `Pack "${use}" (${origin})`,
};
