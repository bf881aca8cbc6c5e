import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Snek } from '@snek/core';
import { durationWords } from './durations.js';
import { serverKey } from './server-key.js';
import { isSnek } from './snek-answers.js';

/** The shape of an entry; a file of another format (or none) is ignored, then replaced. */
export const CACHE_FORMAT = 1;
/** The folder's bound: past it, the entries the server confirmed longest ago go first. */
export const CACHE_MAX_BYTES = 5 * 1024 * 1024;

/** What `snek NAME [--type TYPE]` asked for. */
export interface CacheLookup {
  name: string;
  type?: string | undefined;
}

export interface CachedAnswer {
  sneks: Snek[];
  /** The server's ETag for the name lookup, or null when the answer came another way (an id). */
  etag: string | null;
  /** When the server last sent or confirmed it (the file's mtime). */
  confirmedAt: number;
}

/** `$XDG_CACHE_HOME/snek`, else `~/.cache/snek` (XDG asks to ignore a relative XDG_CACHE_HOME). */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache'), 'snek');
}

/** Off with --no-cache, or SNEK_NO_CACHE set to anything but "" or "0". */
export function cacheEnabled(noCacheFlag: boolean, env: NodeJS.ProcessEnv): boolean {
  const off = env['SNEK_NO_CACHE'];
  return !noCacheFlag && (off === undefined || off === '' || off === '0');
}

/**
 * The answers `snek NAME` printed, one file per server URL and lookup. It holds sneks and the server's
 * ETag only: never a token, nor the URL's user and password. Every failure to read or write is ignored,
 * so the cache can make `snek` faster or work offline, but never fail.
 */
export class SnekCache {
  private readonly server: string;

  constructor(
    readonly dir: string,
    serverUrl: string,
  ) {
    this.server = serverKey(serverUrl);
  }

  read(lookup: CacheLookup): CachedAnswer | undefined {
    try {
      const file = this.file(lookup);
      const confirmedAt = statSync(file).mtimeMs;
      const entry = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      if (entry['format'] !== CACHE_FORMAT || entry['server'] !== this.server || entry['name'] !== lookup.name || entry['type'] !== (lookup.type ?? null)) return undefined;
      const { etag, sneks } = entry;
      if (!(etag === null || typeof etag === 'string') || !Array.isArray(sneks) || sneks.length === 0 || !sneks.every(isSnek)) return undefined;
      return { sneks, etag, confirmedAt };
    } catch {
      return undefined;
    }
  }

  /** Atomic (a temporary file, then rename), so two `snek`s at once never leave a torn file. */
  write(lookup: CacheLookup, sneks: readonly Snek[], etag: string | null): void {
    const file = this.file(lookup);
    const temporary = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    const entry = { format: CACHE_FORMAT, server: this.server, name: lookup.name, type: lookup.type ?? null, etag, sneks: sneks.map(({ id, name, type, content }) => ({ id, name, type, content })) };
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600 });
      renameSync(temporary, file);
      this.trim();
    } catch {
      rmSync(temporary, { force: true });
    }
  }

  /** After a 304: the entry is current as of now. */
  confirm(lookup: CacheLookup): void {
    const now = new Date();
    try {
      utimesSync(this.file(lookup), now, now);
    } catch {
      // Gone meanwhile (snek cache clear, or trimmed by another snek): the next answer writes it again.
    }
  }

  /** The server knows no such snek any more, so offline we should not print it either. */
  forget(lookup: CacheLookup): void {
    try {
      rmSync(this.file(lookup), { force: true });
    } catch {
      // Not ours to remove (permissions): read() still checks every entry it finds.
    }
  }

  private file(lookup: CacheLookup): string {
    return path.join(this.dir, `${hash(`${this.server}\n${lookup.name}\n${lookup.type ?? ''}`)}.json`);
  }

  /** Drops the files confirmed longest ago until the folder fits CACHE_MAX_BYTES. */
  private trim(): void {
    const files = readdirSync(this.dir).flatMap((name) => {
      try {
        const stat = statSync(path.join(this.dir, name));
        return stat.isFile() ? [{ name, size: stat.size, mtime: stat.mtimeMs }] : [];
      } catch {
        return [];
      }
    });
    let total = files.reduce((sum, f) => sum + f.size, 0);
    files.sort((a, b) => a.mtime - b.mtime);
    for (const f of files) {
      if (total <= CACHE_MAX_BYTES) break;
      rmSync(path.join(this.dir, f.name), { force: true });
      total -= f.size;
    }
  }
}

/** `snek cache clear`: removes every file in the folder; returns how many. */
export function clearCache(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) rmSync(path.join(dir, name), { recursive: true, force: true });
  return names.length;
}

/** The one stderr line of an answer printed from the cache. */
export function offlineNotice(url: string, cached: CachedAnswer, now = Date.now()): string {
  return `snek: the snek server at ${url} cannot be reached; printed from the cache, ${durationWords(now - cached.confirmedAt)} old\n`;
}

// cyrb53: a 53-bit string hash in plain JS; node:crypto costs the fast path milliseconds to load. A
// collision cannot mix answers up: read() checks the entry's server, name and type.
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
