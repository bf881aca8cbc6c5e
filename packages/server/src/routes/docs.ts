import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type IRouter } from 'express';
import { openApiDocument } from '../openapi.js';

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Snek API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>
`;
// Only the folder: the package's main module evaluates the 1.4 MB browser bundle (≈ 190 ms and 40 MB RSS).
const ASSETS = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
// A separate file, not an inline script, so a strict Content-Security-Policy can stay on.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });\n`;

/** /openapi.json, and /docs rendering it with Swagger UI served from this server (no CDN). */
export function docsRoutes(router: IRouter, version: string): void {
  const document = openApiDocument(version);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('js').send(INIT);
  });
  router.use('/docs/assets', express.static(ASSETS, { index: false }));
}
