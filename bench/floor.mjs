// The floor: plain express serving fixed bytes per path, nothing else. Snek's routes are measured against it.
import express from 'express';

const [port, routesJson] = process.argv.slice(2);
const routes = JSON.parse(routesJson);
const app = express();
for (const [path, body] of Object.entries(routes)) {
  app.get(path, (_req, res) => {
    res.type('json').send(body);
  });
}
app.listen(Number(port), '127.0.0.1');
