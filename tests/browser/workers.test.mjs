// Training on two Web Workers: the page shares each step of a batch between two helper workers (helper.js). The
// same seed and worker count give the same run bit for bit; one and two workers agree to float rounding; `auto`
// takes two only where the browser reports two cores; helpers that cannot start leave one worker training the very
// run one worker trains, with a message saying so.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, messages, openPage, serverAndBrowser, shownText, waitReady } from './helpers.mjs';

const STEPS = 40;
// Big enough for `auto` to share (parameters × batch × window ≥ 2^24), small enough to train 40 steps quickly.
const SETUP = { corpus: 'brackets', cell: 'lstm', hidden: 128, layers: 1, seqLen: 32, batch: 8, optimizer: 'adam', lr: 0.003, clip: 5, seed: 11, valFraction: 0 };
// One and two workers sum the same products in another order: every step's loss agrees to this, relative.
const TOLERANCE = 1e-5;

const env = serverAndBrowser();
const collected = [];

/**
 * The first STEPS losses of the page training SETUP with the `workers` setting, and the workers it showed. `cores`
 * stands in for navigator.hardwareConcurrency; `refuseHelper` answers helper.js with a script that throws.
 */
async function run(workers, { cores = 0, refuseHelper = false } = {}) {
  await env.ready;
  const { page, context, problems } = await openPage(env.browser, env.server.origin);
  if (cores) await context.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), cores);
  // Every run's problems count, the refused helpers' too: the page says why in a message, not as an error.
  collected.push(problems);
  if (refuseHelper) {
    await context.route('**/engine/helper.js', (route) => route.fulfill({ contentType: 'text/javascript', body: 'throw new Error("refused by the test");' }));
  }
  try {
    const hash = '#' + new URLSearchParams(Object.entries({ ...SETUP, workers }).map(([k, v]) => [k, String(v)])).toString();
    await page.goto(env.server.url + hash);
    await waitReady(page);
    await page.waitForFunction((n) => window.rnnscope.lossHistory().length >= n, STEPS, { timeout: WAIT });
    const shown = await page.locator('[data-testid="workers"]').textContent();
    const losses = (await page.evaluate(() => window.rnnscope.lossHistory())).slice(0, STEPS);
    const stats = await page.evaluate(() => customElements.get('rnn-scope').stats());
    const said = await messages(page);
    assert.equal(await page.evaluate(() => window.rnnscope.lossOffset()), 0);
    return { losses, shown, workers: await page.evaluate(() => window.rnnscope.workers()), stats, said, page, context };
  } catch (err) {
    await context.close();
    throw err;
  }
}

let one;
let two;

test('two workers: the page says so, and the same seed gives the same run twice, bit for bit', { timeout: 10 * 60_000 }, async () => {
  two = await run('2');
  assert.equal(two.workers, 2);
  assert.equal(two.shown, '2 workers');
  assert.equal(two.stats.helpers, 2, 'two helper workers on the page');
  assert.equal(two.stats.slotsUsed, 2, 'a model on two workers holds two training slots');
  await two.context.close();
  const again = await run('2');
  assert.equal(again.workers, 2);
  await again.context.close();
  assert.deepEqual(again.losses, two.losses);
});

test(`one worker trains the same run to float rounding (every loss within ${TOLERANCE} relative)`, { timeout: 10 * 60_000 }, async () => {
  one = await run('1');
  assert.equal(one.workers, 1);
  assert.equal(one.shown, '1 worker');
  assert.equal(one.stats.helpers, 0);
  await one.context.close();
  assert.equal(one.losses.length, STEPS);
  const worst = Math.max(...one.losses.map((x, i) => Math.abs(x - two.losses[i]) / Math.abs(x)));
  assert.ok(worst <= TOLERANCE, `one and two workers differ by ${worst.toExponential(2)} (relative)`);
  assert.notDeepEqual(one.losses, two.losses, 'two workers computed exactly what one does: the split did not run');
  assert.ok(one.losses[STEPS - 1] < one.losses[0], 'the loss did not fall');
});

test('auto: two workers with two cores, one where the browser reports one core', { timeout: 10 * 60_000 }, async () => {
  const auto = await run('auto', { cores: 2 });
  assert.equal(auto.workers, 2);
  await auto.context.close();
  assert.deepEqual(auto.losses, two.losses);
  const single = await run('auto', { cores: 1 });
  assert.equal(single.workers, 1);
  assert.equal(single.stats.helpers, 0);
  await single.context.close();
  assert.deepEqual(single.losses, one.losses);
});

test('helper workers that cannot start: one worker trains on, the run is the one-worker run, and the page says why', { timeout: 10 * 60_000 }, async () => {
  const r = await run('2', { refuseHelper: true });
  try {
    assert.equal(r.workers, 1);
    await shownText(r.page.locator('[data-testid="workers"]'), '1 worker');
    assert.ok(r.said.some((m) => /training goes on in one worker/.test(m)), `messages: ${JSON.stringify(r.said)}`);
    assert.deepEqual(r.losses, one.losses);
    assert.ok(await r.page.evaluate(() => window.rnnscope.running()), 'training stopped');
  } finally {
    await r.context.close();
  }
});

test('no problems on the way (console errors, requests off the origin)', () => {
  assert.deepEqual(collected.flat(), []);
});
