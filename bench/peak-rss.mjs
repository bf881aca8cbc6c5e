// Runs a script in this process and, at exit, writes its peak RSS in MB to $SNEK_BENCH_RSS_FILE: the peak of the
// very process that did the work (`node bench/peak-rss.mjs SCRIPT ARGS…`), with no wrapper of another language.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], script, ...args];
process.on('exit', () => writeFileSync(process.env.SNEK_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS / 1024)));
await import(pathToFileURL(script).href);
