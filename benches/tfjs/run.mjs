// Serves the TF.js benchmark page (benches/tfjs/index.html) on 127.0.0.1 with TensorFlow.js and its wasm backend
// straight from node_modules (the .wasm files included: tf.wasm.setWasmPaths points at this origin) and the corpus
// from ../shared/corpora/, and runs one case in a page of the given browser. Nothing is fetched from elsewhere: the
// page is opened with the test helpers' origin guard, whose findings come back as `problems`.

import { createServer } from 'node:http';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { openPage, ROOT } from '../../tests/browser/helpers.mjs';

const HERE = join(ROOT, 'benches', 'tfjs');
/** URL prefix → folder on disk. */
const MOUNTS = [
  ['/tf/', join(ROOT, 'node_modules', '@tensorflow', 'tfjs', 'dist')],
  ['/tf-wasm/', join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')],
  ['/', HERE],
];
const FILES = { '/corpus.txt': join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt') };
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file a URL path names, or null. */
function resolvePath(pathname) {
  if (FILES[pathname]) return FILES[pathname];
  if (pathname === '/') pathname = '/index.html';
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
    return file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

/** @returns {Promise<{origin: string, url: string, stop: () => Promise<void>}>} */
export async function startTfjsServer() {
  const server = createServer(async (req, res) => {
    const file = resolvePath(new URL(req.url, 'http://x').pathname);
    try {
      if (!file || !(await stat(file)).isFile()) throw new Error('not found');
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: `${origin}/`,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * Train `spec` with TF.js (wasm backend) in a new page of `browser`; answers
 * {rates, env: {backend, version, simd, threads, …}, lastLoss, problems}.
 */
export async function measureTfjs(browser, server, spec, opts) {
  const { page, context, problems } = await openPage(browser, server.origin);
  try {
    await page.goto(server.url);
    const env = await page.evaluate((prefix) => window.tfBench.init(prefix), `${server.origin}/tf-wasm/`);
    if (env.backend !== 'wasm') throw new Error(`TF.js did not start its wasm backend: ${JSON.stringify(env)}`);
    const r = await page.evaluate(([s, o]) => window.tfBench.run(s, o), [spec, opts]);
    return { ...r, env, problems };
  } finally {
    await context.close();
  }
}
