// A second server on a store's file, as its own process: `node type-writer.mjs FILE COUNT`. Puts, retypes,
// renames and deletes sneks of a few shared ids, a few per event-loop turn (group commits), so that two of these
// race on the counts per type and on the search index.
import { SqliteSnekStore } from '../../dist/index.js';

const [file, count] = process.argv.slice(2);
const store = await SqliteSnekStore.open(file);
const next = (n) => Math.floor(Math.random() * n);
for (let i = 0; i < Number(count); i++) {
  const id = `t-${next(12)}`;
  if (next(4) === 0) await store.delete(id);
  else await Promise.all([0, 1].map((j) => store.put({ id: j ? `${id}-b` : id, name: `Racer ${next(50)}`, type: ['cute', 'fancy', 'plain'][next(3)], content: 'x' })));
}
await store.close();
