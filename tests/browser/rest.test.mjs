// A model at rest (www/scope/rest.js): an element that is not training gives its engine's worker back and keeps
// what brings it back exactly. While it rests, keystrokes are computed in the page and other probes on the shared
// analysis workers, with the numbers its own engine gives; training, once it wakes, goes on bit for bit as if it had
// never rested. Also: the page's own deletions never leave the engine answering from further on than the page holds.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, openPage, serverAndBrowser } from './helpers.mjs';
import { CSP } from '../../scripts/serve.mjs';

const env = serverAndBrowser();
const collected = [];

before(async () => {
  await env.ready;
});

/** A page of our own under the folder's origin and CSP, holding `body`. */
async function pageWith(body) {
  const p = await openPage(env.browser, env.server.origin, { width: 1100, height: 1200 });
  collected.push(p.problems);
  await p.context.route(`${env.server.origin}/rest.html`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': CSP },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rest</title><script type="module" src="rnn-scope.js"></script></head><body>${body}</body></html>`,
    }),
  );
  await p.page.goto(`${env.server.url}rest.html`);
  await p.page.waitForFunction(() => [...document.querySelectorAll('rnn-scope')].every((el) => el.hooks.ready()), null, { timeout: WAIT });
  return p;
}

const stats = (page) => page.evaluate(() => customElements.get('rnn-scope').stats());

/** Copies of the probe's arrays that element `id` shows (the page fills its buffers in place). */
function shown(page, id) {
  return page.evaluate((sel) => {
    const d = document.querySelector(sel).hooks.probe();
    return Object.fromEntries(['h', 'c', 'gate', 'logits', 'probs', 'input'].map((k) => [k, Array.from(d[k])]));
  }, `#${id}`);
}

/** Element `id`'s probe(text), its own engine's (or at rest, an analysis worker's) fresh probe of every position. */
function fresh(page, id, text) {
  return page.evaluate(
    async ([sel, t]) => {
      const d = await document.querySelector(sel).probe(t);
      return Object.fromEntries(['h', 'c', 'gate', 'logits', 'probs', 'input'].map((k) => [k, Array.from(d[k])]));
    },
    [`#${id}`, text],
  );
}

function sameNumbers(a, b, what) {
  for (const key of Object.keys(b)) assert.deepEqual(a[key], b[key], `${what}: ${key}`);
}

const waitText = (page, id, text) =>
  page.waitForFunction(([sel, t]) => document.querySelector(sel).hooks.probe()?.chars.join('') === t, [`#${id}`, text], { timeout: WAIT });

const SHAKESPEARE = (id) => `<rnn-scope id="${id}" view="diagram" loading="eager" model="models/shakespeare-lstm.safetensors" probe="ROMEO:" height="200"></rnn-scope>`;

test('a resting element holds no worker; keys are computed in the page and pastes on an analysis worker, with its engine\'s numbers', async () => {
  const { page, context } = await pageWith(SHAKESPEARE('a') + SHAKESPEARE('b'));
  assert.equal((await stats(page)).workers, 2);
  assert.equal(await page.evaluate(() => document.querySelector('#a').hooks.rest()), true);
  let st = await stats(page);
  assert.deepEqual([st.workers, st.resting], [1, 1], JSON.stringify(st));
  assert.equal(await page.evaluate(() => document.querySelector('#a').hooks.resting()), true);

  // A keystroke: the page's stepper.
  const box = page.locator('#a').getByLabel('Text to look at');
  const before = await page.evaluate(() => document.querySelector('#a').hooks.localProbes().count);
  await box.press('End');
  await box.press('Space');
  await waitText(page, 'a', 'ROMEO: ');
  assert.equal(await page.evaluate(() => document.querySelector('#a').hooks.localProbes().count), before + 1);
  // A paste, too long to be computed in the page: an analysis worker loads the kept model and answers.
  const pasted = 'ROMEO: But soft, what light through yonder window breaks? It is the east, and Juliet is the sun.\nJULIET:';
  await box.fill(pasted);
  await waitText(page, 'a', pasted);
  st = await stats(page);
  // (`workers` counts the analysis workers too.)
  assert.ok(st.analysis >= 1, JSON.stringify(st));
  assert.deepEqual([st.workers - st.analysis, st.resting], [1, 1], `still resting: ${JSON.stringify(st)}`);
  // The same numbers as the awake twin's own engine gives, bit for bit; and probe(text) at rest too.
  const atRest = await shown(page, 'a');
  sameNumbers(atRest, await fresh(page, 'b', pasted), 'the paste at rest vs the twin');
  sameNumbers(await fresh(page, 'a', 'ROMEO: soft'), await fresh(page, 'b', 'ROMEO: soft'), 'probe() at rest vs the twin');
  assert.equal((await stats(page)).resting, 1, 'probe() did not wake it');

  // Connectivity and the other instruments read the kept model on the analysis worker.
  const request = { kind: 'errors', text: 'ROMEO: soft' };
  const [ra, rb] = await page.evaluate((r) => Promise.all(['#a', '#b'].map((sel) => document.querySelector(sel).analyse(r))), request);
  assert.deepEqual(ra, rb);
  assert.equal((await stats(page)).resting, 1, 'an instrument did not wake it');
  await context.close();
});

test('a model woken from rest trains on bit for bit as if it had never rested; a training one does not rest', async () => {
  const twin = (id) => `<rnn-scope id="${id}" view="diagram" loading="eager" corpus="hello" cell="lstm" hidden-size="16" seed="5" probe="he" autoplay="false" height="200"></rnn-scope>`;
  const { page, context } = await pageWith(twin('a') + twin('b'));
  const stepBoth = (n, until) =>
    page.evaluate(
      async ([k, s]) => {
        const els = ['#a', '#b'].map((sel) => document.querySelector(sel));
        await Promise.all(els.map((el) => el.step(k)));
        return new Promise((resolve) => {
          const look = () => (els.every((el) => el.hooks.step() === s && !el.hooks.running()) ? resolve() : requestAnimationFrame(look));
          look();
        });
      },
      [n, until],
    );
  const exported = () => page.evaluate(() => Promise.all(['#a', '#b'].map(async (sel) => Array.from(await document.querySelector(sel).exportModel()))));

  await stepBoth(30, 30);
  assert.equal(await page.evaluate(() => document.querySelector('#a').hooks.rest()), true);
  assert.equal((await stats(page)).resting, 1);
  // At rest, the model file is the kept one: the twin's.
  const [restingFile, twinFile] = await exported();
  assert.deepEqual(restingFile, twinFile);

  // Stepping wakes it: a new worker, given the model, its optimizer state and data position before the steps.
  await stepBoth(30, 60);
  const st = await stats(page);
  // (The diagram of the model at rest may have been probed on an analysis worker meanwhile: `workers` counts it.)
  assert.deepEqual([st.workers - st.analysis, st.resting], [2, 0], JSON.stringify(st));
  const [a, b] = await exported();
  assert.deepEqual(a, b, 'the woken model trained to different weights');
  const [ha, hb] = await page.evaluate(() => ['#a', '#b'].map((sel) => document.querySelector(sel).hooks.lossHistory()));
  assert.equal(ha.length, 60);
  assert.deepEqual(ha, hb, 'the losses of the steps after waking differ');

  // Training: no rest.
  await page.evaluate(() => document.querySelector('#a').play());
  await page.waitForFunction(() => document.querySelector('#a').hooks.running(), null, { timeout: WAIT });
  assert.equal(await page.evaluate(() => document.querySelector('#a').hooks.rest()), false);
  await page.evaluate(() => document.querySelector('#a').pause());
  await context.close();
});

test('after the page deleted characters itself, a longer paste shows the engine\'s fresh numbers', async () => {
  const { page, context } = await pageWith(SHAKESPEARE('b'));
  const box = page.locator('#b').getByLabel('Text to look at');
  const first = 'KING HENRY: Once more unto the breach, dear friends, once more;';
  await box.fill(first);
  await waitText(page, 'b', first);
  const local = () => page.evaluate(() => document.querySelector('#b').hooks.localProbes().count);
  const n = await local();
  for (let i = 0; i < 12; i++) await box.press('Backspace');
  const cut = first.slice(0, -12);
  await waitText(page, 'b', cut);
  assert.equal(await local(), n + 12, 'the deletions were computed in the page');
  // Back to the text the engine last probed and far beyond: too much for the page, so the engine answers.
  const longer = `${first} Or close the wall up with our English dead. In peace there's nothing so becomes a man as modest stillness and humility: but when the blast of war blows in our ears, then imitate the action of the tiger.`;
  await box.fill(longer);
  await waitText(page, 'b', longer);
  assert.equal(await local(), n + 12, 'the paste was computed by the engine');
  sameNumbers(await shown(page, 'b'), await fresh(page, 'b', longer), 'the paste after deletions');
  await context.close();
});

test('no page above had an uncaught error, a console error or a request off its origin', () => {
  assert.deepEqual(collected.flat(), []);
});
