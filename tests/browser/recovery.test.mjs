// When training goes wrong the visitor's work survives: an exploding learning rate pauses training with the reason
// and the last good weights, and training carries on at a sane rate; a crashed worker is restarted with the last good
// model and training resumes; a trap in the model code is recovered inside the worker from its last good snapshot.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, messages, pause, serverAndBrowser, shownStep, visit, waitState, waitStep } from './helpers.mjs';

const env = serverAndBrowser();
const allProblems = [];

async function freshPage(hash = '') {
  return visit(env, allProblems, { hash });
}

/** Wait until the hello toy has learnt its cycle: the last `n` losses are all below `below`. */
async function waitLossesBelow(page, below, n = 50) {
  await page.waitForFunction(
    ([b, k]) => {
      const h = window.rnnscope.lossHistory();
      return h.length >= k && h.slice(-k).every((v) => v < b);
    },
    [below, n],
    { timeout: WAIT },
  );
}

/** Type a learning rate into the exact field, as a visitor would. */
async function setLearningRate(page, lr) {
  const field = page.getByLabel('exact');
  await field.fill(String(lr));
  await field.press('Enter');
}

test('an exploding learning rate: training pauses and says why, the model stays, and training recovers at a sane rate', async () => {
  // A link with the largest learning rate the page accepts: Adam at 10 blows this LSTM up within a few steps (a
  // trained model sits where the gradients vanish and would not, so it starts from fresh weights).
  const { page, context } = await freshPage('#lr=10');
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.locator('[data-testid="message"]', { hasText: 'Training paused:' }).waitFor({ timeout: WAIT });
  const said = (await messages(page)).find((m) => m.startsWith('Training paused:'));
  assert.match(said, /the loss exploded/);
  assert.match(said, /rolled back to the last healthy step/);
  assert.match(said, /lower learning rate/);
  await waitState(page, 'paused');
  // Same model (rolled back, not rebuilt), and no step with a non-finite loss was recorded.
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), gen);
  assert.ok(await page.evaluate(() => window.rnnscope.lossHistory().every(Number.isFinite)));

  await setLearningRate(page, 0.01);
  const step = await shownStep(page);
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitState(page, 'training');
  await waitStep(page, step + 100);
  await waitLossesBelow(page, 0.2);
  await context.close();
});

test('a crashed worker: the page says so, restarts it with the last good model, and training carries on', async () => {
  const { page, context, problems } = await freshPage();
  await waitLossesBelow(page, 0.1);
  // Pausing autosaves: those are the last good bytes the page keeps.
  await pause(page);
  const saved = await shownStep(page);
  await page.locator('[data-testid="autosave-info"]', { hasText: `Autosaved in this browser at step ${saved} ` }).waitFor({ timeout: WAIT });
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitStep(page, saved + 50);
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());

  // An uncaught exception kills the worker, as a bug in it would.
  const workers = page.workers();
  assert.equal(workers.length, 1);
  await workers[0].evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash');
    }, 0);
  });

  const said = page.locator('[data-testid="message"]', { hasText: 'it was restarted with the last good model' });
  await said.waitFor({ timeout: WAIT });
  assert.match(await said.textContent(), new RegExp(`^The training worker crashed \\(.*simulated crash.*\\); it was restarted with the last good model, from step ${saved.toLocaleString('en-US')}\\.`));
  await page.waitForFunction((g) => window.rnnscope.modelGeneration() > g && window.rnnscope.ready(), gen, { timeout: WAIT });
  // It goes on from the saved step, and with the trained weights: the losses stay low.
  assert.equal(await page.evaluate(() => window.rnnscope.lossOffset()), saved);
  await waitState(page, 'training');
  await waitStep(page, saved + 50);
  const losses = await page.evaluate(() => window.rnnscope.lossHistory().slice(0, 50));
  assert.ok(losses.length === 50 && losses.every((v) => v < 0.2), `losses after the restart: ${losses.slice(0, 8).join(', ')}…`);
  // The worker's own uncaught error may reach the console; it is the one this test caused.
  const others = problems.filter((p) => !p.includes('simulated crash'));
  problems.length = 0;
  problems.push(...others);
  await context.close();
});

test('the model code traps: the worker rebuilds it from the last good model and its training state, and training goes on', async () => {
  const { page, context } = await freshPage();
  await waitLossesBelow(page, 0.1);
  // Pausing takes a snapshot in the worker (it also takes one every two seconds while training).
  await pause(page);
  const snapped = await shownStep(page);
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitStep(page, snapped + 20);
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());

  // A trap is a WebAssembly.RuntimeError out of a call into the model code (a Rust panic becomes one). Make the
  // worker's next training call raise one; the rebuilt instance comes from a fresh module, without this change.
  const workers = page.workers();
  assert.equal(workers.length, 1);
  await workers[0].evaluate(async () => {
    const code = await import(new URL('../pkg/rnnscope.js', self.location.href).href);
    // The engine trains with trainFor (time-budgeted) while running and train(n) for exact steps.
    code.Session.prototype.train = code.Session.prototype.trainFor = () => {
      throw new WebAssembly.RuntimeError('unreachable executed (simulated trap)');
    };
  });

  await page.locator('[data-testid="message"]', { hasText: 'simulated trap' }).waitFor({ timeout: WAIT });
  const recovered = page.locator('[data-testid="message"]', { hasText: 'Recovered: the last good model' });
  await recovered.waitFor({ timeout: WAIT });
  await page.waitForFunction((g) => window.rnnscope.modelGeneration() > g && window.rnnscope.ready(), gen, { timeout: WAIT });
  const shown = await messages(page);
  assert.ok(shown.some((m) => /^The model code hit an internal error \(.*simulated trap.*\)\. Training is paused\./.test(m)), `${shown}`);
  // It went back to the pause's snapshot or a later one, taken with its training state: the run goes on exactly.
  const step = await page.evaluate(() => window.rnnscope.step());
  assert.ok(step >= snapped, `went back to step ${step}, before the snapshot at ${snapped}`);
  assert.match(await recovered.textContent(), new RegExp(`step ${step.toLocaleString('en-US')}\\) is back\\. Training goes on exactly where it stopped`));
  assert.deepEqual(await page.evaluate(() => window.rnnscope.resumed()), { restored: 'exactly' });
  await waitState(page, 'paused');

  // Resume trains again, with the trained weights.
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitStep(page, step + 50);
  const losses = await page.evaluate((s) => {
    const offset = window.rnnscope.lossOffset();
    return window.rnnscope.lossHistory().slice(s - offset, s - offset + 50);
  }, step);
  assert.ok(losses.length === 50 && losses.every((v) => v < 0.2), `losses after the rebuild: ${losses.slice(0, 8).join(', ')}…`);
  await pause(page);
  await context.close();
});

test('no uncaught errors, no console errors, no request off the origin', () => {
  assert.deepEqual(allProblems.flat(), []);
});
