// Bundles the CLI into one minified file: one module to read and parse at start instead of hundreds.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/bin.ts', import.meta.url).pathname],
  outfile: new URL('../dist/snek.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  minify: true,
  legalComments: 'linked',
  // cosmiconfig loads TypeScript only for .ts configs; the CLI reads YAML and JSON.
  external: ['typescript'],
  // CommonJS dependencies call require() for Node built-ins; give the ES module a real one.
  banner: { js: "import { createRequire as __snekRequire } from 'node:module'; const require = __snekRequire(import.meta.url);" },
  logLevel: 'warning',
});
