// A pretrained model embedded without its text (the lesson's Shakespeare model: its text is not shipped) is for
// looking into, and no click may ruin it: it loads paused, says in one line that it has no text to train on, and
// Train, Step and Reset are off. The stand-in text it is paired with never trains (the probe after "Wherefore art
// thou" is the same after every control and method was tried). Given its text by text-src, it trains. A model that
// learnt an embedded corpus (its train_config says which) gets that corpus back, and trains on it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WAIT, openPage, serverAndBrowser } from './helpers.mjs';
import { CSP } from '../../scripts/serve.mjs';

/** The steps the shipped Shakespeare model was trained for (models/manifest.json). */
const BARD_STEPS = JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8')).models.find((m) => m.file === 'shakespeare-lstm.safetensors').steps;

const BASE = '/course/rnnscope/';
const env = serverAndBrowser({ base: BASE });
const collected = [];
const PROBE = 'Wherefore art thou';

before(async () => {
  await env.ready;
});

after(() => {
  assert.deepEqual(collected.flat(), []);
});

/** The model's next-character probabilities after the whole probe text, and the step. */
const reading = (page) => page.evaluate(() => {
  const el = document.querySelector('#m');
  const d = el.hooks.probe();
  const V = d.vocab.length;
  return { step: el.hooks.step(), probs: Array.from(d.probs.subarray((d.steps - 1) * V, d.steps * V)), chars: d.chars.join('') };
});

test('the Shakespeare model without its text: training is off and says why; nothing a reader can do trains it; text-src turns training on', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1000, height: 900 });
  collected.push(p.problems);
  const { page, context } = p;
  const plays = readFileSync(join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt'), 'utf8').slice(0, 50_000);
  await context.route(`${env.server.origin}${BASE}plays.txt`, (route) => route.fulfill({ status: 200, contentType: 'text/plain; charset=utf-8', body: plays }));
  await context.route(`${env.server.origin}${BASE}lesson.html`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': CSP },
      body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lesson</title><script type="module" src="rnn-scope.js"></script></head><body>' +
        `<rnn-scope id="m" view="diagram" model="models/shakespeare-lstm.safetensors" probe="${PROBE}" controls="all"></rnn-scope></body></html>`,
    }),
  );
  await page.goto(`${env.server.url}lesson.html`);
  await page.waitForFunction((t) => document.querySelector('#m').hooks.ready() && document.querySelector('#m').hooks.probe()?.chars.join('') === t, PROBE, { timeout: WAIT });
  const before = await reading(page);
  assert.equal(before.step, BARD_STEPS);
  // One line says why, and the controls that would train are off, with the reason as their title.
  const el = page.locator('#m');
  const note = el.locator('[data-testid="message"]', { hasText: 'came without a text to train on' });
  await note.waitFor({ timeout: WAIT });
  for (const id of ['run', 'step-once', 'reset']) {
    const b = el.getByTestId(id).first();
    assert.equal(await b.isDisabled(), true, `${id} is not disabled`);
    assert.match(await b.getAttribute('title'), /without a text to train on/);
  }
  // Everything a reader or a script could do to train it: forced clicks, Shift-click, the methods.
  for (const id of ['run', 'step-once', 'reset']) await el.getByTestId(id).first().click({ force: true });
  await el.getByTestId('step-once').first().click({ force: true, modifiers: ['Shift'] });
  await page.evaluate(async () => {
    const m = document.querySelector('#m');
    await m.play();
    await m.step(5);
    await m.reset().catch(() => {});
  });
  // A round trip to the engine after all of it, then the model answers as before, bit for bit.
  await page.evaluate(() => document.querySelector('#m').exportModel());
  await page.evaluate(() => document.querySelector('#m').probe('Wherefore art thou'));
  const after = await reading(page);
  assert.equal(after.step, BARD_STEPS, 'the step moved');
  assert.deepEqual(after.probs, before.probs, 'the model changed');
  assert.equal(await page.evaluate(() => document.querySelector('#m').hooks.running()), false);
  // What it expects after "Wherefore art thou": a space or a letter of a word, not the stand-in's characters.
  const vocab = await page.evaluate(() => document.querySelector('#m').hooks.info().vocab);
  const best = vocab[after.probs.indexOf(Math.max(...after.probs))];
  assert.match(best, /[ a-z]/, `after "${PROBE}" it expects ${JSON.stringify(best)}`);

  // Given its text, it trains on from its own step.
  await page.evaluate(() => document.querySelector('#m').setAttribute('text-src', 'plays.txt'));
  await page.waitForFunction(() => !document.querySelector('#m').shadowRoot.querySelector('[data-testid="run"]').disabled, null, { timeout: WAIT });
  await note.waitFor({ state: 'detached', timeout: WAIT });
  await page.waitForFunction(() => document.querySelector('#m').hooks.step() > 3003, null, { timeout: WAIT });
  await page.evaluate(() => document.querySelector('#m').pause());
  await context.close();
});

test('a shipped model that learnt an embedded corpus gets that corpus back: no stand-in, training on from its step', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1000, height: 900 });
  collected.push(p.problems);
  const { page, context } = p;
  await context.route(`${env.server.origin}${BASE}brackets.html`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': CSP },
      body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>brackets</title><script type="module" src="rnn-scope.js"></script></head><body>' +
        '<rnn-scope id="m" view="full" model="models/brackets-lstm.safetensors" probe="(a [b])" autoplay="false"></rnn-scope></body></html>',
    }),
  );
  await page.goto(`${env.server.url}brackets.html`);
  const el = page.locator('#m');
  await page.waitForFunction(() => document.querySelector('#m').hooks.ready() && document.querySelector('#m').hooks.probe()?.chars.join('') === '(a [b])', null, { timeout: WAIT });
  const step = await page.evaluate(() => document.querySelector('#m').hooks.step());
  assert.ok(step > 0, `the shipped model's step: ${step}`);
  assert.match(await el.getByTestId('text-info').textContent(), /^built-in “brackets”, the text “brackets-lstm\.safetensors” learnt: [\d,]+ characters/);
  assert.equal(await el.locator('[data-testid="message"]', { hasText: 'without a text to train on' }).count(), 0);
  const run = el.getByTestId('run').first();
  assert.equal(await run.isDisabled(), false);
  await run.click();
  await page.waitForFunction((s0) => document.querySelector('#m').hooks.step() > s0 + 3, step, { timeout: WAIT });
  await page.evaluate(() => document.querySelector('#m').pause());
  await context.close();
});
