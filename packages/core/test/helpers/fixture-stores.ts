import type { TempDir } from './temp-dir.js';

/** The source of a plugin module whose store echoes what create() received, so tests can see it. */
export function pluginSource(name: string, format: 'esm' | 'cjs' | 'cjs-default' = 'esm', apiVersion: unknown = 1): string {
  const plugin = `{
  apiVersion: ${JSON.stringify(apiVersion)},
  name: ${JSON.stringify(name)},
  create(options, context) {
    const fail = async () => { throw new Error('not used'); };
    return { plugin: ${JSON.stringify(name)}, options, context, get: fail, put: fail, delete: fail, list: async () => ({ items: [], nextCursor: null }), close: async () => {} };
  },
}`;
  if (format === 'esm') return `export default ${plugin};\n`;
  if (format === 'cjs') return `module.exports = ${plugin};\n`;
  return `Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = ${plugin};\n`;
}

/** Writes node_modules/<name> under `at` with an ESM-only exports map (only the "import" condition). */
export async function writeEsmPackage(dir: TempDir, at: string, name: string, source = pluginSource(name)): Promise<void> {
  const root = `${at}/node_modules/${name}`;
  await dir.write(`${root}/package.json`, JSON.stringify({ name, version: '1.0.0', type: 'module', exports: { '.': { import: './dist/index.js' } } }));
  await dir.write(`${root}/dist/index.js`, source);
}

/** Writes a CommonJS package whose entry is `main`. */
export async function writeCjsPackage(dir: TempDir, at: string, name: string, format: 'cjs' | 'cjs-default' = 'cjs'): Promise<void> {
  const root = `${at}/node_modules/${name}`;
  await dir.write(`${root}/package.json`, JSON.stringify({ name, version: '1.0.0', main: 'lib/index.js' }));
  await dir.write(`${root}/lib/index.js`, pluginSource(name, format));
}
