// Shared setup for the browser tests: start scripts/serve.mjs on a free port, launch Debian's chromium through
// playwright-core, and open the page with guards that fail the test on uncaught errors, console errors and any
// request that leaves the serving origin. No sleeps: everything waits on conditions.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

/** Generous: a --dev wasm build on a small CI machine trains slowly. */
export const WAIT = 120_000;

/**
 * Start the static server on port 0, serving the built folder (`root`: dist/ by default; another built folder for a
 * benchmark's comparison) under `base`, and read the URL from its one stdout line.
 * @returns {Promise<{url: string, origin: string, stop: () => Promise<void>}>}
 */
export async function startServer({ base = '/', root = 'dist' } = {}) {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'serve.mjs'), '--port', '0', '--root', root, '--base', base], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^rnnscope demo: (http:\/\/127\.0\.0\.1:\d+\/\S*)\n/m.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${err}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

/**
 * Start the server and the browser before the calling file's tests and stop them after: each test file has its own.
 * `server` and `browser` are filled in before the first test; a file's own `before` hook awaits `ready` first (root
 * hooks may run side by side).
 * @returns {{server: Awaited<ReturnType<typeof startServer>>, browser: import('playwright-core').Browser,
 *   ready: Promise<void>}}
 */
export function serverAndBrowser({ base = '/' } = {}) {
  let started;
  let failed;
  const env = { server: null, browser: null, ready: new Promise((resolve, reject) => { started = resolve; failed = reject; }) };
  env.ready.catch(() => {}); // reported by the hook below; a file without its own hook need not await it
  before(async () => {
    try {
      env.server = await startServer({ base });
      env.browser = await launch();
      started();
    } catch (err) {
      failed(err);
      throw err;
    }
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/** Debian's chromium, headless. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A new page (in its own context, so IndexedDB starts empty) with error and origin guards and a long-task observer
 * installed before any page script runs. `problems` collects everything that should fail the test.
 * @param {import('playwright-core').Browser} browser
 * @param {string} origin
 * @param {{width?: number, height?: number, acceptDownloads?: boolean}} [opts]
 */
export async function openPage(browser, origin, { width = 1280, height = 900, acceptDownloads = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads });
  const problems = [];
  const requests = [];
  context.on('request', (r) => {
    const u = r.url();
    requests.push(u);
    if (u.startsWith('blob:') || u.startsWith('data:')) return;
    let o;
    try {
      o = new URL(u).origin;
    } catch {
      o = u;
    }
    if (o !== origin) problems.push(`request off the origin: ${u}`);
  });
  await context.addInitScript(() => {
    // Queries that look inside the elements' shadow roots too (the page is made of <rnn-scope> elements).
    const all = (root, sel, out) => {
      out.push(...root.querySelectorAll(sel));
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) all(el.shadowRoot, sel, out);
      return out;
    };
    window.$qa = (sel) => all(document, sel, []);
    window.$q = (sel) => window.$qa(sel)[0] ?? null;
    window.__longtasks = [];
    window.__renderTimes = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      window.__longtasks = null;
    }
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`uncaught error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('crash', () => problems.push('the page crashed'));
  return { context, page, problems, requests };
}

/**
 * The problems of a page that had some it was meant to have: each `[text, count]` of `expected` must be among
 * `problems` exactly `count` times (the text as the guards of openPage write it, "console error: …", or a RegExp
 * the whole of it matches). Returns the others, for the file's last test to find empty.
 * @param {string[]} problems
 * @param {[string|RegExp, number][]} expected
 */
export function besidesExpected(problems, expected) {
  const is = (want) => (m) => (want instanceof RegExp ? want.test(m) : m === want);
  for (const [want, count] of expected) {
    const seen = problems.filter(is(want)).length;
    assert.equal(seen, count, `expected ${count} × ${want}, saw ${seen}; all: ${JSON.stringify(problems, null, 1)}`);
  }
  return problems.filter((m) => !expected.some(([want]) => is(want)(m)));
}

/**
 * Chromium's report of an inline style the strict CSP (style-src 'self') refuses, as openPage's guard writes it;
 * the hash is of the refused text.
 */
export const INLINE_STYLE_REFUSED =
  /^console error: Applying inline style violates the following Content Security Policy directive 'style-src 'self''\. Either the 'unsafe-inline' keyword, a hash \('sha256-[A-Za-z0-9+/]{43}='\), or a nonce \('nonce-\.\.\.'\) is required to enable inline execution\. The action has been blocked\.$/;

/**
 * Open the served page (at `hash`) in a new context and wait until it has a model and has probed the text box. The
 * page's `problems` are added to `collected` (if given), which the file's last test asserts empty.
 * @param {{browser: import('playwright-core').Browser, server: {origin: string, url: string}}} env
 * @param {string[][]|null} collected
 * @param {{hash?: string, width?: number, height?: number, acceptDownloads?: boolean}} [opts]
 */
export async function visit(env, collected, { hash = '', ...opts } = {}) {
  const p = await openPage(env.browser, env.server.origin, opts);
  collected?.push(p.problems);
  await p.page.goto(env.server.url + hash);
  await waitReady(p.page);
  return p;
}

/** Wait until the page has a model and has probed the text box with it. */
export async function waitReady(page) {
  await page.waitForFunction(() => window.rnnscope && window.rnnscope.ready(), null, { timeout: WAIT });
}

/** The step count shown in the header. */
export async function shownStep(page) {
  return Number(await page.locator('[data-testid="step"]').textContent());
}

/** Wait until the shown step count reaches `n`. */
export async function waitStep(page, n) {
  await page.waitForFunction(
    (k) => Number($q('[data-testid="step"]').textContent) >= k,
    n,
    { timeout: WAIT },
  );
}

/** Wait until the run-state pill says `state` ('training', 'paused', …). */
export async function waitState(page, state) {
  await page.waitForFunction((s) => $q('[data-testid="run-state"]').dataset.state === s, state, {
    timeout: WAIT,
  });
}

/** Pause training and wait until the page says it is paused. */
export async function pause(page) {
  if ((await page.locator('[data-testid="run-state"]').getAttribute('data-state')) === 'training') {
    await page.getByRole('button', { name: 'Pause' }).click();
  }
  await page.waitForFunction(() => !window.rnnscope.running() && $q('[data-testid="run-state"]').dataset.state !== 'training', null, {
    timeout: WAIT,
  });
}

/**
 * Wait until `locator`'s text is `want` (a string: exactly; a RegExp: matching), then return it. The page draws on
 * animation frames, a part at a time, so text that follows an action is waited for rather than read at once. On a
 * timeout it fails with the text last shown.
 */
export async function shownText(locator, want) {
  const spec = want instanceof RegExp ? { source: want.source, flags: want.flags } : { exact: String(want) };
  try {
    await locator.page().waitForFunction(
      ([el, w]) => {
        const t = el.textContent;
        return w.exact !== undefined ? t === w.exact : new RegExp(w.source, w.flags).test(t);
      },
      [await locator.elementHandle({ timeout: WAIT }), spec],
      { timeout: WAIT },
    );
  } catch (e) {
    const last = await locator.textContent().catch(() => '(gone)');
    throw new assert.AssertionError({ message: `text never became ${want}: ${e.message}`, actual: last, expected: want, operator: 'shownText' });
  }
  return locator.textContent();
}

/** Wait until whatever the page has marked to redraw is drawn (panels out of view excepted). */
export async function frames(page) {
  await page.evaluate(() => window.rnnscope.drawn());
}

/** The guesses shown in the "Next-character guesses" list: [{char, prob}] and the text they follow. */
export async function shownGuesses(page) {
  return page.evaluate(() => {
    const list = $q('[data-testid="predictions"]');
    return {
      prefix: list.dataset.prefix ?? null,
      guesses: Array.from(list.querySelectorAll('li')).map((li) => ({ char: li.dataset.char, prob: li.dataset.prob })),
    };
  });
}

/** Replace the text in the "Text to look at" box by typing it key by key, as a visitor would. */
export async function typeProbe(page, text) {
  const box = page.getByLabel('Text to look at');
  await box.fill('');
  await box.pressSequentially(text);
}

/** Wait until the guesses list shows the guesses after exactly `prefix` with a probe of the current model. */
export async function waitGuessesFor(page, prefix) {
  await page.waitForFunction(
    (p) => {
      const list = $q('[data-testid="predictions"]');
      const d = window.rnnscope.probe();
      return list.dataset.prefix === p && d && d.steps === Array.from(p).length && list.querySelectorAll('li').length > 0;
    },
    prefix,
    { timeout: WAIT },
  );
}

/** The texts of the messages currently shown. */
export async function messages(page) {
  return page.locator('[data-testid="message"]').allTextContents();
}

/**
 * Fill the full page's model form as a visitor would (`{cell, nonlinearity?, hidden, layers, seqLen, batch,
 * optimizer?, valFraction?, lr}`) and open `file` with "Open a text file…": the page builds that model on the text
 * and trains it. Resolves once a model of that size is training.
 */
export async function trainOnFile(page, setup, file) {
  await page.getByLabel(/^Cell/).selectOption(setup.cell);
  if (setup.cell === 'rnn' && setup.nonlinearity) await page.getByLabel('RNN nonlinearity').selectOption(setup.nonlinearity);
  await page.getByLabel('Hidden units').fill(String(setup.hidden));
  await page.getByLabel('Layers', { exact: true }).fill(String(setup.layers));
  await page.getByLabel('Sequence length').fill(String(setup.seqLen));
  await page.getByLabel('Batch size').fill(String(setup.batch));
  if (setup.optimizer) await page.getByLabel('Optimizer').selectOption(setup.optimizer);
  if (setup.valFraction !== undefined) await page.getByLabel('Validation share').fill(String(setup.valFraction));
  await page.getByLabel('exact').fill(String(setup.lr));
  await page.getByLabel('exact').press('Enter');
  await page.getByLabel('Open a text file…').setInputFiles(file);
  await page.waitForFunction(
    (k) => {
      const i = window.rnnscope.info();
      return i && i.cell === k.cell && i.hidden === k.hidden && i.layers === k.layers && window.rnnscope.running();
    },
    setup,
    { timeout: 120_000 },
  );
}

/**
 * Runs the CLI, `rnnscope ARGS`, and answers its standard output. It is built in cargo's test profile (optimised,
 * target/debug/), the binary `cargo test` has already built, so the suite never waits for a second, release build;
 * the arithmetic is the same bit for bit (Rust does not reorder floating-point operations at any level).
 */
export async function cli(args) {
  const { stdout } = await promisify(execFile)('cargo', ['run', '--profile', 'test', '--quiet', '--', ...args], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
    timeout: 30 * 60_000,
  });
  return stdout;
}

/** The CLI's JSON answer: `rnnscope ARGS --json`. */
export async function cliJson(args) {
  return JSON.parse(await cli([...args, '--json']));
}

/**
 * axe-core's serious and critical violations on the page of `p` (from openPage) as it is now, shadow roots
 * included; then its context is closed, so that every report of the page has come in. To read a shadow root's
 * stylesheets axe copies each into a <style> element of its own, which the strict CSP refuses: Chromium reports
 * exactly one INLINE_STYLE_REFUSED for each stylesheet linked in an <rnn-scope>'s shadow root, while axe runs.
 * `problems` is the page's problems besides those reports, for the file's last test to find empty: any other
 * refused inline style, before, during or after the audit, is in it.
 */
export async function axeAudit(p) {
  const before = p.problems.length;
  const linked = await p.page.evaluate(() =>
    [...document.querySelectorAll('rnn-scope')].reduce((n, el) => n + el.shadowRoot.querySelectorAll('link[rel="stylesheet"]').length, 0),
  );
  const violations = await axeViolations(p.page);
  await p.context.close();
  const problems = [...p.problems.slice(0, before), ...besidesExpected(p.problems.slice(before), [[INLINE_STYLE_REFUSED, linked]])];
  return { violations, problems };
}

/** axe-core's serious and critical violations on the page as it is now (shadow roots included). */
export async function axeViolations(page) {
  await page.evaluate(readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')); // through the DevTools protocol, which the page's CSP does not govern
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
  });
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, name);
}

/** The code block that follows `<!-- snippet: NAME -->` in the README, without its indentation. */
export function readmeSnippet(name) {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- snippet: ${name.replace(/[.]/g, '\\.')} -->\\n( *)\`\`\`\\w*\\n([\\s\\S]*?)\\n\\1\`\`\``).exec(readme);
  assert.ok(m, `the README has no snippet "${name}"`);
  return m[2]
    .split('\n')
    .map((line) => line.slice(m[1].length))
    .join('\n');
}

/**
 * Starts `command args` (a tool's own server, under test) and resolves once its output, colours left out, matches
 * `listening`: with the match and a `stop()` that ends the process.
 * @param {string} command
 * @param {string[]} args
 * @param {{cwd?: string, listening: RegExp}} opts
 */
export async function startProcess(command, args, { cwd, listening }) {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const match = await new Promise((resolve, reject) => {
    const read = (d) => {
      log += d;
      const m = listening.exec(log.replaceAll(String.fromCharCode(27), '').replace(/\[[0-9;]*m/g, ''));
      if (m) resolve(m);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code}:\n${log}`)));
  });
  return {
    match,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

/** Waits until `predicate([element, arg])` holds in the page, `element` being the one `locator` finds. */
export async function until(locator, predicate, arg) {
  await locator.page().waitForFunction(predicate, [await locator.elementHandle(), arg], { timeout: WAIT });
}

/**
 * The README's two elements (its "elements" snippet) on `page`, once each has been scrolled to, has its model and is
 * shown at a real size (at least 400 × 200 px): `{figure, diagram}` locators.
 * @param {import('playwright-core').Page} page
 */
export async function readmeElementsShown(page) {
  const figure = page.locator('rnn-scope[view="figure"]');
  const diagram = page.locator('rnn-scope[view="diagram"]');
  for (const el of [figure, diagram]) {
    await el.scrollIntoViewIfNeeded();
    await until(el, ([e]) => e.hooks.ready());
    const box = await el.boundingBox();
    assert.ok(box && box.width >= 400 && box.height >= 200, `${await el.getAttribute('view')} is ${box?.width}×${box?.height} px`);
  }
  assert.deepEqual(await figure.evaluate((e) => ({ cell: e.hooks.info().cell, hidden: e.hooks.info().hidden })), { cell: 'rnn', hidden: 3 });
  assert.deepEqual(await diagram.evaluate((e) => ({ cell: e.hooks.info().cell, layers: e.hooks.info().layers })), { cell: 'lstm', layers: 2 });
  return { figure, diagram };
}
