// <rnn-scope> as a course author uses it: the example lesson served from the built folder under a subpath with the
// strict CSP; ten elements on one page sharing the cores; embed.html in a sandboxed iframe; the attributes, methods
// and events of the element's contract.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, WAIT, axeAudit, cliJson, openPage, serverAndBrowser, screenshotPath } from './helpers.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CSP } from '../../scripts/serve.mjs';

const BASE = '/course/rnnscope/';
const env = serverAndBrowser({ base: BASE });
const collected = [];

before(async () => {
  await env.ready;
});

/** A page of our own, served at `path` under the folder's origin with the folder's CSP. */
async function routed(context, path, html) {
  await context.route(`${env.server.origin}${path}`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': CSP }, body: html }),
  );
}

test('the example lesson, served from dist/ under a subpath: every element renders, typing changes only its own, nothing leaves the origin, off-screen ones do not train', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1100, height: 900 });
  collected.push(p.problems);
  const { page } = p;
  // The CSP forbids eval, so hooks run through a function the page defines itself: read through evaluate only.
  await page.goto(`${env.server.url}examples/course-notes.html`);
  const ids = ['figure-hello', 'compare-brackets', 'diagram-shakespeare', 'heatmap-shakespeare'];
  // The first element is on screen: it loads; the last, far below, waits (loading="lazy"): it has not even started
  // (the next test asks more of the lazy loading).
  await page.waitForFunction(() => document.querySelector('#figure-hello').hooks.ready(), null, { timeout: WAIT });
  const lazy = await page.evaluate(() => document.querySelector('#heatmap-shakespeare').hooks.engineMode());
  assert.equal(lazy, 'none', 'an element far below the viewport started before it was scrolled to');
  for (const id of ids.slice(1)) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    if (id === 'compare-brackets') {
      await page.locator('#compare-brackets').getByRole('button', { name: 'Start comparison' }).click();
      await page.waitForFunction(() => [...document.querySelector('#compare-brackets').shadowRoot.querySelectorAll('[data-testid="compare-list"] li')].every((li) => Number(li.dataset.step) > 0), null, { timeout: WAIT });
      await page.locator('#compare-brackets').getByRole('button', { name: 'Stop' }).click();
    } else {
      await page.waitForFunction((sel) => document.querySelector(sel).hooks.ready(), `#${id}`, { timeout: WAIT });
    }
  }
  const infos = await page.evaluate((list) => list.map((id) => document.querySelector(`#${id}`).hooks.info()), ids);
  assert.equal(infos[0].cell, 'rnn');
  assert.equal(infos[0].hidden, 3);
  assert.equal(infos[2].cell, 'lstm');
  assert.equal(infos[2].layers, 2);

  // Typing into the Shakespeare diagram changes its probe and no other element's.
  const before = await page.evaluate((list) => list.map((id) => document.querySelector(`#${id}`).hooks.probeGeneration()), ids);
  const box = page.locator('#diagram-shakespeare').getByLabel('Text to look at');
  await box.fill('');
  await box.pressSequentially('Romeo');
  await page.waitForFunction(() => {
    const d = document.querySelector('#diagram-shakespeare').hooks.probe();
    return d && d.chars.join('') === 'Romeo';
  }, null, { timeout: WAIT });
  const afterTyping = await page.evaluate((list) => list.map((id) => document.querySelector(`#${id}`).hooks.probeGeneration()), ids);
  assert.ok(afterTyping[2] > before[2]);
  for (const i of [0, 1, 3]) assert.equal(afterTyping[i], before[i], `${ids[i]} changed when another element was typed into`);
  assert.equal(await page.evaluate(() => document.querySelector('#heatmap-shakespeare').hooks.probe().chars.slice(0, 4).join('')), 'KING');

  // The hello figure trains when asked; scrolled out of view, it stops, and goes on when it is back.
  await page.locator('#figure-hello').scrollIntoViewIfNeeded();
  await page.locator('#figure-hello').getByRole('button', { name: /^(Train|Resume)$/ }).click();
  await page.waitForFunction(() => document.querySelector('#figure-hello').hooks.running(), null, { timeout: WAIT });
  await page.locator('#heatmap-shakespeare').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => !document.querySelector('#figure-hello').hooks.running(), null, { timeout: WAIT });
  // The page says it paused; the engine must agree. Its answer to a request comes after every step it took before
  // (a chunk in flight included): the model file it sends records its step, and no report of a later step came.
  const paused = await page.evaluate(() => document.querySelector('#figure-hello').hooks.step());
  const engine = await page.evaluate(async () => {
    const el = document.querySelector('#figure-hello');
    const bytes = await el.exportModel();
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    return { fileStep: Number(header.__metadata__.step), shownStep: el.hooks.step(), running: el.hooks.running() };
  });
  assert.deepEqual(engine, { fileStep: paused, shownStep: paused, running: false }, `paused at step ${paused}`);
  await page.locator('#figure-hello').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('#figure-hello').hooks.running(), null, { timeout: WAIT });
  await page.screenshot({ path: screenshotPath('course-notes.png') });
  await p.context.close();
});

test('the example lesson fetches nothing for the elements far below the viewport until they are scrolled near', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1100, height: 900 });
  collected.push(p.problems);
  const { page, context, requests } = p;
  try {
    await page.goto(`${env.server.url}examples/course-notes.html`);
    await page.waitForFunction(() => document.querySelector('#figure-hello').hooks.ready(), null, { timeout: WAIT });
    const shakespeare = `${env.server.origin}${BASE}models/shakespeare-lstm.safetensors`;
    assert.ok(requests.includes(`${env.server.origin}${BASE}models/hello-rnn3.safetensors`), 'the requests were not recorded');
    const far = await page.evaluate(() => ['#diagram-shakespeare', '#heatmap-shakespeare'].map((sel) => document.querySelector(sel).hooks.engineMode()));
    assert.deepEqual(
      { requests: requests.filter((u) => u === shakespeare), far },
      { requests: [], far: ['none', 'none'] },
      'the Shakespeare elements, far below the viewport, started and fetched their model before they were scrolled to',
    );
    await page.locator('#heatmap-shakespeare').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('#heatmap-shakespeare').hooks.ready(), null, { timeout: WAIT });
    assert.ok(requests.includes(shakespeare), 'scrolled to, the heatmap showed the Shakespeare model without fetching it');
  } finally {
    await context.close();
  }
});

test('ten elements on one page: all render, at most one training per core at a time, and removing them frees every worker', async () => {
  // All ten fit on the screen (each 100 px high), so all ten want to train.
  const p = await openPage(env.browser, env.server.origin, { width: 1200, height: 1400 });
  collected.push(p.problems);
  const { page, context } = p;
  const items = Array.from({ length: 10 }, (_, i) => `<rnn-scope view="diagram" loading="eager" corpus="hello" cell="rnn" hidden-size="4" seed="${i + 1}" probe="hel" height="100"></rnn-scope>`).join('\n');
  await routed(context, `${BASE}ten.html`, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ten</title><script type="module" src="rnn-scope.js"></script></head><body>${items}</body></html>`);
  await page.goto(`${env.server.url}ten.html`);
  await page.waitForFunction(() => [...document.querySelectorAll('rnn-scope')].every((el) => el.hooks.ready()), null, { timeout: WAIT });
  const stats = await page.evaluate(() => customElements.get('rnn-scope').stats());
  assert.equal(stats.total, 10);
  assert.ok(stats.training <= stats.slots, `${stats.training} trainings on ${stats.slots} cores`);
  assert.equal(stats.training + stats.waiting, 10, 'every element asked to train (autoplay)');
  const running = await page.evaluate(() => [...document.querySelectorAll('rnn-scope')].filter((el) => el.hooks.running()).length);
  assert.ok(running <= stats.slots, `${running} elements training on ${stats.slots} cores`);
  const waiting = page.locator('rnn-scope [data-testid="run-state"][data-state="waiting"]');
  assert.ok((await waiting.count()) >= 10 - stats.slots);
  // Pausing one that trains lets one that waits start.
  const firstRunning = await page.evaluate(() => [...document.querySelectorAll('rnn-scope')].findIndex((el) => el.hooks.running()));
  await page.evaluate((i) => document.querySelectorAll('rnn-scope')[i].pause(), firstRunning);
  await page.waitForFunction((i) => [...document.querySelectorAll('rnn-scope')].some((el, j) => j !== i && j >= 2 && el.hooks.running()), firstRunning, { timeout: WAIT });
  await page.evaluate(() => document.querySelectorAll('rnn-scope').forEach((el) => el.remove()));
  await page.waitForFunction(() => customElements.get('rnn-scope').stats().total === 0, null, { timeout: WAIT });
  // The browser agrees: no worker of the page is left.
  const deadline = Date.now() + WAIT;
  while (page.workers().length > 0 && Date.now() < deadline) await page.waitForEvent('worker', { timeout: 200 }).catch(() => {});
  assert.equal(page.workers().length, 0);
  await context.close();
});

test('the text to look at takes line breaks: Enter types one, the diagram shows it as ↵, probe(text) keeps every character', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1100, height: 900 });
  collected.push(p.problems);
  const { page, context } = p;
  await routed(
    context,
    `${BASE}lines.html`,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lines</title><script type="module" src="rnn-scope.js"></script></head>' +
      '<body><rnn-scope id="s" view="diagram" model="models/shakespeare-lstm.safetensors" probe="x"></rnn-scope></body></html>',
  );
  await page.goto(`${env.server.url}lines.html`);
  await page.waitForFunction(() => document.querySelector('#s').hooks.ready(), null, { timeout: WAIT });
  const box = page.locator('#s').getByLabel('Text to look at');
  await box.fill('');
  await box.pressSequentially('ROMEO:');
  await box.press('Enter');
  await box.pressSequentially('Ay');
  await page.waitForFunction(() => document.querySelector('#s').hooks.probe()?.chars.join('') === 'ROMEO:\nAy', null, { timeout: WAIT });
  assert.equal(await box.inputValue(), 'ROMEO:\nAy');
  await page.evaluate(() => document.querySelector('#s').hooks.drawEverything());
  const column = await page.evaluate(() => {
    const col = document.querySelector('#s').shadowRoot.querySelector('.is-newline');
    return col ? { char: col.dataset.char, shown: col.textContent.includes('↵') } : null;
  });
  assert.deepEqual(column, { char: '\n', shown: true }, 'the line break has a column that shows ↵');
  // The lesson's promise: after the line break the model expects a capital, and the column's top guess is what
  // `rnnscope probe` computes with the same file after the same characters.
  const guess = await page.evaluate(() => document.querySelector('#s').shadowRoot.querySelector('.is-newline [data-testid="guess"][data-rank="1"]')?.dataset.char);
  const cli = await cliProbe('models/shakespeare-lstm.safetensors', 'ROMEO:\n');
  const after = cli.positions.at(-1).probs;
  const best = cli.vocab[after.indexOf(Math.max(...after))];
  assert.equal(guess, best, 'the top guess after the line break is the model\'s');
  assert.match(best, /^[A-Z]$/, 'after a line break the model expects a capital');
  // The method keeps every character too, and the box shows what it was given.
  const text = 'First Citizen:\nBefore we proceed any further,\n\nhear me speak.';
  const acts = await page.evaluate((t) => document.querySelector('#s').probe(t).then((a) => a.chars.join('')), text);
  assert.equal(acts, text);
  await page.waitForFunction((t) => document.querySelector('#s').hooks.probe()?.chars.join('') === t, text, { timeout: WAIT });
  assert.equal(await box.inputValue(), text);
  await context.close();
});

test('keystrokes computed in the page itself give the engine\'s numbers, bit for bit', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1100, height: 900 });
  collected.push(p.problems);
  const { page, context } = p;
  await routed(
    context,
    `${BASE}local.html`,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>local</title><script type="module" src="rnn-scope.js"></script></head>' +
      '<body><rnn-scope id="s" view="diagram" model="models/shakespeare-lstm.safetensors" probe="ROMEO:"></rnn-scope></body></html>',
  );
  await page.goto(`${env.server.url}local.html`);
  await page.waitForFunction(() => document.querySelector('#s').hooks.ready(), null, { timeout: WAIT });
  // The first probe came from the engine, from position 0, with the weights: the page's stepper has them.
  await page.waitForFunction(() => document.querySelector('#s').hooks.localProbes().ready, null, { timeout: WAIT });
  const box = page.locator('#s').getByLabel('Text to look at');
  await box.press('End');
  await box.pressSequentially(' I will\nno');
  const text = 'ROMEO: I will\nno';
  await page.waitForFunction((t) => document.querySelector('#s').hooks.probe()?.chars.join('') === t, text, { timeout: WAIT });
  const local = await page.evaluate(() => document.querySelector('#s').hooks.localProbes());
  assert.equal(local.count, 10, 'every key was computed in the page');
  // Copies of the arrays (the page's buffers are filled in place by the next probe).
  const shown = await page.evaluate(() => {
    const d = document.querySelector('#s').hooks.probe();
    return Object.fromEntries(['h', 'c', 'gate', 'logits', 'probs', 'input'].map((k) => [k, Array.from(d[k])]));
  });
  // probe(text) asks the engine for every position afresh; the model is not training, so the weights are the same.
  const engine = await page.evaluate(async (t) => {
    const d = await document.querySelector('#s').probe(t);
    return Object.fromEntries(['h', 'c', 'gate', 'logits', 'probs', 'input'].map((k) => [k, Array.from(d[k])]));
  }, text);
  for (const key of Object.keys(engine)) assert.deepEqual(shown[key], engine[key], key);
  assert.equal(engine.input.length, Array.from(text).length);
  await context.close();
});

test('embed.html reproduces a setup from its fragment inside a sandboxed iframe, and tells its parent its height', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 900, height: 900 });
  collected.push(p.problems);
  const { page, context } = p;
  await routed(
    context,
    `${BASE}host.html`,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title><script type="module" src="host.js"></script></head><body><iframe title="rnnscope" sandbox="allow-scripts" width="800" height="500" src="embed.html#view=diagram&corpus=hello&cell=gru&hidden=6&seed=3&probe=hel&controls=status,play"></iframe></body></html>`,
  );
  await context.route(`${env.server.origin}${BASE}host.js`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/javascript',
      headers: { 'Content-Security-Policy': CSP },
      body: "window.resizes = []; window.addEventListener('message', (e) => { if (e.data && e.data.context === 'iframe.resize') window.resizes.push(e.data.height); });",
    }),
  );
  await page.goto(`${env.server.url}host.html`);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForFunction(() => window.rnnscope && window.rnnscope.ready(), null, { timeout: WAIT });
  const info = await frame.evaluate(() => window.rnnscope.info());
  assert.equal(info.cell, 'gru');
  assert.equal(info.hidden, 6);
  assert.deepEqual(await frame.evaluate(() => window.rnnscope.probe().chars), ['h', 'e', 'l']);
  // Without same-origin the frame's origin is opaque: no worker can start, so the model runs in the frame itself.
  assert.equal(await frame.evaluate(() => window.rnnscope.engineMode()), 'main-thread');
  await page.waitForFunction(() => window.resizes.length > 0 && window.resizes.at(-1) > 100, null, { timeout: WAIT });
  await context.close();
});

test('the attributes, methods and events of <rnn-scope>', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1000, height: 900 });
  const { page, context } = p;
  collected.push(p.problems);
  await routed(
    context,
    `${BASE}api.html`,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>api</title><script type="module" src="rnn-scope.js"></script><script type="module" src="api.js"></script></head><body>' +
      '<rnn-scope id="a" view="diagram" loading="eager" corpus="hello" cell="lstm" hidden-size="8" seed="5" probe="he" autoplay="false"></rnn-scope>' +
      '<rnn-scope id="bad" view="sideways" loading="eager" cell="transformer" hidden-size="-3" lr="fast" controls="play,juggle" autoplay="false"></rnn-scope>' +
      '</body></html>',
  );
  await context.route(`${env.server.origin}${BASE}api.js`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/javascript',
      headers: { 'Content-Security-Policy': CSP },
      body: "window.events = []; for (const t of ['ready', 'progress', 'sample', 'error']) document.addEventListener(`rnnscope-${t}`, (e) => window.events.push({ type: e.type, id: e.target.id, detail: JSON.parse(JSON.stringify(e.detail ?? null)) }));",
    }),
  );
  await page.goto(`${env.server.url}api.html`);
  await page.waitForFunction(() => document.querySelector('#a').hooks.ready(), null, { timeout: WAIT });
  // Invalid attributes: a message naming each, the defaults used, the other element unaffected.
  const bad = await page.locator('#bad [data-testid="attribute-problems"]').allTextContents();
  const said = bad.join('\n');
  for (const attr of ['view="sideways"', 'cell="transformer"', 'hidden-size="-3"', 'lr="fast"', '“juggle”']) assert.ok(said.includes(attr), `no message for ${attr}: ${said}`);
  assert.match(said, /cell must be one of rnn, lstm, gru/);
  await page.waitForFunction(() => document.querySelector('#bad').hooks.ready(), null, { timeout: WAIT });
  assert.equal(await page.evaluate(() => document.querySelector('#bad').hooks.info().cell), 'lstm');
  // Reflected properties.
  assert.equal(await page.evaluate(() => document.querySelector('#a').cell), 'lstm');
  assert.equal(await page.evaluate(() => document.querySelector('#a').hiddenSize), '8');
  // Methods: step(n) trains exactly n steps; play() and pause(); events carry step and loss.
  assert.equal(await page.evaluate(() => document.querySelector('#a').hooks.running()), false, 'autoplay="false" trained');
  await page.evaluate(() => document.querySelector('#a').step(3));
  await page.waitForFunction(() => document.querySelector('#a').hooks.step() === 3, null, { timeout: WAIT });
  await page.evaluate(() => document.querySelector('#a').play());
  await page.waitForFunction(() => window.events.some((e) => e.type === 'rnnscope-progress' && e.id === 'a' && e.detail.step > 10), null, { timeout: WAIT });
  await page.evaluate(() => document.querySelector('#a').pause());
  await page.waitForFunction(() => !document.querySelector('#a').hooks.running(), null, { timeout: WAIT });
  const progress = await page.evaluate(() => window.events.find((e) => e.type === 'rnnscope-progress'));
  assert.ok(Number.isFinite(progress.detail.loss) && progress.detail.step > 0);
  assert.ok(await page.evaluate(() => window.events.some((e) => e.type === 'rnnscope-ready' && e.id === 'a' && e.detail.info.hidden === 8)));
  // probe(text) resolves to the activations and the diagram shows them.
  const probed = await page.evaluate(async () => {
    const d = await document.querySelector('#a').probe('hell');
    return { chars: d.chars, h: d.h.length, layers: d.layers, hidden: d.hidden, probs: d.probs.length };
  });
  assert.deepEqual(probed, { chars: ['h', 'e', 'l', 'l'], h: 4 * 8, layers: 1, hidden: 8, probs: 4 * 4 });
  await page.waitForFunction(() => document.querySelector('#a').shadowRoot.querySelectorAll('[data-testid="hell-col"]').length === 4, null, { timeout: WAIT });
  // sample(options) resolves to the text; argmax is repeatable; bad options are refused.
  const s1 = await page.evaluate(() => document.querySelector('#a').sample({ prime: 'h', length: 12, temperature: 0 }));
  const s2 = await page.evaluate(() => document.querySelector('#a').sample({ prime: 'h', length: 12, temperature: 0 }));
  assert.equal(s1.length, 12);
  assert.equal(s1, s2);
  assert.ok(await page.evaluate(() => window.events.some((e) => e.type === 'rnnscope-sample' && e.detail.text.length === 12)));
  await assert.rejects(page.evaluate(() => document.querySelector('#a').sample({ length: -1 })), /sample\(\)/);
  // Absurd arguments are refused with the reason, not run.
  await assert.rejects(page.evaluate(() => document.querySelector('#a').step(1e9)), /step\(n\): n must be a whole number from 1 to 10,000/);
  await assert.rejects(page.evaluate(() => document.querySelector('#a').step(0)), /step\(n\)/);
  await assert.rejects(page.evaluate(() => document.querySelector('#a').probe('x'.repeat(6000))), /probe\(text\): the text to look at is longer than 5000 characters/);
  // exportModel() → load(bytes) round trip: the same predictions; reset() gives fresh weights of the seed.
  const round = await page.evaluate(async () => {
    const a = document.querySelector('#a');
    const bytes = await a.exportModel();
    const before = Array.from((await a.probe('hel')).probs);
    await a.reset();
    const fresh = Array.from((await a.probe('hel')).probs);
    await a.load(bytes);
    const after = Array.from((await a.probe('hel')).probs);
    return { n: bytes.length, same: before.every((v, i) => v === after[i]), changed: before.some((v, i) => v !== fresh[i]) };
  });
  assert.ok(round.n > 1000);
  assert.ok(round.same, 'load(exportModel()) changed the predictions');
  assert.ok(round.changed, 'reset() kept the trained weights');
  // A corrupt file is refused with the reason and an rnnscope-error event; the model stays.
  const refused = await page.evaluate(async () => {
    const a = document.querySelector('#a');
    const gen = a.hooks.modelGeneration();
    try {
      await a.load(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
      return 'loaded';
    } catch (err) {
      return { message: err.message, same: a.hooks.modelGeneration() === gen };
    }
  });
  assert.ok(refused.same, JSON.stringify(refused));
  assert.ok(await page.evaluate(() => window.events.some((e) => e.type === 'rnnscope-error' && e.id === 'a')));
  // Attribute changes act: probe text, and a model setting (a fresh model with it).
  await page.evaluate(() => document.querySelector('#a').setAttribute('probe', 'ho'));
  await page.waitForFunction(() => document.querySelector('#a').hooks.probe()?.chars.join('') === 'ho', null, { timeout: WAIT });
  // An invalid value set later is named, and the default is used: training still works.
  await page.evaluate(() => document.querySelector('#a').setAttribute('lr', '-1'));
  await page.locator('#a [data-testid="attribute-problems"]', { hasText: 'lr="-1" is not allowed' }).waitFor({ timeout: WAIT });
  assert.equal(await page.evaluate(() => document.querySelector('#a').hooks.state().lr), 0.01);
  await page.evaluate(() => document.querySelector('#a').removeAttribute('lr'));
  await page.waitForFunction(() => !document.querySelector('#a').shadowRoot.querySelector('[data-attribute="lr"]'), null, { timeout: WAIT });
  await page.evaluate(() => document.querySelector('#a').setAttribute('hidden-size', '5'));
  await page.waitForFunction(() => document.querySelector('#a').hooks.info()?.hidden === 5, null, { timeout: WAIT });
  assert.ok(await page.locator('#a').isVisible(), 'setting the hidden size hid the element');
  // What was refused above is said in the element and its events, never as a console error.
  await context.close();
});

/** `rnnscope probe --json` of `text` with the model file at `model` (a path from the repository root). */
function cliProbe(model, text) {
  return cliJson(['probe', '--model', model, '--text-string', text]);
}

/** The numbers the figure shows: hidden boxes [t][unit], logits [t][v], one-hot [t][v] (layer 1). */
function figureNumbers(page, selector) {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel).shadowRoot;
    const grid = (testid, key) => {
      const out = [];
      for (const e of root.querySelectorAll(`[data-testid="${testid}"]`)) {
        if (e.dataset.layer !== undefined && e.dataset.layer !== '0') continue;
        const t = Number(e.dataset.t);
        (out[t] ??= [])[Number(e.dataset[key])] = Number(e.dataset.value);
      }
      return out;
    };
    return { h: grid('figure-hidden', 'unit'), logits: grid('figure-logit', 'v'), onehot: grid('figure-onehot', 'v') };
  }, selector);
}

function assertClose(actual, expected, what, tol = 1e-5) {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} rows, expected ${expected.length}`);
  actual.forEach((row, t) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - expected[t][j]) <= tol, `${what}[${t}][${j}] = ${v}, the CLI says ${expected[t][j]}`)),
  );
}

test('the figure of the shipped 3-unit hello model shows what `rnnscope probe --json` computes for "hell", and an edited weight recomputes every number downstream as the core does', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1280, height: 1000 });
  collected.push(p.problems);
  const { page, context } = p;
  await routed(
    context,
    `${BASE}figure.html`,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>figure</title><script type="module" src="rnn-scope.js"></script></head><body>' +
      '<rnn-scope id="fig" view="figure" loading="eager" model="models/hello-rnn3.safetensors" probe="hell"></rnn-scope></body></html>',
  );
  await page.goto(`${env.server.url}figure.html`);
  await page.waitForFunction(() => document.querySelector('#fig').shadowRoot.querySelectorAll('[data-testid="figure-hidden"]').length === 4 * 3, null, { timeout: WAIT });
  const cli = await cliProbe('models/hello-rnn3.safetensors', 'hell');
  const want = {
    h: cli.positions.map((q) => q.layers[0].h),
    logits: cli.positions.map((q) => q.logits),
    onehot: cli.positions.map((q) => cli.vocab.map((_, v) => (v === q.input ? 1 : 0))),
  };
  const shown = await figureNumbers(page, '#fig');
  assertClose(shown.h, want.h, 'h');
  assertClose(shown.logits, want.logits, 'logits');
  assertClose(shown.onehot, want.onehot, 'one-hot', 0);
  // The right next character's score is marked: after "hel" it is "l", after "hell" there is none shown... after "he", "l".
  const targets = await page.evaluate(() =>
    [...document.querySelector('#fig').shadowRoot.querySelectorAll('[data-testid="figure-logit"][data-target="true"]')].map((e) => [Number(e.dataset.t), e.dataset.char]),
  );
  assert.deepEqual(targets.sort((a, b) => a[0] - b[0]).slice(0, 3), [[0, 'e'], [1, 'l'], [2, 'l']]);
  await page.screenshot({ path: screenshotPath('figure.png') });

  // Edit W_hh[unit 0, unit 1]: the figure recomputes, and its numbers are the core's for the edited model.
  await page.locator('#fig [data-testid="figure-weight-button"][data-matrix="W_hh"]').first().click();
  const cell = page.locator('#fig [data-testid="figure-weight"][data-name="rnn.weight_hh_l0"][data-index="1"]');
  await cell.fill('2.5');
  await cell.press('Enter');
  await page.waitForFunction(() => {
    const e = document.querySelector('#fig').shadowRoot.querySelector('[data-testid="figure-weight"][data-name="rnn.weight_hh_l0"][data-index="1"]');
    return e && Number(e.dataset.value) === 2.5;
  }, null, { timeout: WAIT });
  const edited = await page.evaluate(() => document.querySelector('#fig').exportModel());
  const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'rnnscope-figure-'));
  const file = join(dir, 'edited.safetensors');
  (await import('node:fs')).writeFileSync(file, Buffer.from(Object.values(edited)));
  const cli2 = await cliProbe(file, 'hell');
  await page.waitForFunction(
    (h1) => {
      const e = document.querySelector('#fig').shadowRoot.querySelector('[data-testid="figure-hidden"][data-t="1"][data-unit="0"]');
      return e && Math.abs(Number(e.dataset.value) - h1) < 1e-5;
    },
    cli2.positions[1].layers[0].h[0],
    { timeout: WAIT },
  );
  const after = await figureNumbers(page, '#fig');
  assertClose(after.h, cli2.positions.map((q) => q.layers[0].h), 'h after the edit');
  assertClose(after.logits, cli2.positions.map((q) => q.logits), 'logits after the edit');
  assert.notDeepEqual(cli2.positions[1].layers[0].h, want.h[1], 'the edit changed nothing downstream');
  await context.close();
});

test('every attribute reaches the model and the view, and every shipped model loads in the page with its manifest shape', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1000, height: 900 });
  collected.push(p.problems);
  const { page, context } = p;
  await routed(
    context,
    `${BASE}attrs.html`,
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>attributes</title><script type="module" src="rnn-scope.js"></script></head><body>' +
      '<rnn-scope id="s" view="sample" loading="eager" corpus="brackets" cell="rnn" nonlinearity="relu" hidden-size="12" layers="2" seq-len="7" batch="3" optimizer="rmsprop" lr="0.005" seed="9" temperature="0.5" controls="play" height="260" autoplay="false"></rnn-scope>' +
      `<rnn-scope id="own" view="train" loading="eager" autoplay="false" seq-len="8" batch="2">${'the cat sat on the mat; the rat sat on the hat. '.repeat(4)}</rnn-scope>` +
      '<rnn-scope id="short" view="train" loading="eager" autoplay="false">too short</rnn-scope>' +
      '</body></html>',
  );
  await page.goto(`${env.server.url}attrs.html`);
  await page.waitForFunction(() => document.querySelector('#s').hooks.info(), null, { timeout: WAIT });
  const got = await page.evaluate(() => {
    const el = document.querySelector('#s');
    const st = el.hooks.state();
    const info = el.hooks.info();
    const buttons = [...el.shadowRoot.querySelectorAll('.toolbar button')].map((b) => b.textContent);
    return {
      info: { cell: info.cell, nonlinearity: info.nonlinearity, hidden: info.hidden, layers: info.layers, vocab: info.vocab.length },
      st: { corpus: st.corpus, seqLen: st.seqLen, batch: st.batch, optimizer: st.optimizer, lr: st.lr, seed: st.seed, temperature: st.temperature },
      buttons,
      height: Math.round(el.getBoundingClientRect().height),
      running: el.hooks.running(),
      sampler: Boolean(el.shadowRoot.querySelector('[data-testid="sample-out"]')),
    };
  });
  assert.deepEqual(got.info, { cell: 'rnn', nonlinearity: 'relu', hidden: 12, layers: 2, vocab: got.info.vocab });
  assert.ok(got.info.vocab > 20, 'not the brackets corpus');
  assert.deepEqual(got.st, { corpus: 'brackets', seqLen: 7, batch: 3, optimizer: 'rmsprop', lr: 0.005, seed: 9, temperature: 0.5 });
  assert.deepEqual(got.buttons, ['Train'], 'controls="play" shows only the play button');
  assert.equal(got.height, 260);
  assert.equal(got.running, false);
  assert.ok(got.sampler, 'view="sample" has no sampler');
  // The element's own text is its training text.
  await page.waitForFunction(() => document.querySelector('#own').hooks.info(), null, { timeout: WAIT });
  assert.deepEqual(await page.evaluate(() => document.querySelector('#own').hooks.info().vocab.join('')), ' .;acehmnorst');
  // One too short for its settings says why, in the element.
  await page.locator('#short [data-testid="message"]', { hasText: /Could not build the model: .*text/ }).waitFor({ timeout: WAIT });
  // Each shipped model, by URL, as the manifest describes it.
  const manifest = JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8'));
  for (const m of manifest.models) {
    const info = await page.evaluate(async (file) => {
      const el = document.querySelector('#s');
      await el.load(`models/${file}`);
      const i = el.hooks.info();
      return { cell: i.cell, hidden: i.hidden, layers: i.layers, vocabSize: i.vocab.length };
    }, m.file);
    assert.deepEqual(info, { cell: m.cell, hidden: m.hidden, layers: m.layers, vocabSize: m.vocabSize }, m.file);
  }
  await context.close();
});

test('the anywidget entry renders an element from its model and follows the model\'s changes', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 900, height: 800 });
  collected.push(p.problems);
  const { page, context } = p;
  // A stand-in for anywidget's model: get / on / off, and a change fired as anywidget fires it.
  const host = `
    import widget from './widget.js';
    const values = { view: 'diagram', corpus: 'hello', cell: 'gru', hidden: 5, probe: 'he', loading: 'eager', autoplay: 'false' };
    const handlers = {};
    const model = {
      get: (k) => values[k],
      on: (ev, f) => { (handlers[ev] ??= []).push(f); },
      off: (ev, f) => { handlers[ev] = (handlers[ev] ?? []).filter((g) => g !== f); },
    };
    const el = document.querySelector('#w');
    window.dispose = widget.render({ model, el });
    window.change = (k, v) => { values[k] = v; for (const f of handlers['change:' + k] ?? []) f(); };
  `;
  await routed(context, `${BASE}widget-host.html`, '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>widget</title><script type="module" src="widget-host.js"></script></head><body><div id="w"></div></body></html>');
  await context.route(`${env.server.origin}${BASE}widget-host.js`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', headers: { 'Content-Security-Policy': CSP }, body: host }),
  );
  await page.goto(`${env.server.url}widget-host.html`);
  await page.waitForFunction(() => document.querySelector('#w rnn-scope')?.hooks.ready(), null, { timeout: WAIT });
  assert.deepEqual(await page.evaluate(() => {
    const i = document.querySelector('#w rnn-scope').hooks.info();
    return [i.cell, i.hidden];
  }), ['gru', 5]);
  await page.evaluate(() => window.change('probe', 'hello'));
  await page.waitForFunction(() => document.querySelector('#w rnn-scope').hooks.probe()?.chars.join('') === 'hello', null, { timeout: WAIT });
  await page.evaluate(() => window.dispose());
  await page.waitForFunction(() => !document.querySelector('#w rnn-scope') && customElements.get('rnn-scope').stats().total === 0, null, { timeout: WAIT });
  await context.close();
});

test('the full page offers the trained models: one loads with the text it learnt and trains on', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1280, height: 900 });
  collected.push(p.problems);
  const { page, context } = p;
  await page.goto(env.server.url);
  await page.waitForFunction(() => window.rnnscope.ready(), null, { timeout: WAIT });
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  const choice = page.getByLabel('Or start from a trained model');
  await choice.selectOption('brackets-lstm.safetensors');
  await page.getByRole('button', { name: 'Load it' }).click();
  await page.waitForFunction((g) => window.rnnscope.modelGeneration() > g && window.rnnscope.ready(), gen, { timeout: WAIT });
  const info = await page.evaluate(() => window.rnnscope.info());
  assert.deepEqual([info.cell, info.layers, info.hidden, info.step], ['lstm', 1, 64, 1500]);
  await page.locator('[data-testid="text-info"]', { hasText: 'built-in “brackets”' }).waitFor({ timeout: WAIT });
  await page.getByRole('button', { name: 'Resume' }).first().click();
  await page.waitForFunction(() => window.rnnscope.step() > 1510, null, { timeout: WAIT });
  await context.close();
});

test('axe-core finds no serious or critical accessibility violation on the full page and on the example lesson', async () => {
  for (const path of ['', 'examples/course-notes.html']) {
    const p = await openPage(env.browser, env.server.origin, { width: 1280, height: 900 });
    await p.page.goto(env.server.url + path);
    await p.page.waitForFunction(() => [...document.querySelectorAll('rnn-scope')].some((el) => el.hooks.ready()), null, { timeout: WAIT });
    await p.page.evaluate(() => Promise.all([...document.querySelectorAll('rnn-scope')].map((el) => el.hooks.drawEverything())));
    // The page's problems besides the reports of the inline styles axe-core itself makes (which the CSP refuses).
    const { violations, problems } = await axeAudit(p);
    collected.push(problems);
    assert.deepEqual(violations, [], path || 'index.html');
  }
});

test('no page above had an uncaught error, a console error or a request off its origin', () => {
  assert.deepEqual(collected.flat(), []);
});
