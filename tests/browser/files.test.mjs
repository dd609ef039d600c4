// Keeping and sharing work: download a model and load it back (same predictions), a corrupt model file is refused
// with the model untouched, empty or non-UTF-8 text is refused with a message, and a shared URL reproduces its setup.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  WAIT, frames, messages, pause, serverAndBrowser, shownGuesses, typeProbe, visit, waitGuessesFor, waitStep,
} from './helpers.mjs';

const env = serverAndBrowser();
const tmp = mkdtempSync(join(tmpdir(), 'rnnscope-browser-'));
const allProblems = [];

/** A trained, paused page showing the guesses after "hel". */
async function trainedPage() {
  const p = await visit(env, allProblems, { acceptDownloads: true });
  await waitStep(p.page, 60);
  await pause(p.page);
  await typeProbe(p.page, 'hel');
  await waitGuessesFor(p.page, 'hel');
  await frames(p.page);
  return p;
}

test('download the model, load it back: identical predictions', async () => {
  const { page, context } = await trainedPage();
  const before = await shownGuesses(page);
  const step = await page.evaluate(() => window.rnnscope.step());
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download model/ }).click()]);
  assert.match(download.suggestedFilename(), /^rnnscope-lstm-1x32-step\d+\.safetensors$/);
  const file = join(tmp, download.suggestedFilename());
  await download.saveAs(file);
  const bytes = readFileSync(file);
  const headerLen = Number(bytes.readBigUInt64LE(0));
  assert.ok(headerLen > 0 && headerLen < bytes.length, 'not a safetensors file');
  JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8'));

  // Change the model first (a reset), so that loading visibly brings the trained one back.
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.waitForFunction(() => window.rnnscope.step() === 0, null, { timeout: WAIT });
  await waitGuessesFor(page, 'hel');
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Load a model…').setInputFiles(file);
  await page.waitForFunction((g) => window.rnnscope.modelGeneration() > g, gen, { timeout: WAIT });
  await waitGuessesFor(page, 'hel');
  await frames(page);
  const afterLoad = await shownGuesses(page);
  assert.deepEqual(afterLoad, before);
  assert.equal(await page.evaluate(() => window.rnnscope.step()), step);
  assert.ok((await messages(page)).some((m) => m.includes('Loaded')), 'no "Loaded" message');
  await context.close();
});

test('a corrupt model file is refused with a message and the model is unchanged', async () => {
  const { page, context } = await trainedPage();
  const before = await shownGuesses(page);
  const info = await page.evaluate(() => window.rnnscope.info());
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  const bad = join(tmp, 'broken.safetensors');
  writeFileSync(bad, Buffer.concat([Buffer.from([0x10, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"not": json at all')]));
  await page.getByLabel('Load a model…').setInputFiles(bad);
  await page.waitForFunction(
    () => Array.from($qa('[data-testid="message"]')).some((m) => m.textContent.includes('broken.safetensors')),
    null,
    { timeout: WAIT },
  );
  const msg = (await messages(page)).find((m) => m.includes('broken.safetensors'));
  assert.match(msg, /^Could not load “broken\.safetensors” as a model: bad model file: not a readable safetensors file \(truncated or corrupt\?\)/);
  assert.match(msg, /The current model is unchanged\./);
  assert.equal(await page.locator('[data-testid="message"][data-kind="error"]').count() >= 1, true);
  // Same model, same predictions.
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), gen);
  assert.deepEqual(await page.evaluate(() => window.rnnscope.info()), info);
  await typeProbe(page, 'hel');
  await waitGuessesFor(page, 'hel');
  await frames(page);
  assert.deepEqual(await shownGuesses(page), before);
  await context.close();
});

test('empty text, whitespace and non-UTF-8 files are refused with a message; nothing is lost', async () => {
  const { page, context } = await visit(env, allProblems);
  const info = await page.evaluate(() => window.rnnscope.info());
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  const paste = page.getByLabel('Or paste your own');
  await paste.fill('');
  await page.getByRole('button', { name: 'Train on this text' }).click();
  await page.locator('[data-testid="message"]', { hasText: 'empty' }).waitFor({ timeout: WAIT });
  await paste.fill('   \n  ');
  await page.getByRole('button', { name: 'Train on this text' }).click();
  await page.locator('[data-testid="message"]', { hasText: 'whitespace' }).waitFor({ timeout: WAIT });
  const latin1 = join(tmp, 'latin1.txt');
  writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in ISO-8859-1
  await page.getByLabel('Open a text file…').setInputFiles(latin1);
  await page.locator('[data-testid="message"]', { hasText: 'not UTF-8' }).waitFor({ timeout: WAIT });
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), gen);
  assert.deepEqual(await page.evaluate(() => window.rnnscope.info()), info);

  // Text too short for the batch: the Rust side refuses and the page shows its reason.
  await paste.fill('abcabcabcabc');
  await page.getByRole('button', { name: 'Train on this text' }).click();
  await page.locator('[data-testid="message"]', { hasText: 'Could not train on this text' }).waitFor({ timeout: WAIT });
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), gen);

  // And real text works: a new model on it.
  await paste.fill('abc'.repeat(100));
  await page.getByRole('button', { name: 'Train on this text' }).click();
  await page.waitForFunction((g) => window.rnnscope.modelGeneration() > g, gen, { timeout: WAIT });
  assert.deepEqual((await page.evaluate(() => window.rnnscope.info())).vocab, ['a', 'b', 'c']);
  assert.match(await page.evaluate(() => location.hash), /corpus=custom/);
  await context.close();
});

test('absurd model sizes are refused with the reason', async () => {
  const { page, context } = await visit(env, allProblems);
  const gen = await page.evaluate(() => window.rnnscope.modelGeneration());
  await page.getByLabel('Hidden units').fill('2048');
  await page.getByLabel('Layers').fill('8');
  await page.getByRole('button', { name: 'Build and train' }).click();
  await page.locator('[data-testid="message"]', { hasText: 'too big' }).waitFor({ timeout: WAIT });
  await page.getByLabel('Hidden units').fill('-3');
  await page.getByRole('button', { name: 'Build and train' }).click();
  await page.locator('[data-testid="message"]', { hasText: 'hidden size must be a whole number' }).waitFor({ timeout: WAIT });
  assert.equal(await page.getByLabel('Hidden units').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => window.rnnscope.modelGeneration()), gen);
  await context.close();
});

test('a shared URL opens with the same setup', async () => {
  const hash =
    '#corpus=brackets&cell=gru&hidden=24&layers=2&seqLen=12&batch=3&optimizer=rmsprop&lr=0.003&clip=2&seed=42&valFraction=0.1&temperature=0.5&probe=%28%5B%5D%29';
  const { page, context } = await visit(env, allProblems, { hash });
  const values = await page.evaluate(() =>
    Object.fromEntries(['corpus', 'cell', 'hidden', 'layers', 'seqLen', 'batch', 'optimizer', 'lr-num', 'clip', 'seed', 'valFraction', 'temperature', 'probe-text'].map((id) => [id, $q('#' + id).value])),
  );
  assert.deepEqual(values, {
    corpus: 'brackets',
    cell: 'gru',
    hidden: '24',
    layers: '2',
    seqLen: '12',
    batch: '3',
    optimizer: 'rmsprop',
    'lr-num': '0.003',
    clip: '2',
    seed: '42',
    valFraction: '0.1',
    temperature: '0.5',
    'probe-text': '([])',
  });
  const info = await page.evaluate(() => window.rnnscope.info());
  assert.equal(info.cell, 'gru');
  assert.equal(info.hidden, 24);
  assert.equal(info.layers, 2);
  // The page writes the same setup back into its address, so the link can be passed on.
  const back = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  for (const [k, v] of new URLSearchParams(hash.slice(1))) assert.equal(back.get(k), v, `URL lost ${k}`);
  // Same seed, same setup → the same first losses in a second tab.
  await waitStep(page, 5);
  const first = (await page.evaluate(() => window.rnnscope.lossHistory())).slice(0, 5);
  const other = await visit(env, allProblems, { hash });
  await waitStep(other.page, 5);
  assert.deepEqual((await other.page.evaluate(() => window.rnnscope.lossHistory())).slice(0, 5), first);
  await other.context.close();
  await context.close();
});

test('regularisation and a schedule: a shared URL sets them, the form greys out what they do not read, the file keeps them', async () => {
  const hash = '#corpus=hello&cell=lstm&hidden=16&layers=2&seqLen=8&batch=4&optimizer=adamw&weightDecay=0.05&dropout=0.25' +
    '&schedule=cosine&warmup=3&scheduleSteps=40&minLr=0.0005&seed=5';
  const { page, context } = await visit(env, allProblems, { hash, acceptDownloads: true });
  const fields = ['optimizer', 'weightDecay', 'dropout', 'schedule', 'warmup', 'scheduleSteps', 'minLr', 'gamma'];
  const form = await page.evaluate((ids) => ids.map((id) => [id, $q('#' + id).value, $q('#' + id).disabled]), fields);
  assert.deepEqual(form, [
    ['optimizer', 'adamw', false], ['weightDecay', '0.05', false], ['dropout', '0.25', false], ['schedule', 'cosine', false],
    ['warmup', '3', false], ['scheduleSteps', '40', false], ['minLr', '0.0005', false], ['gamma', '0.1', true],
  ]);
  await waitStep(page, 5);
  await pause(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download model/ }).click()]);
  const file = join(tmp, 'regularised.safetensors');
  await download.saveAs(file);
  const bytes = readFileSync(file);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
  const config = JSON.parse(header.__metadata__.train_config);
  assert.deepEqual(
    { optimizer: config.optimizer, weightDecay: config.weightDecay, dropout: config.dropout, schedule: config.schedule, warmup: config.warmup, scheduleSteps: config.scheduleSteps, minLr: config.minLr, gamma: config.gamma, hidden: config.hidden, layers: config.layers },
    { optimizer: 'adamw', weightDecay: 0.05, dropout: 0.25, schedule: 'cosine', warmup: 3, scheduleSteps: 40, minLr: 0.0005, gamma: undefined, hidden: 16, layers: 2 },
  );
  // With step decay the factor is read and the lowest rate is not.
  await page.selectOption('#schedule', 'step');
  assert.deepEqual(await page.evaluate(() => [$q('#gamma').disabled, $q('#minLr').disabled]), [false, true]);
  await context.close();
});

test('no uncaught errors, no console errors, no request off the origin', () => {
  assert.deepEqual(allProblems.flat(), []);
});
