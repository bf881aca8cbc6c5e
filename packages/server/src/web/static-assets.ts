import { hash } from 'node:crypto';
import type { AreaRoutes } from '../routes/area-router.js';
import { readWebFile } from './web-files.js';

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** Where the page finds each asset: a name with the content's hash, so it can be cached for a year. */
export interface AssetUrls {
  css: string;
  js: string;
}

/**
 * The gallery's CSS and script, held in memory and served at /assets/NAME.HASH.EXT with immutable caching.
 * Separate files, never inline, so helmet's Content-Security-Policy stays as strict as it is.
 */
export function staticAssets(): { urls: AssetUrls; routes(router: AreaRoutes): void } {
  const byPath = new Map<string, Asset>();
  const add = (file: string, type: string) => {
    const body = withoutComments(readWebFile(`assets/${file}`));
    const digest = hash('sha256', body, 'base64url').slice(0, 12);
    const dot = file.lastIndexOf('.');
    const url = `/assets/${file.slice(0, dot)}.${digest}${file.slice(dot)}`;
    byPath.set(url, { body, type, etag: `"${digest}"` });
    return url;
  };
  const urls = { css: add('gallery.css', 'text/css; charset=utf-8'), js: add('gallery.js', 'text/javascript; charset=utf-8') };
  return {
    urls,
    routes(router) {
      router.get('/assets/:file', (req, res, next) => {
        const asset = byPath.get(req.path);
        if (!asset) return next();
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        res.setHeader('ETag', asset.etag);
        if (req.headers['if-none-match'] === asset.etag) return void res.status(304).end();
        res.setHeader('Content-Type', asset.type);
        res.setHeader('Content-Length', asset.body.length);
        res.end(asset.body);
      });
    },
  };
}

/**
 * The file without its comment lines and indentation: they are for whoever reads the source, and are a sixth of
 * what a gallery page weighs (web-text.test.ts holds the page to 30 KB). Only whole lines go: a line that is a `//`
 * comment or a one-line block comment. A comment after code, or a block comment over several lines, stays.
 */
function withoutComments(source: Buffer): Buffer {
  const lines = source.toString('utf8').split('\n').map((line) => line.trim());
  return Buffer.from(lines.filter((line) => line !== '' && !line.startsWith('//') && !(line.startsWith('/*') && line.endsWith('*/') && !line.slice(2, -2).includes('*/'))).join('\n') + '\n', 'utf8');
}
