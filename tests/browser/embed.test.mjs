// embed.html, the iframe page a course platform that strips scripts takes: set up by its URL fragment (the
// element's attribute names, plus `text`), it names the keys it does not know above the element and ignores them,
// trains on the fragment's text, and where no worker can start (a sandboxed frame's opaque origin, a host whose CSP
// says worker-src 'none') runs the model on its own thread and says so in one line. It never autosaves.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, besidesExpected, openPage, serverAndBrowser } from './helpers.mjs';
import { CSP, EMBED_CSP } from '../../scripts/serve.mjs';

const env = serverAndBrowser();
const collected = [];
const NOTICE = 'This page does not allow background workers here, so the model runs in this page itself, in short slices.';

before(async () => {
  await env.ready;
});

/** A fragment from [key, value] pairs, as an author writes one (values percent-encoded). */
function fragment(pairs) {
  return '#' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** The messages the element shows in `where` (a page or a frame): their text and kind. */
function shownMessages(where) {
  return where.locator('[data-testid="message"]').evaluateAll((items) => items.map((m) => ({ text: m.querySelector('p').textContent, kind: m.dataset.kind })));
}

/** A page whose every frame counts the IndexedDB databases it opens (autosave opens one as it starts). */
async function openCounting(opts) {
  const p = await openPage(env.browser, env.server.origin, opts);
  await p.context.addInitScript(() => {
    window.__idbOpens = 0;
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (...args) {
      window.__idbOpens++;
      return open.apply(this, args);
    };
  });
  return p;
}

test('keys embed.html does not know are named above the element and ignored; the known ones, in either spelling, set it up', async () => {
  const p = await openCounting({ width: 900, height: 800 });
  collected.push(p.problems);
  const { page, context } = p;
  const hash = fragment([
    ['view', 'diagram'],
    ['corpus', 'hello'],
    ['cell', 'rnn'],
    ['hiddenSize', '4'],
    ['seqLen', '5'],
    ['colour', 'red'],
    ['autosave', 'mine'],
    ['url-state', ''],
    ['probe', 'he'],
    ['autoplay', 'false'],
  ]);
  await page.goto(`${env.server.url}embed.html${hash}`);
  await page.waitForFunction(() => window.rnnscope?.ready(), null, { timeout: WAIT });
  const note = page.locator('[data-testid="embed-problem"]');
  assert.equal(await note.textContent(), 'This link has settings rnnscope does not know: colour, autosave, url-state. They were ignored.');
  assert.ok(await note.isVisible(), 'the note is hidden');
  const [noteBox, elBox] = [await note.boundingBox(), await page.locator('rnn-scope').boundingBox()];
  assert.ok(noteBox.y + noteBox.height <= elBox.y, `the note (${JSON.stringify(noteBox)}) is not above the element (${JSON.stringify(elBox)})`);
  const set = await page.evaluate(() => {
    const el = document.querySelector('rnn-scope');
    const info = window.rnnscope.info();
    const st = window.rnnscope.state();
    const has = ['view', 'corpus', 'cell', 'hidden', 'seq-len', 'probe', 'autoplay', 'colour', 'hidden-size', 'autosave', 'url-state'].filter((a) => el.hasAttribute(a));
    return { has, cell: info.cell, hidden: info.hidden, seqLen: st.seqLen, probe: window.rnnscope.probe().chars.join('') };
  });
  assert.deepEqual(set, {
    has: ['view', 'corpus', 'cell', 'seq-len', 'probe', 'autoplay', 'hidden-size'],
    cell: 'rnn',
    hidden: 4,
    seqLen: 5,
    probe: 'he',
  });
  assert.equal(await page.evaluate(() => window.__idbOpens), 0, 'an autosave opened IndexedDB');
  // Only known keys: no note.
  await page.evaluate((h) => {
    location.hash = h;
  }, fragment([['view', 'diagram'], ['corpus', 'hello'], ['cell', 'gru'], ['hidden', '3'], ['autoplay', 'false']]));
  await page.waitForFunction(() => window.rnnscope?.info()?.cell === 'gru', null, { timeout: WAIT });
  assert.equal(await note.count(), 1);
  assert.equal(await note.isVisible(), false, 'a note shown for a link without unknown keys');
  await context.close();
});

test('the text key: the model is built on that text, characters that need escaping included, and trains on it', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 900, height: 800 });
  collected.push(p.problems);
  const { page, context } = p;
  const text = 'zebra & quokka = "yak"; été #1?\n'.repeat(8);
  await page.goto(`${env.server.url}embed.html${fragment([['view', 'train'], ['text', text], ['seq-len', '8'], ['batch', '2'], ['hidden', '16']])}`);
  await page.waitForFunction(() => window.rnnscope?.info(), null, { timeout: WAIT });
  const vocab = await page.evaluate(() => window.rnnscope.info().vocab.join(''));
  assert.equal(vocab, [...new Set(text)].sort().join(''));
  assert.equal(await page.locator('[data-testid="embed-problem"]').isVisible(), false);
  // No model attribute, so it trains at once; the loss on a text this repetitive falls.
  await page.waitForFunction(() => window.rnnscope.lossHistory().length >= 150, null, { timeout: WAIT });
  const losses = await page.evaluate(() => window.rnnscope.lossHistory());
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(losses.every(Number.isFinite));
  assert.ok(mean(losses.slice(-20)) < mean(losses.slice(0, 20)) - 0.5, `the loss did not fall: ${mean(losses.slice(0, 20))} → ${mean(losses.slice(-20))}`);
  await context.close();
});

test('in a frame sandboxed with allow-scripts only: no worker, the model trains in the frame, one line says so, nothing autosaved', async () => {
  const p = await openCounting({ width: 900, height: 900 });
  collected.push(p.problems);
  const { page, context } = p;
  const hash = fragment([['view', 'diagram'], ['corpus', 'hello'], ['cell', 'lstm'], ['hidden', '6'], ['probe', 'hel'], ['autosave', 'lesson-1']]);
  await context.route(`${env.server.origin}/host.html`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': CSP },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title></head><body><iframe title="rnnscope" sandbox="allow-scripts" width="800" height="600" src="embed.html${hash}"></iframe></body></html>`,
    }),
  );
  await page.goto(`${env.server.url}host.html`);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.rnnscope?.ready(), null, { timeout: WAIT });
  assert.equal(await frame.evaluate(() => origin), 'null', 'the frame is not sandboxed');
  assert.equal(await frame.evaluate(() => window.rnnscope.engineMode()), 'main-thread');
  await frame.waitForFunction(() => window.rnnscope.step() >= 20, null, { timeout: WAIT });
  const stats = await frame.evaluate(() => customElements.get('rnn-scope').stats());
  assert.deepEqual([stats.total, stats.workers, stats.helpers], [1, 0, 0]);
  assert.deepEqual(page.workers().map((w) => w.url()), []);
  await frame.evaluate(() => window.rnnscope.drawn());
  assert.deepEqual(await shownMessages(frame), [{ text: NOTICE, kind: 'info' }]);
  assert.equal(
    await frame.locator('[data-testid="embed-problem"]').textContent(),
    'This link has settings rnnscope does not know: autosave. They were ignored.',
  );
  // Paused (an autosave would save now), the worker's answer to a request that follows any save: still nothing.
  await frame.evaluate(() => document.querySelector('rnn-scope').pause());
  await frame.waitForFunction(() => !window.rnnscope.running(), null, { timeout: WAIT });
  await frame.evaluate(() => document.querySelector('rnn-scope').exportModel());
  assert.equal(await frame.evaluate(() => window.__idbOpens), 0, 'the frame opened IndexedDB (an autosave)');
  await context.close();
});

test("a host whose CSP says worker-src 'none': the worker is refused, the model runs on the page's thread and the page says so", async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 900, height: 800 });
  const { page, context } = p;
  const noWorkers = EMBED_CSP.replace("worker-src 'self'", "worker-src 'none'");
  assert.notEqual(noWorkers, EMBED_CSP);
  await context.route(`${env.server.origin}/embed.html`, async (route) => {
    const res = await route.fetch();
    route.fulfill({ response: res, headers: { ...res.headers(), 'content-security-policy': noWorkers } });
  });
  await page.goto(`${env.server.url}embed.html${fragment([['view', 'diagram'], ['corpus', 'hello'], ['cell', 'gru'], ['hidden', '5'], ['probe', 'he']])}`);
  await page.waitForFunction(() => window.rnnscope?.ready(), null, { timeout: WAIT });
  assert.equal(await page.evaluate(() => window.rnnscope.engineMode()), 'main-thread');
  await page.waitForFunction(() => window.rnnscope.step() >= 20, null, { timeout: WAIT });
  assert.equal((await page.evaluate(() => customElements.get('rnn-scope').stats())).workers, 0);
  await page.evaluate(() => window.rnnscope.drawn());
  assert.deepEqual(await shownMessages(page), [{ text: NOTICE, kind: 'info' }]);
  await context.close();
  // The browser reports the refused worker once; nothing else may have gone wrong.
  collected.push(besidesExpected(p.problems, [[`console error: Creating a worker from '${env.server.origin}/engine/worker.js' violates the following Content Security Policy directive: "worker-src 'none'". The action has been blocked.`, 1]]));
});

test('no page above had an uncaught error, a console error or a request off its origin', () => {
  assert.deepEqual(collected.flat(), []);
});
