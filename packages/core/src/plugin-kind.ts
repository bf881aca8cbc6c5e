import type { SnekErrorCode } from './errors.js';

/** The codes a kind's load errors carry, one per way loading can fail. */
export interface PluginCodes {
  /** Nothing found under any candidate (phase resolve). */
  notFound: SnekErrorCode;
  /** Found, but one of its own imports is missing (phase import). */
  dependencyMissing: SnekErrorCode;
  /** Found, but it threw or did not finish while loading (phase import). */
  loadFailed: SnekErrorCode;
  /** Its entry point cannot be loaded, or its default export is not this kind of plugin (phase validate). */
  invalidExport: SnekErrorCode;
  /** Built for a contract version this release does not support (phase validate). */
  apiVersion: SnekErrorCode;
}

/** Who is being loaded, for a kind's messages: `use` as written, where it was written, and the module found. */
export interface PluginNaming {
  use: string;
  origin: string;
  specifier: string;
}

/**
 * One kind of plugin that `loadPlugin` finds, imports and checks: stores, packs, and whatever comes next. The loader
 * knows nothing of a kind beyond this object, so a new kind is a new definition.
 */
export interface PluginKind<Plugin> {
  /** The name prefix of its packages: `x` is tried as `@snek/<prefix>-x`, then `snek-<prefix>-x`, then `x`. */
  prefix: string;
  /** What messages call one: "store", "pack", "sign-in provider". */
  noun: string;
  codes: PluginCodes;
  /** The `apiVersion`s of its contract that this release loads. */
  apiVersions: readonly unknown[];
  /** What the default export must be, as a message tells an author, e.g. "defineStore({ apiVersion: 1, name, create })". */
  expectedExport: string;
  /** Whether a default export has the kind's shape; the loader checks `apiVersion` after this. */
  hasShape(value: Record<string, unknown>): boolean;
  /** Checks beyond shape and apiVersion, throwing a coded SnekError; returns the plugin. */
  accept(value: Record<string, unknown>, named: string): Plugin;
  /** How messages from the validate phase on name the plugin: `Store "snek-store-x"`, `Pack "./p" (server.packs[0])`. */
  name(naming: PluginNaming): string;
}

/** "Store", "Pack", "Sign-in provider": the noun to start a message. */
export function titleOf(kind: Pick<PluginKind<unknown>, 'noun'>): string {
  return kind.noun[0]!.toUpperCase() + kind.noun.slice(1);
}
