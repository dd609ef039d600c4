// The single file (dist/rnnscope.js) as the tools that need it use it: copied alone into an empty folder under a
// hashed name (as MyST and bundlers do) and imported from there, and imported from a blob URL (as anywidget does
// with a module's text), each under a Content-Security-Policy: one that forbids workers (the model then runs in the
// page, and says so), and one that allows workers from blob: URLs (the model then trains in one).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, WAIT, launch, openPage, screenshotPath } from './helpers.mjs';

const HASHED = 'rnnscope-3f9a1c2e.js';
/** Workers forbidden; the page's own scripts and wasm only. */
const NO_WORKERS = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'none'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";
/** Modules and workers from blob: URLs allowed, as anywidget hosts need. */
const BLOB_WORKERS = "default-src 'self'; script-src 'self' blob: 'wasm-unsafe-eval'; worker-src blob:; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

/** What Chromium logs, once, when the page's CSP refuses the first worker. */
const REFUSED = `console error: Creating a worker from 'blob:…' violates the following Content Security Policy directive: "worker-src 'none'". The action has been blocked.`;

let dir;
let server;
let origin;
let browser;

/** A page with two elements: the figure of a 3-unit RNN, and the diagram of an LSTM. */
const BODY = '<rnn-scope id="fig" view="figure" corpus="hello" cell="rnn" hidden-size="3"></rnn-scope>' +
  '<rnn-scope id="dia" view="diagram" corpus="hello" probe="hel"></rnn-scope>';
const page = (script) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>single</title>${script}</head><body>${BODY}</body></html>`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rnnscope-single-'));
  copyFileSync(join(ROOT, 'dist', 'rnnscope.js'), join(dir, HASHED));
  writeFileSync(join(dir, 'alone.html'), page(`<script type="module" src="${HASHED}"></script>`));
  writeFileSync(join(dir, 'blob.html'), page('<script type="module" src="from-blob.js"></script>'));
  writeFileSync(join(dir, 'blob-no-workers.html'), page('<script type="module" src="from-blob.js"></script>'));
  // What anywidget does with a module's text: a blob URL of it, imported.
  writeFileSync(join(dir, 'from-blob.js'), `const text = await (await fetch('${HASHED}')).text();\nawait import(URL.createObjectURL(new Blob([text], { type: 'text/javascript' })));\n`);
  const csp = { '/alone.html': NO_WORKERS, '/blob.html': BLOB_WORKERS, '/blob-no-workers.html': NO_WORKERS.replace("'self' 'wasm", "'self' blob: 'wasm") };
  server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    let body;
    try {
      body = readFileSync(join(dir, path.slice(1)));
    } catch {
      res.writeHead(404).end();
      return;
    }
    const type = path.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
    res.writeHead(200, { 'Content-Type': type, ...(csp[path] ? { 'Content-Security-Policy': csp[path] } : {}) }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Open `file`, wait until both elements train and the diagram shows its text; answer what the page shows. */
async function trains(file) {
  const { page: p, problems, context } = await openPage(browser, origin);
  await p.goto(`${origin}/${file}`);
  await p.waitForFunction(() => ['fig', 'dia'].every((id) => document.getElementById(id)?.hooks?.step() > 5), null, { timeout: WAIT });
  await p.locator('#dia [data-testid="hell-col"]').nth(2).waitFor({ timeout: WAIT });
  const seen = await p.evaluate(() => ({
    modes: ['fig', 'dia'].map((id) => document.getElementById(id).hooks.engineMode()),
    heights: ['fig', 'dia'].map((id) => document.getElementById(id).getBoundingClientRect().height),
    figureCols: document.getElementById('fig').shadowRoot.querySelectorAll('[data-testid="figure-col"]').length,
    stats: customElements.get('rnn-scope').stats(),
  }));
  await p.getByTestId('workers').first().waitFor({ timeout: WAIT });
  seen.where = (await p.locator('#dia [data-testid="workers"]').textContent()).trim();
  if (file === 'alone.html') await p.screenshot({ path: screenshotPath('single-file.png') });
  await context.close();
  return { seen, problems };
}

test('copied alone under a hashed name, with workers forbidden: both elements render at a real size and train, in the page', async () => {
  const { seen, problems } = await trains('alone.html');
  assert.deepEqual(seen.modes, ['main-thread', 'main-thread']);
  assert.equal(seen.where, 'this page');
  assert.ok(seen.heights.every((h) => h > 150), `heights ${seen.heights}`);
  assert.equal(seen.figureCols, 5);
  assert.equal(seen.stats.workers, 0);
  // The browser reports the refused worker once for the page (the second element does not try), and nothing else.
  assert.deepEqual(problems.map((p) => p.replace(/blob:[^']+/, 'blob:…')), [REFUSED]);
});

test('imported from a blob URL, workers from blob URLs allowed: both train in workers', async () => {
  const { seen, problems } = await trains('blob.html');
  assert.deepEqual(seen.modes, ['worker', 'worker']);
  assert.equal(seen.where, '1 worker');
  assert.ok(seen.heights.every((h) => h > 150), `heights ${seen.heights}`);
  assert.equal(seen.stats.workers, 2);
  assert.deepEqual(problems, []);
});

test('imported from a blob URL, workers forbidden: both train in the page', async () => {
  const { seen, problems } = await trains('blob-no-workers.html');
  assert.deepEqual(seen.modes, ['main-thread', 'main-thread']);
  assert.equal(seen.where, 'this page');
  assert.ok(seen.heights.every((h) => h > 150), `heights ${seen.heights}`);
  assert.deepEqual(problems.map((p) => p.replace(/blob:[^']+/, 'blob:…')), [REFUSED]);
});
