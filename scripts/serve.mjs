#!/usr/bin/env node
// A dependency-free static server for the rnnscope browser demo.
//
//   node scripts/serve.mjs [--port N]      (or PORT=N; 0 picks a free port; by default 8000, or a free port
//                                          when 8000 is taken)
//
// Serves www/ at / and the wasm-pack output pkg/ at /pkg/, on 127.0.0.1 only. Prints exactly one line,
// `rnnscope demo: http://127.0.0.1:PORT/`, on stdout once it is listening (the browser tests parse it).
// Every response carries a strict Content-Security-Policy header: the page may load only its own scripts,
// styles and wasm, and talk to no other origin.

import { createServer } from 'node:http';
import { open, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** URL prefix → directory on disk. Longest prefix first. */
const MOUNTS = [
  ['/pkg/', join(ROOT, 'pkg')],
  ['/', join(ROOT, 'www')],
];

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
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
    send(res, 200, body, {
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(st.size),
    });
  } catch (err) {
    if (err && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) send(res, 404, 'not found\n');
    else send(res, 500, 'internal error\n');
  } finally {
    await fh?.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const asked = parsePort(process.argv.slice(2), process.env);
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
    process.stdout.write(`rnnscope demo: http://127.0.0.1:${server.address().port}/\n`);
  });
  server.listen(asked ?? DEFAULT_PORT, '127.0.0.1');
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
