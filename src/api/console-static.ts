/**
 * Serving the built web console (web/, built by Vite into dist/console) at
 * `/` on the TCP listener. The folder is, in order: $VIRTNET_CONSOLE_DIR;
 * `console/` beside the daemon's bundle (dist/virtnetd.js → dist/console);
 * the repository's dist/console (when the daemon runs from src/). Without a
 * built console, `/` answers a short page saying how to build it.
 *
 * Only files under that folder are served (no `..`, no dot-files); the page
 * is never cached, the content-hashed assets are cached for good. Every
 * answer carries a Content-Security-Policy that allows the console's own
 * scripts only, and forbids framing.
 *
 * The build writes each text asset compressed beside it (NAME.br, NAME.gz:
 * scripts/build-web.mjs); a browser that takes brotli or gzip gets that
 * file as it is, with its Content-Encoding, so nothing is compressed while
 * serving. Files are streamed from disk, never held in the daemon's memory.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
};

const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Where the built console is, or undefined when it is not built. */
export function findConsoleDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  const fromEnv = env['VIRTNET_CONSOLE_DIR'];
  if (fromEnv) candidates.push(resolve(fromEnv));
  const here = dirname(fileURLToPath(import.meta.url));
  candidates.push(join(here, 'console'));
  if (process.argv[1]) candidates.push(join(dirname(resolve(process.argv[1])), 'console'));
  candidates.push(resolve(here, '../../dist/console'));
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>virtnet</title></head>
<body><h1>virtnet</h1><p>The web console is not built. Run <code>npm run build</code> in the virtnet
repository (it writes <code>dist/console</code>), or point <code>VIRTNET_CONSOLE_DIR</code> at a built console, then reload.</p></body></html>
`;

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/** The encodings a request accepts, of those the build writes, best first. */
function acceptedEncodings(header: string | string[] | undefined): ('br' | 'gzip')[] {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const accepted = new Map<string, number>();
  for (const part of text.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string): boolean => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  return (['br', 'gzip'] as const).filter(ok);
}

const SUFFIX = { br: '.br', gzip: '.gz' } as const;

/** Send `file` (its precompressed twin when the request takes one), streamed from disk. */
function sendFile(reply: FastifyReply, file: string, acceptEncoding: string | string[] | undefined): FastifyReply {
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  reply.type(type);
  let chosen = file;
  for (const encoding of acceptedEncodings(acceptEncoding)) {
    const twin = file + SUFFIX[encoding];
    if (existsSync(twin)) {
      chosen = twin;
      reply.header('content-encoding', encoding);
      break;
    }
  }
  if (chosen !== file || existsSync(file + SUFFIX.gzip)) reply.header('vary', 'accept-encoding');
  reply.header('content-length', String(statSync(chosen).size));
  return reply.send(createReadStream(chosen));
}

/** The file a URL path names inside `root`, or undefined when it is not one we serve. */
function assetFile(root: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (rel.includes('\0') || rel.split('/').some((part) => part.startsWith('.'))) return undefined;
  const file = resolve(root, `.${rel}`);
  if (!file.startsWith(root + sep)) return undefined;
  try {
    return statSync(file).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

export function registerConsoleStatic(app: FastifyInstance, dir: string | undefined): void {
  const root = dir === undefined ? undefined : resolve(dir);
  const hide = { schema: { hide: true }, config: { access: { read: true as const } } };

  const page = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    secure(reply).header('cache-control', 'no-cache');
    if (root === undefined) return reply.type('text/html; charset=utf-8').send(NOT_BUILT);
    return sendFile(reply, join(root, 'index.html'), request.headers['accept-encoding']);
  };
  app.get('/', hide, page);
  app.get('/index.html', hide, page);

  const file = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const path = request.url.split('?')[0] ?? '';
    const found = root === undefined ? undefined : assetFile(root, path);
    secure(reply);
    if (found === undefined) {
      return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    }
    const immutable = path.startsWith('/assets/');
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return sendFile(reply, found, request.headers['accept-encoding']);
  };
  app.get('/assets/*', hide, file);
  app.get('/favicon.svg', hide, file);
}
