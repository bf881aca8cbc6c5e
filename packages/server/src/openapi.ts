import { authPaths } from './openapi/auth.js';
import { changeStreamPaths } from './openapi/change-stream.js';
import { components } from './openapi/shared.js';
import { historyPaths } from './openapi/history.js';
import { legacyPaths } from './openapi/legacy.js';
import { packPaths } from './openapi/packs.js';
import { servicePaths } from './openapi/service.js';
import { snekPaths } from './openapi/sneks.js';
import { webPaths } from './web/openapi-paths.js';

// Each area describes its own paths in src/openapi/; a new area adds its file and one line below.

/** The OpenAPI 3.1 description of every route this server has. */
export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Snek API',
      version,
      description: 'Sneks as a Service: ASCII-art sneks, served from your own network.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: resolved against where this document was fetched, so it is right behind any host, port or proxy.
    // A client generator fed a saved copy needs the server's URL as its base URL instead.
    servers: [{ url: '/', description: 'The server that served this document' }],
    tags: [
      { name: 'sneks', description: 'Sneks and their types' },
      { name: 'history', description: 'Revisions of each snek, undo, and the audit log: all read from the store\'s change log' },
      { name: 'legacy', description: "The Python prototype's API" },
      { name: 'service', description: 'Health checks and this description' },
      { name: 'gallery', description: 'The snek gallery for browsers, and plain-text sneks for curl (off with `server.web: false`)' },
    ],
    components: components(),
    paths: { ...snekPaths(), ...historyPaths(), ...packPaths(), ...legacyPaths(), ...servicePaths(), ...authPaths(), ...webPaths(), ...changeStreamPaths() },
  };
}
