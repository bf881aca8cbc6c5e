import { describe, expect, it } from '@jest/globals';
import { SnekError } from '@snek/core';
import { assertPackageName, defaultPackageName, storeNames } from '../src/index.js';

describe('defaultPackageName(folder)', () => {
  it.each([
    ['vault', 'snek-store-vault'],
    ['snek-store-vault', 'snek-store-vault'],
    ['/srv/stores/My Vault', 'snek-store-my-vault'],
    ['./stores/vault/', 'snek-store-vault'],
  ])('%s gives %s', (folder, name) => {
    expect(defaultPackageName(folder)).toBe(name);
  });
});

describe('storeNames(packageName)', () => {
  it.each([
    ['snek-store-vault', { storeName: 'vault', snekrcUse: 'vault', className: 'VaultSnekStore' }],
    ['@acme/snek-store-vault', { storeName: 'vault', snekrcUse: '@acme/snek-store-vault', className: 'VaultSnekStore' }],
    ['snek-store-big-blue.vault', { storeName: 'big-blue.vault', snekrcUse: 'big-blue.vault', className: 'BigBlueVaultSnekStore' }],
    ['vault-store', { storeName: 'vault-store', snekrcUse: 'vault-store', className: 'VaultStoreSnekStore' }],
    ['snek-store-3d', { storeName: '3d', snekrcUse: '3d', className: 'Store3dSnekStore' }],
  ])('%s', (packageName, names) => {
    expect(storeNames(packageName)).toEqual({ packageName, ...names });
  });

  it.each(['Snek-Store', 'snek store', '.hidden', 'a'.repeat(215), 'node_modules', 'http'])('refuses %s with USAGE', (name) => {
    let error: unknown;
    try {
      assertPackageName(name);
    } catch (caught) {
      error = caught;
    }
    expect(SnekError.hasCode(error, 'USAGE')).toBe(true);
    expect((error as Error).message).toMatch(/is not a valid npm package name: .+\. Give another with --name/);
  });
});
