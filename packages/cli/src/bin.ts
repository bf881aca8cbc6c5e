import { tryFastPath } from './fast-path.js';

// `snek list | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// The common case first, with almost nothing loaded; the full CLI (yargs, axios, cosmiconfig) only when needed.
// No top-level await: this is bundled as CommonJS.
void (async () => {
  if (!(await tryFastPath(process.argv.slice(2)))) {
    const { main } = await import('./main.js');
    await main();
  }
})();
