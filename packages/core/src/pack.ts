/** The pack contract versions this release of Snek can load. */
export const SUPPORTED_PACK_API_VERSIONS = [1] as const;

/** What every snek of a pack has; the art comes as `content` or from a `file`. */
interface PackSnekFields {
  /** A slug, as for `PUT /v1/sneks/:id`. */
  id: string;
  /** 1–100 characters, no control characters. */
  name: string;
  /** A slug. */
  type: string;
}

/**
 * One snek of a pack: the art inline as `content`, or in a `file` of the pack, a path relative to the pack's
 * folder (the package's root, or the folder named in `.snekrc`; for a single-file pack, that file's folder).
 * Each is checked exactly as a `PUT` body is, and a file must be UTF-8 and stay inside the pack's folder.
 */
export type PackSnek = PackSnekFields & ({ content: string; file?: never } | { file: string; content?: never });

/**
 * Pack contract, version 1: a collection of sneks that a server seeds into its store (`server.packs` in
 * `.snekrc`), as an npm package's default export or a local module's. Wrap it in {@link definePack}.
 */
export interface SnekPack {
  /** The pack contract this pack implements. Only `1` exists today. */
  apiVersion: 1;
  /** A short name shown in `GET /v1/packs`, logs and errors, such as "classic". */
  name: string;
  /** Its sneks; ids must be unique within the pack, and across the packs a server uses. */
  sneks: readonly PackSnek[];
}

/** Identity at run time; gives a pack author type checking of the pack object. */
export function definePack(pack: SnekPack): SnekPack {
  return pack;
}
