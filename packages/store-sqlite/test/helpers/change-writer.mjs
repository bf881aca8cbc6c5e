// A second server on a store's file, as its own process: `node change-writer.mjs FILE NAME COUNT|forever`.
// Writes one snek at a time (put, or a delete every fifth write) and prints each acknowledged write as a JSON line,
// so a test can compare the log with what was acknowledged, also after a kill -9.
import { SqliteSnekStore } from '../../dist/index.js';

const [file, name, count] = process.argv.slice(2);
const store = await SqliteSnekStore.open(file, { historyKeep: 1_000_000 });
const total = count === 'forever' ? Infinity : Number(count);
for (let n = 0; n < total; n++) {
  const id = `${name}-${n % 7}`;
  if (n % 5 === 4) {
    const deleted = await store.delete(id);
    process.stdout.write(`${JSON.stringify({ op: 'delete', id, deleted })}\n`);
  } else {
    // A few puts in one turn, so that kill -9 also meets group commits.
    const contents = [0, 1, 2].map((i) => `${name} ${n} ${i}`);
    await Promise.all(contents.map((content) => store.put({ id, name, type: 'writer', content })));
    process.stdout.write(`${JSON.stringify({ op: 'put', id, content: contents.at(-1) })}\n`);
  }
}
await store.close();
