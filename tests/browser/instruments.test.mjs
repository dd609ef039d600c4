// The instruments as a course author embeds them, each an <rnn-scope view="…"> on the shipped brackets LSTM, on one
// page with the folder's strict CSP: the cell finder lists units and a pick colours the text by one; holding a unit
// changes the probe and the sampled text; the saturation plot and the connectivity shading draw what the core (and
// the CLI) compute; the error breakdown's counts add up to the errors.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, axeAudit, cliJson, openPage, serverAndBrowser, screenshotPath } from './helpers.mjs';
import { CSP } from '../../scripts/serve.mjs';

const env = serverAndBrowser();
const MODEL = 'models/brackets-lstm.safetensors';
const SHOWN = '(a (ka "mi to") ne [so "la"]) { po = 12; }';
const VIEWS = ['cells', 'ablation', 'connectivity', 'saturation', 'errors'];

let page;
let context;
let problems;

before(async () => {
  await env.ready;
  ({ page, context, problems } = await openPage(env.browser, env.server.origin, { width: 1100, height: 900 }));
  const items = VIEWS.map((v) => `<h2>${v}</h2><rnn-scope id="v-${v}" view="${v}" model="${MODEL}" corpus="brackets" autoplay="false" loading="eager" probe='${SHOWN}'></rnn-scope>`).join('\n');
  await context.route(`${env.server.origin}/instruments.html`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': CSP },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>instruments</title><script type="module" src="rnn-scope.js"></script></head><body><main>${items}</main></body></html>`,
    }),
  );
  await page.goto(`${env.server.origin}/instruments.html`);
  await page.waitForFunction((ids) => ids.every((id) => document.getElementById(`v-${id}`).hooks.ready()), VIEWS, { timeout: WAIT });
});

/** `fn(root)` evaluated in the shadow root of element `id`. */
function inside(id, fn, arg) {
  return page.evaluate(([id, src, arg]) => new Function('root', 'arg', `return (${src})(root, arg)`)(document.getElementById(id).shadowRoot, arg), [id, fn.toString(), arg]);
}

test('the cell finder lists the units that track each feature, and picking one colours the text by that unit', async () => {
  await page.locator('#v-cells #finder').scrollIntoViewIfNeeded();
  await page.locator('#v-cells [data-testid="finder-unit"]').first().waitFor({ timeout: WAIT });
  const depth = page.locator('#v-cells tr[data-feature="depth"] [data-testid="finder-unit"]');
  assert.equal(await depth.count(), 3);
  const first = { tensor: await depth.first().getAttribute('data-tensor'), unit: Number(await depth.first().getAttribute('data-unit')) };
  const label = await depth.first().textContent();
  const r = Math.abs(Number(label.match(/r (−?-?[0-9.]+)/)[1].replace('−', '-')));
  assert.ok(r >= 0.6, `the best depth unit ${label} has |r| < 0.6`);
  // The numbers are the core's: the same request through the element's API.
  const report = await page.evaluate(async () => {
    const el = document.getElementById('v-cells');
    const text = el.panels.find((p) => p.id === 'finder').reportText; // the text the panel read
    return el.analyse({ kind: 'cells', text, top: 3 });
  });
  const best = report.features.find((f) => f.feature === 'depth').top[0];
  assert.deepEqual(first, { tensor: best.tensor, unit: best.unit });

  await depth.first().click();
  await page.waitForFunction(() => {
    const root = document.getElementById('v-cells').shadowRoot;
    return root.getElementById('colour-by').value === 'unit' && /unit \d+/.test(root.querySelector('#textcolor figcaption').textContent);
  }, null, { timeout: WAIT });
  assert.equal(await inside('v-cells', (root) => root.getElementById('tensor').value), first.tensor);
  await page.evaluate(() => document.getElementById('v-cells').hooks.drawn());
  // Every character is coloured by that unit's value, as the probe holds it.
  const { shown, want } = await page.evaluate((unit) => {
    const el = document.getElementById('v-cells');
    const d = el.hooks.probe();
    const values = d.c ?? d.h;
    const want = d.chars.map((_, t) => values[(t * d.layers + 0) * d.hidden + unit]);
    const shown = [...el.shadowRoot.querySelectorAll('#textcolor .rs-ctext-ch')].map((s) => Number(s.dataset.value));
    return { shown, want };
  }, first.unit);
  assert.equal(shown.length, Array.from(SHOWN).length);
  shown.forEach((v, t) => assert.ok(Math.abs(v - want[t]) < 1e-6, `character ${t}: ${v} vs ${want[t]}`));
  await page.locator('#v-cells').screenshot({ path: screenshotPath('instrument-cells.png') });

  // A pattern of the visitor's becomes a feature; a broken one is refused and named.
  await page.locator('#v-cells [data-testid="finder-regex"]').fill('[0-9]+');
  await page.locator('#v-cells [data-testid="finder-regex"]').press('Enter');
  await page.locator('#v-cells tr[data-feature="match:[0-9]+"]').waitFor({ timeout: WAIT });
  await page.locator('#v-cells [data-testid="finder-regex"]').fill('(');
  await page.locator('#v-cells [data-testid="finder-regex"]').press('Enter');
  await page.waitForFunction(() => /regular expression/.test(document.getElementById('v-cells').shadowRoot.getElementById('finder-status').textContent), null, { timeout: WAIT });
  assert.equal(await page.locator('#v-cells [data-testid="finder-regex"]').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#v-cells tr[data-feature="match:[0-9]+"]').count(), 1, 'the good pattern stays');
});

test('holding a unit changes what the model reads and writes: the probe shows it held, the loss change is drawn, the sample differs', async () => {
  const el = page.locator('#v-ablation');
  await el.locator('#clamps').scrollIntoViewIfNeeded(); // a report is drawn once its panel is in view
  const sample = () => page.evaluate(() => document.getElementById('v-ablation').sample({ prime: '(a "', length: 80, temperature: 1, seed: 11 }));
  const free = await sample();
  const gen = await page.evaluate(() => document.getElementById('v-ablation').hooks.probeGeneration());
  await el.locator('[data-testid="clamps-unit"]').fill('56');
  await el.locator('[data-testid="clamps-value"]').fill('1');
  await el.locator('[data-testid="clamps-hold"]').click();
  await page.waitForFunction((g) => {
    const h = document.getElementById('v-ablation').hooks;
    return h.clamps().length === 1 && h.probeGeneration() > g;
  }, gen, { timeout: WAIT });
  assert.deepEqual(await page.evaluate(() => document.getElementById('v-ablation').hooks.clamps()), [{ layer: 0, tensor: 'h', unit: 56, value: 1 }]);
  const held = await page.evaluate(() => {
    const d = document.getElementById('v-ablation').hooks.probe();
    return d.chars.map((_, t) => d.h[t * d.hidden + 56]);
  });
  assert.ok(held.every((v) => v === 1), `h[56] is not held at 1: ${held}`);
  await el.locator('[data-testid="clamps-summary"]').filter({ hasText: 'Mean loss' }).waitFor({ timeout: WAIT });
  await page.evaluate(() => document.getElementById('v-ablation').hooks.drawn()); // the coloured text grows in stages
  const changes = await inside('v-ablation', (root) => [...root.querySelectorAll('#clamps-text .rs-ctext-ch')].map((s) => Number(s.dataset.value)));
  assert.ok(changes.filter(Number.isFinite).length > 1000, 'the loss change of the held-out text is drawn');
  await page.locator('#v-ablation [data-testid="clamps-summary"]').scrollIntoViewIfNeeded();
  await page.locator('#v-ablation #clamps').screenshot({ path: screenshotPath('instrument-ablation.png') });
  const clamped = await sample();
  assert.notEqual(clamped, free, 'the sample with h[56] held at 1 is the sample without');
  assert.equal(await sample(), clamped, 'the same seed and clamp give the same sample');
  // Released, the model is itself again.
  await el.locator('[data-testid="clamps-release"]').click();
  await page.waitForFunction(() => document.getElementById('v-ablation').hooks.clamps().length === 0, null, { timeout: WAIT });
  assert.equal(await sample(), free);
  // A unit the model lacks is refused with a message, nothing held.
  await el.locator('[data-testid="clamps-unit"]').fill('64');
  await el.locator('[data-testid="clamps-hold"]').click();
  await el.locator('[data-testid="clamps-status"]').filter({ hasText: 'from 0 to 63' }).waitFor({ timeout: WAIT });
  await assert.rejects(page.evaluate(() => document.getElementById('v-ablation').setClamps([{ layer: 3, tensor: 'h', unit: 0, value: 0 }])), /layer/);
  assert.deepEqual(await page.evaluate(() => document.getElementById('v-ablation').hooks.clamps()), []);
});

test('the gate saturation plot draws a dot per unit of each sigmoid gate, where the fractions put it', async () => {
  await page.locator('#v-saturation #saturation').scrollIntoViewIfNeeded();
  await page.locator('#v-saturation [data-testid="saturation-plot"] path[data-series]').first().waitFor({ timeout: WAIT });
  await page.evaluate(() => document.getElementById('v-saturation').hooks.drawn());
  const dots = await inside('v-saturation', (root) =>
    [...root.querySelectorAll('[data-testid="saturation-plot"] path[data-series]')].flatMap((p) =>
      p.dataset.points.split(';').map((xy) => ({ s: p.dataset.series, x: Number(xy.split(',')[0]), y: Number(xy.split(',')[1]) })),
    ),
  );
  for (const g of ['gate i', 'gate f', 'gate o']) assert.equal(dots.filter((d) => d.s === g).length, 64, g);
  assert.ok(dots.every((d) => d.x >= 0 && d.y >= 0 && d.x + d.y <= 1 + 1e-9));
  const report = await page.evaluate(() => {
    const el = document.getElementById('v-saturation');
    return el.analyse({ kind: 'saturation', text: el.panels.find((p) => p.id === 'saturation').reportText });
  });
  const f = report.gates.find((g) => g.gate === 'f');
  const shown = dots.filter((d) => d.s === 'gate f');
  f.left.forEach((x, j) => assert.ok(Math.abs(shown[j].x - x) < 1e-12 && Math.abs(shown[j].y - f.right[j]) < 1e-12));
  await page.locator('#v-saturation #saturation').screenshot({ path: screenshotPath('instrument-saturation.png') });
});

test('pointing at a character shades every earlier one by the connectivity the CLI computes', async () => {
  const el = page.locator('#v-connectivity');
  await el.locator('#connectivity').scrollIntoViewIfNeeded(); // a report is drawn once its panel is in view
  const position = 27; // the ']' before ')': which opener it closes is what matters
  await el.locator('#connectivity-text .rs-ctext-ch').nth(position).hover();
  await page.waitForFunction((p) => {
    const spans = [...document.getElementById('v-connectivity').shadowRoot.querySelectorAll('#connectivity-text .rs-ctext-ch')];
    return spans[p].classList.contains('is-position') && Number.isFinite(Number(spans[0].dataset.value));
  }, position, { timeout: WAIT });
  const shown = await inside('v-connectivity', (root) => [...root.querySelectorAll('#connectivity-text .rs-ctext-ch')].map((s) => Number(s.dataset.value)));
  assert.ok(shown.slice(position + 1).every((v) => Number.isNaN(v)), 'nothing after the position is shaded');
  const cli = await cliJson(['connectivity', '--model', MODEL, '--text-string', SHOWN, '--position', String(position), '--window', '400']);
  assert.equal(cli.from, 0);
  assert.equal(cli.norms.length, position + 1);
  cli.norms.forEach((n, t) => assert.ok(Math.abs(shown[t] - n) <= 1e-4 * (1 + n), `position ${t}: page ${shown[t]}, CLI ${n}`));
  await page.locator('#v-connectivity #connectivity').screenshot({ path: screenshotPath('instrument-connectivity.png') });
  // The keyboard moves the position too.
  await el.locator('#connectivity-text .rs-ctext-body').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => {
    const spans = [...document.getElementById('v-connectivity').shadowRoot.querySelectorAll('#connectivity-text .rs-ctext-ch')];
    return spans[1].classList.contains('is-position') && Number.isNaN(Number(spans[2].dataset.value));
  }, null, { timeout: WAIT });
});

test('the error breakdown: its counts add up to the number of errors, beside the n-gram and the long-range plot', async () => {
  await page.locator('#v-errors #errors').scrollIntoViewIfNeeded();
  await page.locator('#v-errors [data-testid="errors-breakdown"]').waitFor({ timeout: WAIT });
  await page.evaluate(() => document.getElementById('v-errors').hooks.drawn()); // a big report draws over a few frames
  const shown = await inside('v-errors', (root) => ({
    counts: [...root.querySelectorAll('[data-testid="errors-breakdown"] li')].map((li) => Number(li.dataset.count)),
    bars: [...root.querySelectorAll('[data-testid="errors-breakdown"] rect')].map((r) => Number(r.dataset.count)),
    total: Number(root.querySelector('[data-testid="bar-total"]').dataset.total),
    summary: root.querySelector('[data-testid="errors-summary"]').textContent,
    closers: root.querySelector('[data-testid="errors-long-range"] path[data-series="model"]').dataset.points.split(';').length,
  }));
  const errors = Number(shown.summary.match(/^([\d,]+) errors/)[1].replace(/,/g, ''));
  assert.equal(shown.counts.length, 7);
  assert.equal(shown.counts.reduce((a, b) => a + b, 0), errors);
  assert.equal(shown.bars.reduce((a, b) => a + b, 0), errors);
  assert.equal(shown.total, errors);
  const report = await page.evaluate(() => {
    const el = document.getElementById('v-errors');
    return el.analyse({ kind: 'errors', text: el.panels.find((p) => p.id === 'errors').reportText });
  });
  assert.equal(report.errors, errors);
  assert.equal(shown.closers, report.long_range.length);
  assert.ok(shown.closers > 50);
  await page.locator('#v-errors #errors').screenshot({ path: screenshotPath('instrument-errors.png') });
});

test('Chromium, which validates relaxed SIMD, runs the relaxed-SIMD build of the core, and trains with it', async () => {
  assert.equal(await page.evaluate(() => customElements.get('rnn-scope').stats().kernels), 'relaxed-simd');
  const step = await page.evaluate(() => document.getElementById('v-saturation').hooks.step());
  await page.evaluate(() => document.getElementById('v-saturation').step(3));
  await page.waitForFunction((s) => document.getElementById('v-saturation').hooks.step() === s + 3, step, { timeout: WAIT });
  const losses = await page.evaluate(() => document.getElementById('v-saturation').hooks.lossHistory());
  assert.ok(losses.slice(-3).every(Number.isFinite), `${losses.slice(-3)}`);
});

test('the instruments page passes axe-core and had no errors, console errors or requests off its origin', async () => {
  await page.evaluate(() => Promise.all([...document.querySelectorAll('rnn-scope')].map((el) => el.hooks.drawEverything())));
  // The page's problems besides the reports of the inline styles axe-core itself makes (which the CSP refuses).
  const audit = await axeAudit({ page, context, problems });
  assert.deepEqual(audit.violations, []);
  assert.deepEqual(audit.problems, []);
});

test('instruments run on a shared analysis worker: a keystroke is answered while the cell finder reads a 2×512 LSTM, and removing the elements stops it', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 1000, height: 900 });
  const items =
    '<rnn-scope id="big" view="diagram" corpus="about" cell="lstm" hidden-size="512" layers="2" autoplay="false" loading="eager" probe="the mod"></rnn-scope>' +
    `<rnn-scope id="small" view="diagram" model="${MODEL}" corpus="brackets" autoplay="false" loading="eager" probe="(a)"></rnn-scope>`;
  await p.context.route(`${env.server.origin}/aside.html`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': CSP },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>aside</title><script type="module" src="rnn-scope.js"></script></head><body><main>${items}</main></body></html>`,
    }),
  );
  await p.page.goto(`${env.server.origin}/aside.html`);
  await p.page.waitForFunction(() => ['big', 'small'].every((id) => document.getElementById(id).hooks.ready()), null, { timeout: WAIT });
  const order = await p.page.evaluate(async () => {
    const el = document.getElementById('big');
    const events = [];
    const text = 'the model reads a text and guesses the next character of it. '.repeat(25);
    // The keystroke comes once the instrument's first message has left for the element's own engine (the request
    // itself, or the snapshot an analysis worker loads): its probe then waits only if that engine runs the finder.
    const client = el.scope.client;
    const send = client.send.bind(client);
    const asked = new Promise((resolve) => {
      client.send = (m, transfer) => {
        send(m, transfer);
        if (m.type === 'analyse' || m.type === 'snapshot') resolve();
      };
    });
    const finder = el.analyse({ kind: 'cells', text, top: 3 }).then(() => events.push('finder'));
    await asked;
    el.setAttribute('probe', 'the mode');
    await new Promise((resolve) => {
      const seen = () => (el.hooks.probe()?.chars.join('') === 'the mode' ? resolve() : requestAnimationFrame(seen));
      seen();
    });
    events.push('keystroke');
    await finder;
    // The other element's instrument runs too, on the same page's analysis workers.
    await document.getElementById('small').analyse({ kind: 'saturation', text: '(a (b) [c])' });
    return { events, stats: customElements.get('rnn-scope').stats() };
  });
  assert.deepEqual(order.events, ['keystroke', 'finder'], 'the keystroke waited for the cell finder');
  assert.ok(order.stats.analysis >= 1 && order.stats.analysis <= order.stats.slots, `${order.stats.analysis} analysis workers on ${order.stats.slots} cores`);
  await p.page.evaluate(() => document.querySelectorAll('rnn-scope').forEach((el) => el.remove()));
  await p.page.waitForFunction(() => customElements.get('rnn-scope').stats().total === 0, null, { timeout: WAIT });
  assert.equal((await p.page.evaluate(() => customElements.get('rnn-scope').stats())).analysis, 0);
  problems.push(...p.problems);
  await p.context.close();
});
