import path from 'node:path';
import validatePackageName from 'validate-npm-package-name';
import { SnekError } from '@snek/core';

/** How one store is named in each place that names it. */
export interface StoreNames {
  /** The npm package: `snek-store-vault`, or `@acme/snek-store-vault`. */
  packageName: string;
  /** The plugin's `name`, shown in logs and errors: `vault`. */
  storeName: string;
  /** What `.snekrc` puts in `server.store.use`: the short name when the server's lookup finds the package by it. */
  snekrcUse: string;
  /** The generated store class: `VaultSnekStore`. */
  className: string;
}

const PREFIX = 'snek-store-';

/** The package name for a new folder: `vault` and `snek-store-vault` both give `snek-store-vault`. */
export function defaultPackageName(folder: string): string {
  const base = path.basename(path.resolve(folder)).toLowerCase().replace(/[^a-z0-9._~-]+/g, '-').replace(/^[._-]+|-+$/g, '');
  return base.startsWith(PREFIX) ? base : `${PREFIX}${base || 'custom'}`;
}

/** Throws `USAGE` unless npm would accept `name` for a new package. */
export function assertPackageName(name: string): void {
  const { validForNewPackages, errors = [], warnings = [] } = validatePackageName(name);
  if (validForNewPackages) return;
  const reasons = [...errors, ...warnings].join('; ');
  throw new SnekError('USAGE', `"${name}" is not a valid npm package name: ${reasons}. Give another with --name, e.g. --name snek-store-vault.`);
}

export function storeNames(packageName: string): StoreNames {
  assertPackageName(packageName);
  const bare = packageName.replace(/^@[^/]+\//, '');
  const short = bare.startsWith(PREFIX) && bare.length > PREFIX.length ? bare.slice(PREFIX.length) : bare;
  // The server tries @snek/store-X, snek-store-X, then X for a bare X: the short name finds only an unscoped snek-store-X.
  const snekrcUse = packageName === `${PREFIX}${short}` ? short : packageName;
  const pascal = short
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return { packageName, storeName: short, snekrcUse, className: `${/^[A-Za-z]/.test(pascal) ? '' : 'Store'}${pascal}SnekStore` };
}
