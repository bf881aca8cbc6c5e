// The floor: plain express serving fixed bytes per path, nothing else. Snek's routes are measured against it.
// The routes are JSON, or `@FILE` for bodies past what one argument may hold (128 KiB on Linux).
import { readFileSync } from 'node:fs';
import express from 'express';

const [port, routesJson] = process.argv.slice(2);
const routes = JSON.parse(routesJson.startsWith('@') ? readFileSync(routesJson.slice(1), 'utf8') : routesJson);
const app = express();
for (const [path, body] of Object.entries(routes)) {
  app.get(path, (_req, res) => {
    res.type('json').send(body);
  });
}
app.listen(Number(port), '127.0.0.1');
