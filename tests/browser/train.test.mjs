// The page as a first-time visitor meets it: it starts training the "hello" toy by itself; typing shows the
// model's guesses; the loss falls; pause and resume work; the page asks for nothing outside its origin and is
// served with a strict Content-Security-Policy. Saves the screenshots. (How long the main thread's tasks take is a
// measurement, not a test: benches/page.mjs reports it.)

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, frames, openPage, pause, screenshotPath, serverAndBrowser, shownGuesses, shownStep, typeProbe, visit, waitGuessesFor, waitReady, waitState, waitStep,
} from './helpers.mjs';

const env = serverAndBrowser();
let page;
let problems;
let response;

before(async () => {
  await env.ready;
  ({ page, problems } = await openPage(env.browser, env.server.origin));
  response = await page.goto(env.server.url);
});

test('the page is served with a strict Content-Security-Policy', async () => {
  const csp = response.headers()['content-security-policy'];
  assert.ok(csp, 'no Content-Security-Policy header');
  for (const part of [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ]) {
    assert.ok(csp.includes(part), `CSP lacks ${part}: ${csp}`);
  }
  assert.equal(response.headers()['content-type'], 'text/html; charset=utf-8');
});

test('it starts training the hello toy by itself and shows the text "hello" inside the model', async () => {
  await waitReady(page);
  await waitStep(page, 1);
  await waitState(page, 'training');
  const cols = page.locator('[data-testid="hell"] [data-testid="hell-col"]');
  await cols.nth(4).waitFor({ timeout: WAIT });
  assert.equal(await cols.count(), 5);
  assert.deepEqual(await cols.evaluateAll((els) => els.map((e) => e.dataset.char)), ['h', 'e', 'l', 'l', 'o']);
  const info = await page.evaluate(() => window.rnnscope.info());
  assert.equal(info.cell, 'lstm');
  assert.deepEqual(info.vocab, ['e', 'h', 'l', 'o']);
  await frames(page);
});

test('typing "hello" after some training: the guesses shown are "l" after "hel", "o" after "hell", each next letter expected', async () => {
  await waitStep(page, 150);
  await typeProbe(page, 'hel');
  await waitGuessesFor(page, 'hel');
  // The guesses sharpen as training goes on and the page re-reads the text; wait for the model to have learnt it.
  await page.waitForFunction(
    () => {
      const li = $q('[data-testid="predictions"] li');
      return $q('[data-testid="predictions"]').dataset.prefix === 'hel' && li && li.dataset.char === 'l';
    },
    null,
    { timeout: WAIT },
  );
  const { prefix, guesses } = await shownGuesses(page);
  assert.equal(prefix, 'hel');
  assert.equal(guesses[0].char, 'l');
  assert.ok(Number(guesses[0].prob) > 0.5, `top guess only ${guesses[0].prob}`);
  assert.equal(guesses.length, 4); // the whole vocabulary: h, e, l, o
  // The hell diagram shows the same text and its own top guess under the last "l" column.
  const cols = page.locator('[data-testid="hell"] [data-testid="hell-col"]');
  await page.waitForFunction(() => $qa('[data-testid="hell"] [data-testid="hell-col"]').length === 3, null, { timeout: WAIT });
  const top = await cols.nth(2).locator('[data-testid="guess"][data-rank="1"]').getAttribute('data-char');
  assert.equal(top, 'l');
  // Typing more extends it one character at a time.
  await page.getByLabel('Text to look at').press('l');
  await waitGuessesFor(page, 'hell');
  await page.waitForFunction(() => $q('[data-testid="predictions"] li')?.dataset.char === 'o', null, { timeout: WAIT });
  // The whole word: each column of the diagram shows the character that really came next and the model's
  // confidence in it (what the post colours green or red), and the trained model expected every one of them.
  await page.getByLabel('Text to look at').press('o');
  await waitGuessesFor(page, 'hello');
  await page.waitForFunction(() => $qa('[data-testid="hell"] [data-testid="hell-col"]').length === 5, null, { timeout: WAIT });
  const next = await page.evaluate(() =>
    Array.from($qa('[data-testid="hell"] [data-testid="hell-col"]'), (col) => {
      const n = col.querySelector('[data-testid="next-prob"]');
      return { input: col.dataset.char, next: n.dataset.char, prob: Number(n.dataset.prob), shown: n.textContent };
    }),
  );
  assert.deepEqual(next.map((c) => c.input + c.next), ['he', 'el', 'll', 'lo', 'o']);
  for (const c of next.slice(0, 4)) {
    assert.ok(c.prob > 0.5, `p(${c.next} after ${c.input}) only ${c.prob}`);
    assert.match(c.shown, /\d/, 'the probability is written as a number, not only a colour');
  }
});

test('the displayed loss falls while it trains', async () => {
  await pause(page);
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.waitForFunction(() => window.rnnscope.step() === 0 && window.rnnscope.lossHistory().length === 0, null, { timeout: WAIT });
  await page.getByRole('button', { name: 'Step' }).click();
  await waitStep(page, 1);
  await frames(page);
  const first = Number(await page.locator('[data-testid="loss"]').textContent());
  assert.ok(first > 1.0 && first < 2.5, `first loss ${first} is not about ln 4`);
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitStep(page, 120);
  await pause(page);
  await frames(page);
  const later = Number(await page.locator('[data-testid="loss"]').textContent());
  assert.ok(later < first * 0.6, `loss went from ${first} to ${later}`);
  // The chart says so too.
  const readout = await page.locator('#loss-chart [data-testid="loss-readout"] [data-series="training"]').getAttribute('data-value');
  assert.ok(Number(readout) < first, `chart readout ${readout}`);
});

test('pause stops the step count and resume advances it', async () => {
  await pause(page);
  const stopped = await shownStep(page);
  // A round trip through the worker (a probe) proves it has handled everything sent before; still no new steps.
  const g = await page.evaluate(() => window.rnnscope.probeGeneration());
  await typeProbe(page, 'he');
  await page.waitForFunction((k) => window.rnnscope.probeGeneration() > k && window.rnnscope.probe()?.steps === 2, g, { timeout: WAIT });
  await frames(page);
  assert.equal(await shownStep(page), stopped);
  assert.equal(await page.locator('[data-testid="run-state"]').getAttribute('data-state'), 'paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitState(page, 'training');
  await waitStep(page, stopped + 20);
  assert.ok((await shownStep(page)) >= stopped + 20);
});

test('a line pasted while a bigger model trains is drawn a few columns per frame; once paused the columns in view show the latest numbers, and so do those scrolled to', async () => {
  // A 2 × 96 LSTM on the project's prose; a long line pasted while it trains gives a hundred columns whose numbers
  // all change with every step. The page brings the columns in view up to date a few per frame (so no frame is
  // long; the benchmark in benches/ measures that), the others when they scroll into view, and none may be left
  // behind.
  const big = await visit(env, null, { hash: '#corpus=about&cell=lstm&hidden=96&layers=2&seqLen=32&batch=16&lr=0.003' });
  const p = big.page;
  await waitState(p, 'training');
  await waitStep(p, 20);
  const line = 'Each column is one character you typed; underneath, the five best guesses for the next one, and the units.';
  await p.getByLabel('Text to look at').fill(line);
  await waitGuessesFor(p, line);
  const step = await shownStep(p);
  await waitStep(p, step + 100);

  await pause(p);
  // A probe with the paused weights (the element's probe(), which resolves once the data is a probe sent after the
  // call: a fresh probe begun while training may still land after a keystroke's answer), then everything in view
  // drawn: each column's p(actual next) is the probe's.
  await p.evaluate((t) => document.querySelector('rnn-scope').probe(t), line.slice(0, -1));
  await frames(p);
  // The columns in the document (those in view and a few either side), by position, beside the probe's numbers.
  const read = () =>
    p.evaluate(() => {
      const want = window.rnnscope.probe().nextProb;
      return Array.from($qa('[data-testid="hell"] [data-testid="hell-col"]'), (c) => {
        const t = Number(c.dataset.t);
        return { t, shown: c.querySelector('[data-testid="next-prob"]').dataset.prob, want: String(want[t]) };
      });
    });
  const n = 20; // fewer columns than the diagram shows at 1280 px
  const atEnd = await read();
  const newest = atEnd.filter((c) => c.t >= line.length - 1 - n);
  assert.equal(newest.length, n, `the ${n} newest columns are in view: ${atEnd.map((c) => c.t)}`);
  assert.deepEqual(newest.map((c) => c.shown), newest.map((c) => c.want), 'the newest columns show the latest numbers');
  assert.ok(atEnd.length < line.length - 1, 'only the columns in view are in the document');
  // Scrolled back to the start, the first columns come into the document up to date.
  await p.evaluate(() => ($q('[data-testid="hell"] .rs-hell-scroll').scrollLeft = 0));
  await p.waitForFunction(
    (k) => {
      const want = window.rnnscope.probe().nextProb;
      const first = Array.from($qa('[data-testid="hell"] [data-testid="hell-col"]')).filter((c) => Number(c.dataset.t) < k);
      return first.length === k && first.every((c) => c.querySelector('[data-testid="next-prob"]').dataset.prob === String(want[Number(c.dataset.t)]));
    },
    n,
    { timeout: WAIT },
  );
  assert.deepEqual(big.problems, []);
  await big.context.close();
});

test('screenshots: desktop and 360 px wide', async () => {
  await typeProbe(page, 'hello');
  await waitGuessesFor(page, 'hello');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate(() => window.rnnscope.drawEverything());
  await page.screenshot({ path: screenshotPath('desktop.png'), fullPage: false });
  const narrow = await visit(env, null, { width: 360, height: 780 });
  await waitStep(narrow.page, 100);
  await narrow.page.locator('[data-testid="hell"] [data-testid="hell-col"]').nth(4).waitFor({ timeout: WAIT });
  await narrow.page.evaluate(() => window.rnnscope.drawEverything());
  // Nothing is wider than the screen except the deliberately scrolling figures.
  const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 360, `page is ${overflow}px wide at 360px`);
  await narrow.page.screenshot({ path: screenshotPath('mobile-360.png'), fullPage: false });
  assert.deepEqual(narrow.problems, []);
  await narrow.context.close();
});

test('no uncaught errors, no console errors, no request off the origin', () => {
  assert.deepEqual(problems, []);
});
