import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { requireScope, type AccessPolicy } from '../access.js';
import { openApiDocument } from '../openapi.js';
import { problemHandler } from '../problem.js';
import type { RateLimits } from '../rate-limits.js';
import { areaRouter } from './area-router.js';

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

export interface DocsRouterOptions {
  version: string;
  access: AccessPolicy;
  limits?: RateLimits | undefined;
  logger: Logger;
}

/** /openapi.json, and /docs rendering it with Swagger UI served from this server (no CDN). Reads, like the API. */
export function docsRouter(options: DocsRouterOptions): Router {
  const document = openApiDocument(options.version);
  const isPrivate = options.access.read === 'token';
  const canRead = requireScope(options.access, 'read');
  const routes = areaRouter(() => (isPrivate ? [canRead] : []), options.limits);
  routes.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  routes.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  routes.get('/docs/init.js', (_req, res) => {
    res.type('js').send(INIT);
  });
  // On a private server the guard's Cache-Control: private must stand; serve-static would replace it.
  routes.use('/docs/assets', express.static(ASSETS, { index: false, cacheControl: !isPrivate }));
  return routes.seal(problemHandler(options.logger));
}
