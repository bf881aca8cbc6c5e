// Bundles the CLI into two files: bin.cjs, the fast path for `snek [NAME] [--type]`, small and self-contained,
// and main.js, the full CLI (yargs, axios, cosmiconfig), loaded only when the fast path hands over.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const out = (name) => new URL(`../dist/bundle/${name}`, import.meta.url).pathname;
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
};

await rm(out(''), { recursive: true, force: true });
// CommonJS, so the bin needs no ES module loader; it still import()s main.js and js-yaml when it must.
await build({ ...common, format: 'cjs', entryPoints: [new URL('../src/bin.ts', import.meta.url).pathname], outfile: out('bin.cjs'), external: ['./main.js', 'js-yaml'] });
await build({
  ...common,
  entryPoints: [new URL('../src/main.ts', import.meta.url).pathname],
  outfile: out('main.js'),
  // cosmiconfig loads TypeScript only for .ts configs; the CLI reads YAML and JSON.
  external: ['typescript'],
  // CommonJS dependencies call require() for Node built-ins; give the ES module a real one.
  banner: { js: "import { createRequire as __snekRequire } from 'node:module'; const require = __snekRequire(import.meta.url);" },
});
