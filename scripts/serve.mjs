#!/usr/bin/env node
// A dependency-free static server for the rnnscope demo: what a course author's static host does with dist/.
//
//   node scripts/serve.mjs [--port N] [--root DIR] [--base /PATH/]
//     --port  (or PORT=N) 0 picks a free port; by default 8000, or a free port when 8000 is taken
//     --root  the folder to serve: dist/ by default (scripts/build-dist.sh builds it); `--root dev` serves www/
//             at the base and pkg/ and models/ beside it, straight from the work tree
//     --base  the subpath to serve it under, e.g. /course/rnnscope/ (default /)
//
// Listens on 127.0.0.1 only. Prints exactly one line, `rnnscope demo: http://127.0.0.1:PORT/BASE`, on stdout
// once it is listening (the browser tests parse it). Every response carries a strict Content-Security-Policy
// header: the page may load only its own scripts, styles and wasm, and talk to no other origin. embed.html may be
// framed by any page (it is made to be); the others only by pages of their own origin. Responses allow any origin
// to read them (Access-Control-Allow-Origin: *), as public static hosts do, so the element also loads inside a
// sandboxed iframe, whose origin is opaque.

import { createServer } from 'node:http';
import { open, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The value of `--name X` or `--name=X` in argv, or null. */
function option(argv, name) {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1] ?? null;
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : null;
}

/** URL prefix → directory on disk, longest prefix first, for the folder `root` served under `base`. */
export function mounts(root = 'dist', base = '/') {
  if (root === 'dev') {
    return [
      [`${base}pkg/`, join(ROOT, 'pkg')],
      [`${base}models/`, join(ROOT, 'models')],
      [`${base}examples/`, join(ROOT, 'examples')],
      [base, join(ROOT, 'www')],
    ];
  }
  return [[base, resolve(ROOT, root)]];
}

let MOUNTS = mounts();

const CSP_PARTS = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];
export const CSP = [...CSP_PARTS, "frame-ancestors 'self'"].join('; ');
/** embed.html is made to be framed by course pages anywhere. */
export const EMBED_CSP = [...CSP_PARTS, 'frame-ancestors *'].join('; ');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.safetensors': 'application/octet-stream',
};

const DEFAULT_PORT = 8000;

/** The port asked for on the command line or in PORT, or null when none was. */
function parsePort(argv, env) {
  const i = argv.indexOf('--port');
  let raw = env.PORT ?? null;
  if (i >= 0) raw = argv[i + 1];
  const eq = argv.find((a) => a.startsWith('--port='));
  if (eq) raw = eq.slice('--port='.length);
  if (raw === null) return null;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`serve: bad port ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return port;
}

/** Map a URL path to a file inside one of the mounts, or null if it is outside them (traversal) or malformed. */
export function resolvePath(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  // Any `..` segment is refused outright rather than normalised away.
  if (decoded.split('/').some((seg) => seg === '..')) return null;
  for (const [prefix, dir] of MOUNTS) {
    if (decoded === prefix.slice(0, -1) && prefix !== '/') decoded = prefix;
    if (!decoded.startsWith(prefix)) continue;
    let rel = decoded.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const full = resolve(dir, rel);
    if (full !== dir && !full.startsWith(dir + sep)) return null;
    return full;
  }
  return null;
}

function send(res, status, body, headers = {}, csp = CSP) {
  res.writeHead(status, {
    'Content-Security-Policy': csp,
    'Access-Control-Allow-Origin': '*',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  });
  res.end(body);
}

async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  let url;
  try {
    url = new URL(req.url, 'http://127.0.0.1');
  } catch {
    send(res, 400, 'bad request\n');
    return;
  }
  // Look at the raw path too: URL() already collapsed `..`, so check what the client actually sent.
  const rawPath = req.url.split('?')[0].split('#')[0];
  if (/(^|\/|%2f)(\.\.|%2e%2e|\.%2e|%2e\.)(\/|%2f|$)/i.test(rawPath)) {
    send(res, 403, 'forbidden\n');
    return;
  }
  const file = resolvePath(url.pathname);
  if (!file) {
    send(res, 403, 'forbidden\n');
    return;
  }
  let fh;
  try {
    const st = await stat(file);
    if (!st.isFile()) {
      send(res, 404, 'not found\n');
      return;
    }
    fh = await open(file, 'r');
    const body = req.method === 'HEAD' ? '' : await fh.readFile();
    send(
      res,
      200,
      body,
      {
        'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': String(st.size),
      },
      file.endsWith(`${sep}embed.html`) ? EMBED_CSP : CSP,
    );
  } catch (err) {
    if (err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) send(res, 404, 'not found\n');
    else send(res, 500, 'internal error\n');
  } finally {
    await fh?.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const asked = parsePort(argv, process.env);
  let base = option(argv, 'base') ?? '/';
  if (!base.startsWith('/')) base = `/${base}`;
  if (!base.endsWith('/')) base += '/';
  const root = option(argv, 'root') ?? 'dist';
  MOUNTS = mounts(root, base);
  if (root !== 'dev') {
    stat(join(MOUNTS[0][1], 'index.html')).catch(() => {
      process.stderr.write(`serve: ${MOUNTS[0][1]} has no index.html; run bash scripts/build-dist.sh first\n`);
    });
  }
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.on('error', (err) => {
    if (asked === null && err.code === 'EADDRINUSE') {
      process.stderr.write(`serve: port ${DEFAULT_PORT} is taken; using a free one\n`);
      server.listen(0, '127.0.0.1');
      return;
    }
    process.stderr.write(`serve: ${err.message}\n`);
    process.exit(1);
  });
  server.on('listening', () => {
    process.stdout.write(`rnnscope demo: http://127.0.0.1:${server.address().port}${base}\n`);
  });
  server.listen(asked ?? DEFAULT_PORT, '127.0.0.1');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
