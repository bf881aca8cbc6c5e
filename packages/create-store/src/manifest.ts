import type { StoreNames } from './names.js';
import { DEV_TOOL_RANGES, SNEK_CORE_RANGE, STORE_TESTKIT_RANGE } from './versions.js';

/** The generated package.json: what docs/writing-a-store.md asks of a store package. */
export function storeManifest(names: StoreNames, description: string): Record<string, unknown> {
  return {
    name: names.packageName,
    version: '0.1.0',
    description,
    type: 'module',
    license: 'UNLICENSED',
    engines: { node: '>=20.19' },
    keywords: ['snek', 'snek-store'],
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './package.json': './package.json',
    },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist'],
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc --noEmit',
      test: 'node --experimental-vm-modules node_modules/jest/bin/jest.js',
      prepack: 'tsc -p tsconfig.build.json',
    },
    peerDependencies: { '@snek/core': SNEK_CORE_RANGE },
    devDependencies: {
      '@snek/core': SNEK_CORE_RANGE,
      '@snek/store-testkit': STORE_TESTKIT_RANGE,
      ...DEV_TOOL_RANGES,
    },
  };
}
