import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the web app (the same relative place from src/ and dist/). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Changeboard</title>
<body>
<h1>The web app is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it) and reload.
The API is at <a href="/api/v1/openapi.json">/api/v1</a>.</p></body></html>`;

/**
 * Serves the built React app: its files, and index.html for every other
 * non-API path (/changes/CHG-4, /calendar…), where the app's router takes over.
 * Hashed files under /assets/ never change, so browsers may keep them for a year.
 */
export function registerWebApp(app: FastifyInstance, root: string): void {
  const base = resolve(root);
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    if (path === '/api' || path.startsWith('/api/')) {
      return reply.status(404).send({
        error: { code: 'not_found', message: `no route ${request.method} ${path}`, details: [] },
      });
    }
    const index = join(base, 'index.html');
    if (!existsSync(index)) return reply.status(503).type(TYPES['.html']!).send(NOT_BUILT);
    const file = normalize(join(base, path));
    if (file.startsWith(base + sep) && extname(file) !== '') {
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile()) {
        return reply
          .type(TYPES[extname(file)] ?? 'application/octet-stream')
          .header(
            'cache-control',
            path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
          )
          .send(await readFile(file));
      }
      // A missing file with an extension is a broken link, not a page of the app.
      if (path.startsWith('/assets/'))
        return reply.status(404).type('text/plain').send('not found');
    }
    return reply
      .type(TYPES['.html']!)
      .header('cache-control', 'no-cache')
      .send(await readFile(index));
  };
  app.get('/*', { schema: { hide: true } }, serve);
}
