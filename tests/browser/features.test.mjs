// The page's other features, driven like a visitor: sampling streams in (argmax of the hello toy is "llohe…") and
// Stop cancels it; the RNN/LSTM/GRU comparison learns in three workers and leaves the main model alone; "Look across
// the text" (heatmap, picking a unit by mouse and keyboard, colouring the text by a unit or by loss, top-5 guesses);
// autosave with restore and discard after a reload; PyTorch-written models (multi-byte vocabularies that the current
// text does not fit) load and give PyTorch's numbers, and keep training on a text of their own characters; dropping a
// text file or a model anywhere on the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT, WAIT, frames, messages, pause, serverAndBrowser, shownGuesses, shownText, shownStep, typeProbe, visit, waitGuessesFor, waitReady, waitState, waitStep,
} from './helpers.mjs';

const env = serverAndBrowser();
const allProblems = [];

const LN4 = Math.log(4);
const FIXTURES = join(ROOT, 'tests', 'fixtures');

/** A fresh page (own context, so IndexedDB starts empty) on `hash`, with a model probed. */
async function freshPage(hash = '') {
  return visit(env, allProblems, { hash });
}

/** Wait until the model generation has moved past `gen`, the new model's probe is in place and it is drawn. */
async function waitNewModel(page, gen) {
  await page.waitForFunction((g) => window.rnnscope.modelGeneration() > g && window.rnnscope.ready(), gen, { timeout: WAIT });
  await frames(page);
}

/** Wait until the hello toy has learnt its five-letter cycle (the smoothed loss is far below a uniform guess). */
async function waitTrained(page) {
  await waitStep(page, 300);
  await page.waitForFunction(() => {
    const h = window.rnnscope.lossHistory();
    return h.length >= 50 && h.slice(-50).every((v) => v < 0.1);
  }, null, { timeout: WAIT });
}

/** The header, metadata and tensor shapes of a .safetensors file. */
function readSafetensors(file) {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const meta = header.__metadata__;
  const layers = Object.keys(header).filter((k) => k.startsWith('rnn.weight_ih_l')).length;
  return {
    bytes,
    cell: meta.cell,
    nonlinearity: meta.nonlinearity ?? 'tanh',
    vocab: JSON.parse(meta.vocab),
    step: Number(meta.step ?? 0),
    hidden: header['rnn.weight_hh_l0'].shape[1],
    layers,
    params: Object.entries(header).filter(([k]) => k !== '__metadata__').reduce((s, [, t]) => s + t.shape.reduce((a, b) => a * b, 1), 0),
  };
}

/** The autosave record in this page's IndexedDB (the fields a test compares), or null. */
function autosaved(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('rnnscope');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('autosave')) {
            db.close();
            resolve(null);
            return;
          }
          const get = db.transaction('autosave').objectStore('autosave').get('current');
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            const r = get.result;
            db.close();
            resolve(r ? { step: r.step, cell: r.cell, text: r.text, seed: r.state.seed, hidden: r.state.hidden, bytes: r.bytes.size, trainingState: r.trainingState?.size ?? 0 } : null);
          };
        };
      }),
  );
}

/**
 * Drop a file on the page as a visitor dragging it from the desktop would: dragenter, dragover (the page must
 * accept it) and drop, each carrying a DataTransfer that holds the File. Returns whether the page accepted the drag.
 */
function dropFile(page, name, bytes, type) {
  return page.evaluate(
    ({ name, data, type }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], name, { type }));
      const target = $q('#watch');
      const opts = { bubbles: true, cancelable: true, composed: true, dataTransfer: dt };
      target.dispatchEvent(new DragEvent('dragenter', opts));
      const over = new DragEvent('dragover', opts);
      target.dispatchEvent(over);
      target.dispatchEvent(new DragEvent('drop', opts));
      return over.defaultPrevented;
    },
    { name, data: Array.from(bytes), type },
  );
}

/** The coloured text as shown: one entry per character. */
function colouredText(page) {
  return page.evaluate(() =>
    Array.from($qa('[data-testid="textcolor"] .rs-ctext-ch'), (s) => ({
      text: s.textContent,
      value: s.dataset.value,
      title: s.title,
      background: s.style.background,
    })),
  );
}

// -----------------------------------------------------------------------------------------------------------------
// 1. Sampling

test('sampling streams in: argmax after "he" from the trained hello toy writes "llohe…" in pieces, to the full length', async () => {
  const { page, context } = await freshPage();
  await waitTrained(page);
  await page.getByLabel('Start with').fill('he');
  await page.getByLabel('Length', { exact: true }).fill('20000');
  await page.getByLabel(/always take the most likely character/).check();
  await shownText(page.locator('#temp-out'), '0 (argmax)');
  // Record every length of the output the page shows, as it changes.
  await page.locator('[data-testid="sample-out"]').scrollIntoViewIfNeeded();
  await page.evaluate(() => {
    const out = $q('[data-testid="sample-out"]');
    window.__sampleLengths = [];
    new MutationObserver(() => window.__sampleLengths.push(out.textContent.length)).observe(out, {
      childList: true, subtree: true, characterData: true,
    });
  });
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  const stop = page.locator('#sample').getByRole('button', { name: 'Stop' });
  // It finishes by itself: Stop goes back to disabled once the last chunk is in.
  await page.waitForFunction(
    () => $q('[data-testid="sample-out"]').textContent.length === 20002 && $q('#btn-sample-stop').disabled,
    null,
    { timeout: WAIT },
  );
  assert.ok(await stop.isDisabled());
  const out = await page.locator('[data-testid="sample-out"]').textContent();
  assert.equal(out.length, 2 + 20000);
  assert.equal(out, 'he' + 'llohe'.repeat(4000));
  // The worker sends it in pieces (at most 4096 characters each, fewer when slow) and the page appends them; how
  // many of those reach the screen separately depends on frame timing, so only their order is checked there.
  assert.ok(await page.evaluate(() => window.rnnscope.sampleChunks()) >= 5);
  const lengths = await page.evaluate(() => window.__sampleLengths);
  for (let i = 1; i < lengths.length; i++) assert.ok(lengths[i] >= lengths[i - 1] || lengths[i] === 2, `the output shrank: ${JSON.stringify(lengths)}`);
  await context.close();
});

test('Stop cancels a long sample: the output stops growing, short of its length, and sampling works again', async () => {
  const { page, context } = await freshPage();
  // A big model on the hello text writes slowly (a few characters per millisecond at most), so a 20,000-character
  // sample is still running when Stop is pressed.
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Hidden units').fill('512');
  await page.getByLabel('Layers').fill('2');
  await page.getByLabel('Sequence length').fill('2');
  await page.getByLabel('Batch size').fill('1');
  await page.getByRole('button', { name: 'Build and train' }).click();
  await waitNewModel(page, gen);
  assert.equal((await page.evaluate(() => window.rnnscope.info())).hidden, 512);
  await pause(page);
  await page.getByLabel('Start with').fill('h');
  await page.getByLabel('Length', { exact: true }).fill('20000');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  const stop = page.locator('#sample').getByRole('button', { name: 'Stop' });
  await page.waitForFunction(() => $q('[data-testid="sample-out"]').textContent.length > 1, null, { timeout: WAIT });
  assert.ok(await stop.isEnabled(), 'Stop is not enabled while sampling');
  await stop.click();
  await page.waitForFunction(() => $q('#btn-sample-stop').disabled, null, { timeout: WAIT });
  const stopped = (await page.locator('[data-testid="sample-out"]').textContent()).length;
  assert.ok(stopped > 1 && stopped < 20001, `the sample was not cut short: ${stopped} characters`);
  // A round trip through the worker (one training step) proves nothing of that sample is still on its way.
  const step = await shownStep(page);
  await page.getByRole('button', { name: 'Step' }).click();
  await waitStep(page, step + 1);
  await frames(page);
  assert.equal((await page.locator('[data-testid="sample-out"]').textContent()).length, stopped);
  // And a new sample runs to its end.
  await page.getByLabel('Length', { exact: true }).fill('7');
  await page.getByRole('button', { name: 'Sample', exact: true }).click();
  await page.waitForFunction(
    () => $q('[data-testid="sample-out"]').textContent.length === 8 && $q('#btn-sample-stop').disabled,
    null,
    { timeout: WAIT },
  );
  assert.match(await page.locator('[data-testid="sample-out"]').textContent(), /^h[ehlo]{7}$/);
  await context.close();
});

// -----------------------------------------------------------------------------------------------------------------
// 2. Comparison

test('compare RNN, LSTM and GRU: three workers learn, three curves overlaid; Stop resumes the main model where it was', async () => {
  const { page, context } = await freshPage();
  await waitStep(page, 20);
  await page.getByRole('button', { name: 'Start comparison' }).click();
  // The main model pauses while the three train.
  await page.waitForFunction(() => !window.rnnscope.running() && $q('[data-testid="run-state"]').dataset.state === 'paused', null, { timeout: WAIT });
  const main = await page.evaluate(() => ({
    step: window.rnnscope.step(),
    info: window.rnnscope.info(),
    gen: window.rnnscope.modelGeneration(),
    losses: window.rnnscope.lossHistory().length,
  }));
  await page.locator('[data-testid="compare-chart"]').scrollIntoViewIfNeeded();
  // Each cell clearly below a uniform guess over 4 characters (ln 4 nats/char).
  await page.waitForFunction(
    (bound) => {
      const items = Array.from($qa('[data-testid="compare-list"] li'));
      return items.length === 3 && items.every((li) => li.dataset.state === 'training' && li.dataset.loss !== '' && Number(li.dataset.loss) < bound);
    },
    0.75 * LN4,
    { timeout: WAIT },
  );
  const items = await page.evaluate(() =>
    Array.from($qa('[data-testid="compare-list"] li'), (li) => ({
      cell: li.dataset.cell, step: Number(li.dataset.step), loss: Number(li.dataset.loss), head: li.querySelector('.compare-head').textContent,
    })),
  );
  assert.deepEqual(items.map((i) => i.cell), ['rnn', 'lstm', 'gru']);
  for (const i of items) {
    assert.ok(i.step > 0, `${i.cell} took no steps`);
    assert.match(i.head, /step \d+, smoothed loss \d\.\d{3} nats\/char, [\d,]+ parameters/);
  }
  // The overlaid chart: one series per cell in its legend and in its readout, each with a loss below ln 4.
  await page.waitForFunction(() => $qa('[data-testid="compare-chart"] [data-series]').length === 3, null, { timeout: WAIT });
  const chart = await page.evaluate(() => ({
    legend: Array.from($qa('[data-testid="compare-chart"] .rs-chart-legend li'), (li) => li.textContent),
    readout: Array.from($qa('[data-testid="compare-chart"] [data-series]'), (s) => [s.dataset.series, Number(s.dataset.value)]),
  }));
  assert.deepEqual(chart.legend, ['vanilla RNN', 'LSTM', 'GRU']);
  assert.deepEqual(chart.readout.map(([n]) => n), ['vanilla RNN', 'LSTM', 'GRU']);
  for (const [n, v] of chart.readout) assert.ok(Number.isFinite(v) && v < LN4, `${n} shows ${v}`);

  await page.locator('#compare').getByRole('button', { name: 'Stop' }).click();
  await page.waitForFunction(
    () => Array.from($qa('[data-testid="compare-list"] li')).every((li) => li.dataset.state === 'stopped'),
    null,
    { timeout: WAIT },
  );
  assert.ok(await page.locator('#compare').getByRole('button', { name: 'Stop' }).isDisabled());
  assert.equal(await page.getByRole('button', { name: 'Start comparison' }).count(), 1);
  // The curves stay on screen.
  assert.equal(await page.locator('[data-testid="compare-chart"] [data-series]').count(), 3);
  // The main model was training before, so it resumes by itself: the same model, carrying on from its step and
  // its loss history.
  await waitState(page, 'training');
  await waitStep(page, main.step + 10);
  const now = await page.evaluate(() => ({
    info: window.rnnscope.info(),
    gen: window.rnnscope.modelGeneration(),
    losses: window.rnnscope.lossHistory().length,
  }));
  assert.deepEqual(now.info, main.info);
  assert.equal(now.gen, main.gen);
  assert.ok(now.losses >= main.losses + 10, `loss history ${main.losses} → ${now.losses}`);
  await context.close();
});

// -----------------------------------------------------------------------------------------------------------------
// 3. Look across the text

test('look across the text: a units × characters heatmap; pick a unit by click or keyboard, colour the text by it, by loss, top-5 guesses', async () => {
  const { page, context } = await freshPage();
  await waitTrained(page);
  await pause(page);
  await typeProbe(page, 'hello');
  await waitGuessesFor(page, 'hello');
  const canvas = page.locator('[data-testid="heatmap-canvas"]');
  await canvas.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => $q('[data-testid="heatmap-canvas"]').width === 5, null, { timeout: WAIT });
  // One row per hidden unit, one column per character of the text box.
  assert.deepEqual(await canvas.evaluate((c) => [c.height, c.width]), [32, 5]);
  assert.match(await canvas.getAttribute('aria-label'), /32 units by 5 characters/);

  /** Wait until the text is coloured by unit `j` of h (layer 1) and return what it shows with the probe's values. */
  const waitUnit = async (j, tensor = 'h') => {
    await page.waitForFunction(
      ([k, tn]) => {
        const cap = $q('[data-testid="textcolor"] figcaption').textContent;
        return cap.startsWith(tn === 'c' ? 'cell state' : 'hidden state') && cap.includes(`unit ${k},`);
      },
      [j, tensor],
      { timeout: WAIT },
    );
    const shown = await colouredText(page);
    const want = await page.evaluate(([k, tn]) => {
      const d = window.rnnscope.probe();
      return Array.from({ length: d.steps }, (_, t) => d[tn][(t * d.layers + 0) * d.hidden + k]);
    }, [j, tensor]);
    assert.deepEqual(shown.map((s) => s.text), ['h', 'e', 'l', 'l', 'o']);
    shown.forEach((s, t) => {
      assert.equal(Number(s.value), want[t], `unit ${j} at t=${t}`);
      // The number is readable, not only a colour.
      assert.match(s.title, new RegExp(`^"${s.text}" \\(t=${t}\\): −?\\d+\\.\\d{3}$`));
      assert.ok(s.background !== '', 'no colour');
    });
    return shown;
  };

  // Click the row of unit 5.
  const box = await canvas.boundingBox();
  const cellH = box.height / 32;
  await canvas.click({ position: { x: box.width * 0.5, y: 5 * cellH + cellH / 2 } });
  assert.equal(await page.getByLabel('Colour the text by').inputValue(), 'unit');
  await waitUnit(5);
  assert.match(await page.locator('[data-testid="heatmap-readout"]').textContent(), /unit 5 · l \(t=2\) · −?\d\.\d{4}/);

  // The keyboard: the map is focusable, arrows move the cursor, Enter picks the unit under it.
  await canvas.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowLeft');
  const readout = await page.locator('[data-testid="heatmap-readout"]').textContent();
  const v = await page.evaluate(() => {
    const d = window.rnnscope.probe();
    return d.h[(1 * d.layers + 0) * d.hidden + 7];
  });
  assert.match(readout, /unit 7 · e \(t=1\) · /);
  assert.ok(Math.abs(Number(readout.split(' · ').pop().replace('−', '-')) - v) < 1e-4, `readout ${readout}, value ${v}`);
  await page.keyboard.press('Enter');
  await waitUnit(7);
  // The same unit of the LSTM's cell state.
  await page.getByLabel(/^Show/).selectOption('c');
  await waitUnit(7, 'c');
  await page.getByLabel(/^Show/).selectOption('h');
  await waitUnit(7);

  // Colour by loss: the surprise at each next character, in nats; the last character has no next one.
  await page.getByLabel('Colour the text by').selectOption('loss');
  await page.waitForFunction(() => $q('[data-testid="textcolor"] figcaption').textContent.includes('loss'), null, { timeout: WAIT });
  const loss = await colouredText(page);
  const want = await page.evaluate(() => Array.from(window.rnnscope.probe().loss));
  assert.equal(loss.length, 5);
  loss.slice(0, 4).forEach((s, t) => {
    assert.equal(Number(s.value), want[t]);
    assert.ok(want[t] < 0.5, `the trained model is surprised by character ${t + 1}: ${want[t]} nats`);
    assert.match(s.title, /: \d+\.\d{2} nats$/);
  });
  assert.equal(loss[4].value, 'NaN');
  assert.match(loss[4].title, /: – nats$/);

  // Top-5 guesses under every character: the trained model's first guess is the character that really follows.
  await page.getByLabel('Colour the text by').selectOption('topk');
  await page.waitForFunction(() => $qa('[data-testid="textcolor"] .rs-topk-col').length === 5, null, { timeout: WAIT });
  const cols = await page.evaluate(() =>
    Array.from($qa('[data-testid="textcolor"] .rs-topk-col'), (col) => ({
      head: col.querySelector('.rs-topk-head').textContent,
      guesses: Array.from(col.querySelectorAll('[data-testid="topk-guess"]'), (g) => ({
        rank: Number(g.dataset.rank), char: g.dataset.char, prob: g.dataset.prob, text: g.textContent, actual: g.classList.contains('is-actual'),
      })),
    })),
  );
  const probs = await page.evaluate(() => Array.from(window.rnnscope.probe().probs));
  assert.deepEqual(cols.map((c) => c.head), ['h', 'e', 'l', 'l', 'o']);
  const vocab = ['e', 'h', 'l', 'o'];
  const next = ['e', 'l', 'l', 'o', 'h'];
  cols.forEach((c, t) => {
    assert.equal(c.guesses.length, 5);
    assert.deepEqual(c.guesses.map((g) => g.rank), [1, 2, 3, 4, 5]);
    // The vocabulary has four characters: four guesses and an empty fifth slot.
    assert.deepEqual(c.guesses.slice(0, 4).map((g) => g.char).sort(), vocab);
    assert.equal(c.guesses[4].char, '');
    for (const g of c.guesses.slice(0, 4)) {
      assert.equal(Number(g.prob), probs[t * 4 + vocab.indexOf(g.char)]);
      assert.ok(g.text.startsWith(g.char), `guess shows ${g.text}`);
    }
    const ps = c.guesses.slice(0, 4).map((g) => Number(g.prob));
    assert.deepEqual(ps, [...ps].sort((a, b) => b - a));
    assert.equal(c.guesses[0].char, next[t], `top guess after ${c.head} (t=${t})`);
    // The guess that matches the character that really comes next is marked (none after the last one).
    assert.deepEqual(c.guesses.map((g) => g.actual), c.guesses.map((g, i) => t < 4 && i === 0));
  });
  await context.close();
});

// -----------------------------------------------------------------------------------------------------------------
// 4. Autosave and restore

/** What a restore must bring back: step, model, settings, loss history and text; and whether it trains. */
async function session(page) {
  await frames(page);
  return page.evaluate(() => ({
    step: window.rnnscope.step(),
    info: window.rnnscope.info(),
    state: window.rnnscope.state(),
    losses: window.rnnscope.lossHistory(),
    lossOffset: window.rnnscope.lossOffset(),
    textInfo: $q('[data-testid="text-info"]').textContent,
    running: window.rnnscope.running(),
  }));
}

/** A page training a GRU on a pasted text longer than a link can carry; paused, autosaved. */
async function savedSession() {
  const p = await freshPage();
  const { page } = p;
  const text = 'Autosave keeps the model, the text and the setup. '.repeat(90); // 4,500 characters
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel(/^Cell/).selectOption('gru');
  await page.getByLabel('Hidden units').fill('24');
  await page.getByLabel('Seed').fill('3');
  await page.getByRole('button', { name: 'Build and train' }).click();
  await waitNewModel(page, gen);
  const gen2 = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Or paste your own').fill(text);
  await page.getByRole('button', { name: 'Train on this text' }).click();
  await waitNewModel(page, gen2);
  assert.equal((await page.evaluate(() => window.rnnscope.info())).cell, 'gru');
  await typeProbe(page, 'the model');
  await waitGuessesFor(page, 'the model');
  await waitStep(page, 40);
  await pause(page);
  const step = await shownStep(page);
  // Pausing saves: the page says so, with the step, and IndexedDB holds it.
  await page.locator('[data-testid="autosave-info"]', { hasText: `Autosaved in this browser at step ${step} ` }).waitFor({ timeout: WAIT });
  const rec = await autosaved(page);
  assert.equal(rec.step, step);
  assert.equal(rec.cell, 'gru');
  assert.equal(rec.text, text);
  assert.ok(rec.trainingState > 0, 'no training state in the autosave');
  // Typed again now that it is paused: every column is computed with the saved weights.
  await typeProbe(page, 'the model');
  await waitGuessesFor(page, 'the model');
  const saved = await session(page);
  return { ...p, text, saved, guesses: await shownGuesses(page) };
}

test('autosave: after a reload the page offers the saved model; "Restore it" brings back its step, setup, text, history and predictions', async () => {
  const { page, context, text, saved, guesses } = await savedSession();
  assert.match(saved.textInfo, /your pasted text: 4,500 characters/);
  // The link cannot carry a text this long, so only the autosave can bring it back after the reload.
  assert.equal(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get('text'), '');
  // Hold the model code back until the visitor has chosen: a quick visitor answers the offer before the fresh page
  // has built its own model, and the restored model must not be replaced by that one when the code arrives.
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  await context.route('**/rnnscope*_bg.wasm' /* either build of the core */, async (route) => {
    await held;
    await route.continue();
  });
  await page.reload();
  const banner = page.locator('[data-testid="restore"]');
  await banner.waitFor({ state: 'visible', timeout: WAIT });
  assert.match(await banner.textContent(), new RegExp(`GRU model in this browser \\(step ${saved.step.toLocaleString('en-US')}, 4,500 characters of text`));
  assert.equal(await page.evaluate(() => window.rnnscope.info()), null, 'the model code was not held back');
  await page.getByRole('button', { name: 'Restore it' }).click();
  await banner.waitFor({ state: 'hidden', timeout: WAIT });
  release();
  await page.waitForFunction(
    (s) => window.rnnscope.ready() && window.rnnscope.step() === s && window.rnnscope.info()?.cell === 'gru',
    saved.step,
    { timeout: WAIT },
  );
  await page.locator('[data-testid="message"]', { hasText: 'Loaded your autosaved model' }).waitFor({ timeout: WAIT });
  // With its training state: the optimizer, data position and recurrent state come back with the weights.
  assert.deepEqual(await page.evaluate(() => window.rnnscope.resumed()), { restored: 'exactly' });
  assert.ok((await messages(page)).some((m) => m.includes('Training goes on exactly where it stopped')), `${await messages(page)}`);
  const now = await session(page);
  assert.equal(now.step, saved.step);
  // (info().step is the step the model was put in place at: 0 for the saved one, which was built, not loaded.)
  assert.deepEqual({ ...now.info, step: undefined }, { ...saved.info, step: undefined });
  assert.equal(now.info.step, saved.step);
  for (const k of ['corpus', 'cell', 'hidden', 'layers', 'seqLen', 'batch', 'optimizer', 'lr', 'clip', 'seed', 'valFraction', 'probe']) {
    assert.equal(now.state[k], saved.state[k], `setting ${k}`);
  }
  assert.equal(now.textInfo, saved.textInfo);
  assert.deepEqual(now.losses, saved.losses);
  assert.equal(now.lossOffset, saved.lossOffset);
  assert.equal(now.running, false);
  assert.equal(await page.getByLabel(/^Cell/).inputValue(), 'gru');
  assert.equal(await page.getByLabel('Hidden units').inputValue(), '24');
  assert.equal(await page.getByLabel('Seed').inputValue(), '3');
  // The same weights: the same guesses after the same text.
  await waitGuessesFor(page, 'the model');
  await frames(page);
  assert.deepEqual(await shownGuesses(page), guesses);
  // And it trains on the restored text: its vocabulary is that text's.
  assert.deepEqual(now.info.vocab, Array.from(new Set(text)).sort((a, b) => a.codePointAt(0) - b.codePointAt(0)));
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitStep(page, saved.step + 5);
  assert.equal((await page.evaluate(() => window.rnnscope.info())).cell, 'gru');

  // Once more, choosing after the fresh page has started training its own model.
  await pause(page);
  const step = await shownStep(page);
  await page.locator('[data-testid="autosave-info"]', { hasText: `Autosaved in this browser at step ${step} ` }).waitFor({ timeout: WAIT });
  await page.reload();
  await waitReady(page);
  await waitState(page, 'training');
  // The link could not carry the text: the fresh page says so and trains the hello toy meanwhile.
  assert.deepEqual((await page.evaluate(() => window.rnnscope.info())).vocab, ['e', 'h', 'l', 'o']);
  assert.ok((await messages(page)).some((m) => m.includes('This link does not hold its text')), `${await messages(page)}`);
  await page.getByRole('button', { name: 'Restore it' }).click();
  await page.waitForFunction(
    (s) => window.rnnscope.ready() && window.rnnscope.step() === s && !window.rnnscope.running() && window.rnnscope.info().vocab.length === 19,
    step,
    { timeout: WAIT },
  );
  await shownText(page.locator('[data-testid="text-info"]'), saved.textInfo);
  assert.equal(await page.locator('[data-testid="run-state"]').getAttribute('data-state'), 'paused');
  assert.ok(!(await messages(page)).some((m) => m.includes('This link does not hold its text')), 'the warning about the link outlived the restore');
  await context.close();
});

test('autosave: a save asked for while another is being written is written after it, not dropped', async () => {
  const { page, context } = await freshPage();
  await waitStep(page, 10);
  await pause(page); // the page's own saver then stays quiet: only the records below are written
  await page.locator('[data-testid="autosave-info"]', { hasText: 'Autosaved in this browser' }).waitFor({ timeout: WAIT });
  const got = await page.evaluate(async () => {
    const store = await import('./scope/store.js');
    const saver = new store.Autosaver(0);
    const record = (step) => ({ savedAt: step, state: {}, text: 'hello', bytes: new Uint8Array([step]), step, cell: 'lstm' });
    // The second and third arrive while the first is being written (as a pause's save can during a periodic one).
    const answers = await Promise.all([saver.write(record(1)), saver.write(record(2)), saver.write(record(3))]);
    return { answers, stored: (await store.load('current')).step, lastSaved: saver.lastSaved.step };
  });
  assert.deepEqual(got, { answers: [true, true, true], stored: 3, lastSaved: 3 });
  await context.close();
});

test('autosave: "Discard" keeps the fresh model and forgets the saved one', async () => {
  const { page, context, text, saved } = await savedSession();
  // Open the page again (its plain address, as from a bookmark), in the same browser.
  await page.goto(env.server.url);
  const banner = page.locator('[data-testid="restore"]');
  await banner.waitFor({ state: 'visible', timeout: WAIT });
  await waitReady(page);
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  // While the offer stands, nothing overwrites the saved model.
  assert.equal((await autosaved(page)).text, text);
  await page.getByRole('button', { name: 'Discard' }).click();
  await banner.waitFor({ state: 'hidden', timeout: WAIT });
  // The saved model is gone from IndexedDB (a new autosave of the fresh model may already have replaced it).
  const rec = await autosaved(page);
  assert.ok(rec === null || (rec.cell === 'lstm' && rec.text !== text && rec.seed === 7), `the discarded model is still saved: ${JSON.stringify(rec)}`);
  // The page goes on with its own fresh hello model…
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), gen);
  const info = await page.evaluate(() => window.rnnscope.info());
  assert.equal(info.cell, 'lstm');
  assert.deepEqual(info.vocab, ['e', 'h', 'l', 'o']);
  await waitState(page, 'training');
  // …and autosaves it from now on.
  await page.locator('[data-testid="autosave-info"]', { hasText: 'Autosaved in this browser at step' }).waitFor({ timeout: WAIT });
  const fresh = await autosaved(page);
  assert.equal(fresh.cell, 'lstm');
  assert.equal(fresh.seed, 7);
  assert.notEqual(fresh.text, text);
  assert.ok(saved.step > 0);
  await context.close();
});

// -----------------------------------------------------------------------------------------------------------------
// 5. PyTorch-written models

/** Softmax of a logit vector. */
function softmax(z) {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * Type the fixture's text (up to its first newline, which a one-line box cannot hold) and compare the page's probe
 * with PyTorch's numbers: the probabilities and every layer's h (and c) at every character.
 */
async function matchesPyTorch(page, name) {
  const fx = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
  const text = fx.text.split('\n')[0];
  await typeProbe(page, text);
  await waitGuessesFor(page, text);
  const d = await page.evaluate(() => {
    const p = window.rnnscope.probe();
    return { steps: p.steps, layers: p.layers, hidden: p.hidden, V: p.vocab.length, input: Array.from(p.input), h: Array.from(p.h), c: p.c && Array.from(p.c), probs: Array.from(p.probs) };
  });
  const n = Array.from(text).length;
  assert.equal(d.steps, n);
  assert.ok(d.input.every((i) => i >= 0), `a character of ${text} is unknown to the model: ${d.input}`);
  let worst = 0;
  for (let t = 0; t < n; t++) {
    const want = softmax(fx.steps[t].logits);
    for (let v = 0; v < d.V; v++) worst = Math.max(worst, Math.abs(d.probs[t * d.V + v] - want[v]));
    for (let l = 0; l < d.layers; l++) {
      for (let j = 0; j < d.hidden; j++) {
        const i = (t * d.layers + l) * d.hidden + j;
        worst = Math.max(worst, Math.abs(d.h[i] - fx.steps[t].h[l][j]));
        if (d.c) worst = Math.max(worst, Math.abs(d.c[i] - fx.steps[t].c[l][j]));
      }
    }
  }
  assert.ok(worst < 1e-4, `${name}: the page differs from PyTorch by ${worst}`);
}

test('a PyTorch-written model whose vocabulary the current text does not fit loads, paused, and can be looked into', async () => {
  const { page, context } = await freshPage();
  await waitStep(page, 10);
  for (const [i, name] of ['lstm_2', 'gru_1', 'rnn_relu_2'].entries()) {
    const file = join(FIXTURES, `${name}.safetensors`);
    const want = readSafetensors(file);
    const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
    const textBefore = await page.locator('[data-testid="text-info"]').textContent();
    await page.getByLabel('Load a model…').setInputFiles(file);
    await waitNewModel(page, gen);
    const info = await page.evaluate(() => window.rnnscope.info());
    assert.equal(info.cell, want.cell, name);
    assert.equal(info.nonlinearity ?? 'tanh', want.nonlinearity, name);
    assert.equal(info.layers, want.layers, name);
    assert.equal(info.hidden, want.hidden, name);
    assert.deepEqual(info.vocab, want.vocab, `${name}: the vocabulary in the file's order`);
    assert.equal(info.params, want.params, name);
    assert.equal(info.step, 0);
    // What the page shows about it.
    const shape = `${{ lstm: 'LSTM', gru: 'GRU', rnn: 'vanilla RNN' }[want.cell]}, ${want.layers} × ${want.hidden} units, ${want.vocab.length}-character vocabulary`;
    const msg = (await messages(page)).find((m) => m.includes(`Loaded “${name}.safetensors”`));
    assert.ok(msg, `no "Loaded" message: ${await messages(page)}`);
    assert.ok(msg.includes(shape), msg);
    assert.ok(msg.includes('😀') && msg.includes('日'), `the vocabulary is not listed: ${msg}`);
    // It says which characters of the old text the model lacks, and how to go on.
    assert.match(msg, /It does not know .+ from the text it would have trained on/);
    if (i === 0) assert.ok(['"h"', '"l"', '"o"'].every((c) => msg.includes(c)), msg);
    assert.match(msg, /To train it on real text/);
    assert.equal(await page.getByLabel(/^Cell/).inputValue(), want.cell);
    assert.equal(await page.getByLabel('Hidden units').inputValue(), String(want.hidden));
    assert.equal(await page.getByLabel('Layers').inputValue(), String(want.layers));
    if (want.cell === 'rnn') assert.equal(await page.getByLabel('RNN nonlinearity').inputValue(), want.nonlinearity);
    await shownText(page.locator('#stat-params'), want.params.toLocaleString('en-US'));
    await shownText(page.locator('[data-testid="text-info"]'), /stand-in text/);
    assert.notEqual(await page.locator('[data-testid="text-info"]').textContent(), textBefore);
    assert.equal(await page.evaluate(() => window.rnnscope.running()), false);
    // The text box now holds characters the model knows, and the page shows what it predicts after them.
    const probe = await page.getByLabel('Text to look at').inputValue();
    assert.ok(probe.length > 0 && Array.from(probe).every((c) => want.vocab.includes(c)), `text box: ${probe}`);
    await waitGuessesFor(page, probe);
    // Typing: multi-byte characters included, one column each, with the model's own numbers (PyTorch's).
    await matchesPyTorch(page, name);
  }
  // The example from the lstm_2 vocabulary, typed key by key: five guesses after "abc😀d".
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Load a model…').setInputFiles(join(FIXTURES, 'lstm_2.safetensors'));
  await waitNewModel(page, gen);
  await typeProbe(page, 'abc😀d');
  await waitGuessesFor(page, 'abc😀d');
  const { guesses } = await shownGuesses(page);
  assert.equal(guesses.length, 5);
  const vocab = readSafetensors(join(FIXTURES, 'lstm_2.safetensors')).vocab;
  for (const g of guesses) assert.ok(vocab.includes(g.char) && Number(g.prob) > 0 && Number(g.prob) < 1, JSON.stringify(g));
  assert.equal(await page.locator('[data-testid="hell"] [data-testid="hell-col"]').count(), 5);
  assert.deepEqual(await page.locator('[data-testid="hell"] [data-testid="hell-col"]').evaluateAll((els) => els.map((e) => e.dataset.char)), ['a', 'b', 'c', '😀', 'd']);
  // The stand-in text is no training text: Train waits, disabled, and says what would let it train.
  const run = page.locator('[data-testid="run"]');
  assert.equal(await run.isDisabled(), true);
  assert.match(await run.getAttribute('title'), /came without a text to train on/);
  await context.close();
});

test('a PyTorch model whose vocabulary fits the current text loads with that text', async () => {
  const { page, context } = await freshPage();
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  const text = 'abc😀d—e日qé\n'.repeat(20);
  await page.getByLabel('Or paste your own').fill(text);
  await page.getByRole('button', { name: 'Train on this text' }).click();
  await waitNewModel(page, gen);
  const gen2 = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Load a model…').setInputFiles(join(FIXTURES, 'lstm_2.safetensors'));
  await waitNewModel(page, gen2);
  const msg = (await messages(page)).find((m) => m.includes('Loaded “lstm_2.safetensors”'));
  assert.match(msg, /^Loaded “lstm_2\.safetensors”: LSTM, 2 × 7 units, 11-character vocabulary, step 0\./);
  // 220 characters (the emoji counts once, as the model counts it).
  await shownText(page.locator('[data-testid="text-info"]'), /^your pasted text: 220 characters, 11 distinct$/);
  assert.deepEqual((await page.evaluate(() => window.rnnscope.info())).vocab, readSafetensors(join(FIXTURES, 'lstm_2.safetensors')).vocab);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await waitStep(page, 20);
  await pause(page);
  await context.close();
});

test('a loaded PyTorch model keeps training on a pasted text of its characters: same weights, its step goes on; a text it cannot read changes nothing', async () => {
  const { page, context } = await visit(env, allProblems, { acceptDownloads: true });
  const file = join(FIXTURES, 'lstm_2.safetensors');
  const vocab = readSafetensors(file).vocab; // in the file's order, which is not sorted: a rebuilt model would sort it
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Load a model…').setInputFiles(file);
  await waitNewModel(page, gen);
  await shownText(page.locator('[data-testid="text-info"]'), /stand-in text/);
  assert.match((await messages(page)).find((m) => m.includes('Loaded “lstm_2.safetensors”')), /press “Keep training this model on it”/);
  const loaded = await page.evaluate(() => window.rnnscope.modelGeneration());
  const keepTraining = page.getByRole('button', { name: 'Keep training this model on it' });

  // A character the model does not know: the message names it, and model, text and state stay as they were.
  await page.getByLabel('Or paste your own').fill('abc😀d xyz');
  await keepTraining.click();
  await page.locator('[data-testid="message"]', { hasText: 'This model does not know' }).waitFor({ timeout: WAIT });
  const refusal = (await messages(page)).find((m) => m.includes('This model does not know'));
  assert.match(refusal, /does not know space, "x", "y", "z", so/);
  assert.match(refusal, /Nothing was changed\./);
  await frames(page);
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), loaded);
  assert.match(await page.locator('[data-testid="text-info"]').textContent(), /stand-in text/);
  assert.equal(await page.evaluate(() => window.rnnscope.running()), false);
  assert.equal(await shownStep(page), 0);

  // Its own characters: the same model (same generation, the file's vocabulary order) trains on from step 0.
  const text = 'abc😀d—e日qé\n'.repeat(20);
  await page.getByLabel('Or paste your own').fill(text);
  await keepTraining.click();
  await waitStep(page, 10);
  await pause(page);
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), loaded);
  assert.deepEqual((await page.evaluate(() => window.rnnscope.info())).vocab, vocab);
  await shownText(page.locator('[data-testid="text-info"]'), /^your pasted text: 220 characters, 11 distinct$/);
  const state = await page.evaluate(() => window.rnnscope.state());
  assert.equal(state.corpus, 'custom');
  assert.equal(state.text, text);
  assert.ok((await messages(page)).some((m) => m.startsWith('The LSTM model goes on from step 0 on your pasted text')), `${await messages(page)}`);
  // The downloaded file is that model, trained further: the file's vocabulary, a later step.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download model/ }).click()]);
  const saved = readSafetensors(await download.path());
  assert.deepEqual(saved.vocab, vocab);
  assert.ok(saved.step >= 10, `saved step ${saved.step}`);
  await context.close();
});

// -----------------------------------------------------------------------------------------------------------------
// 6. Dropping files on the page

test('dropping a UTF-8 text file anywhere on the page trains on it; dropping a .safetensors file loads it', async () => {
  const { page, context } = await freshPage();
  await waitStep(page, 5);
  const text = 'Café au lait, 日本語 — ' + 'the quick brown fox jumps over the lazy dog. '.repeat(12);
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  assert.equal(await dropFile(page, 'notes.txt', Buffer.from(text, 'utf8'), 'text/plain'), true, 'the page did not accept the drag');
  await waitNewModel(page, gen);
  const info = await page.evaluate(() => window.rnnscope.info());
  assert.deepEqual(info.vocab, Array.from(new Set(text)).sort((a, b) => a.codePointAt(0) - b.codePointAt(0)));
  assert.equal(info.cell, 'lstm');
  assert.equal((await page.evaluate(() => window.rnnscope.state())).corpus, 'custom');
  assert.equal(await page.getByLabel('Or paste your own').inputValue(), text);
  await shownText(page.locator('[data-testid="text-info"]'), `file “notes.txt”: ${Array.from(text).length.toLocaleString('en-US')} characters, ${info.vocab.length} distinct`);
  // It was training, so it trains on the new text at once.
  await waitState(page, 'training');
  const from = await shownStep(page);
  await waitStep(page, from + 10);

  const file = join(FIXTURES, 'gru_1.safetensors');
  const want = readSafetensors(file);
  const gen2 = await page.evaluate(() => window.rnnscope.modelGeneration());
  assert.equal(await dropFile(page, 'gru_1.safetensors', want.bytes, ''), true);
  await waitNewModel(page, gen2);
  const loaded = await page.evaluate(() => window.rnnscope.info());
  assert.equal(loaded.cell, 'gru');
  assert.equal(loaded.hidden, want.hidden);
  assert.equal(loaded.layers, want.layers);
  assert.deepEqual(loaded.vocab, want.vocab);
  assert.ok((await messages(page)).some((m) => m.startsWith('Loaded “gru_1.safetensors”: GRU, 1 × 8 units, 9-character vocabulary')));
  await matchesPyTorch(page, 'gru_1');
  await context.close();
});

// -----------------------------------------------------------------------------------------------------------------
// 7. Model settings typed but not yet built

test('settings typed in the model form survive redraws and builds and are used by "Train on this text"; bad ones stop it', async () => {
  const { page, context } = await freshPage();
  const hidden = page.getByLabel('Hidden units');
  const layers = page.getByLabel('Layers', { exact: true });
  await hidden.fill('24');
  await layers.fill('2');
  // Redraws happen while it trains (new losses, new guesses); the edits stay.
  const step = await shownStep(page);
  await page.getByLabel('Text to look at').press('x');
  await waitStep(page, step + 20);
  await page.evaluate(() => window.rnnscope.drawEverything());
  assert.equal(await hidden.inputValue(), '24');
  assert.equal(await layers.inputValue(), '2');

  // A new text builds its model with them.
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Or paste your own').fill('abcab '.repeat(60));
  await page.getByRole('button', { name: 'Train on this text' }).click();
  await waitNewModel(page, gen);
  const info = await page.evaluate(() => window.rnnscope.info());
  assert.equal(info.hidden, 24);
  assert.equal(info.layers, 2);
  assert.equal(await hidden.inputValue(), '24');

  // Edits typed while a model is being built stay: the model that arrives does not reset the form. The page's
  // request to build is held back until the edit is made, so the edit surely falls inside the build.
  await page.evaluate(() => {
    const send = Worker.prototype.postMessage;
    window.__heldBuilds = [];
    window.__release = () => {
      Worker.prototype.postMessage = send;
      window.__heldBuilds.forEach((release) => release());
    };
    Worker.prototype.postMessage = function (msg, transfer) {
      if (msg?.type === 'create') window.__heldBuilds.push(() => send.call(this, msg, transfer));
      else send.call(this, msg, transfer);
    };
  });
  const gen1 = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Built-in text').selectOption('brackets');
  await page.waitForFunction(() => window.__heldBuilds.length === 1, null, { timeout: WAIT });
  await hidden.fill('40');
  await page.getByLabel('Text to look at').focus(); // redraws leave a focused field alone; this one is not
  await page.evaluate(() => window.__release());
  await waitNewModel(page, gen1);
  assert.equal((await page.evaluate(() => window.rnnscope.info())).hidden, 24, 'built with the form as it was when asked');
  await page.evaluate(() => window.rnnscope.drawEverything());
  assert.equal(await hidden.inputValue(), '40', 'the edit made during the build was reset');
  await hidden.fill('24');

  // An impossible value is not silently dropped: the text is refused with the reason, the field marked, the model
  // kept, and the typed value stays for the visitor to fix.
  await hidden.fill('0');
  const gen2 = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Or paste your own').fill('xyzzy '.repeat(60));
  await page.getByRole('button', { name: 'Train on this text' }).click();
  await page.waitForFunction(() => $q('#hidden').getAttribute('aria-invalid') === 'true', null, { timeout: WAIT });
  // The field is marked at once; the message is drawn on a frame after it.
  await page
    .waitForFunction(() => $qa('[data-testid="message"]').some((m) => m.textContent.startsWith('Check the model settings first')), null, { timeout: WAIT })
    .catch(() => {});
  assert.ok((await messages(page)).some((m) => m.startsWith('Check the model settings first')), (await messages(page)).join(' | '));
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), gen2);
  assert.equal((await page.evaluate(() => window.rnnscope.info())).hidden, 24);
  await page.evaluate(() => window.rnnscope.drawEverything());
  assert.equal(await hidden.inputValue(), '0');
  await context.close();
});

// -----------------------------------------------------------------------------------------------------------------
// 8. Accessible names

test('every control has an accessible name, at 360 px as on a desktop', async () => {
  for (const width of [1280, 360]) {
    const p = await visit(env, allProblems, { width, height: 800 });
    const unnamed = await p.page.evaluate(() =>
      Array.from($qa('input, select, textarea, button, [tabindex]'))
        .filter((el) => !(el instanceof HTMLInputElement && el.type === 'hidden'))
        .filter((el) => {
          const labelled = (el.labels && Array.from(el.labels).some((l) => l.textContent.trim()));
          const aria = (el.getAttribute('aria-label') || '').trim();
          const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean).map((id) => el.getRootNode().getElementById(id)?.textContent.trim() ?? '').join('');
          // Buttons, and plain elements without a role (a focusable note), are named by their text.
          const own = el instanceof HTMLButtonElement || !el.getAttribute('role') ? el.textContent.trim() : '';
          return !(labelled || aria || by || own || el.title);
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(unnamed, [], `width ${width}`);
    // Nothing is wider than the window.
    const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than a ${width} px window`);
    await p.context.close();
  }
});

test('no uncaught errors, no console errors, no request off the origin', () => {
  assert.deepEqual(allProblems.flat(), []);
});
