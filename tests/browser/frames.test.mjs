// The main thread's work per frame, counted rather than timed: while a model trains, a long text is pasted into the
// diagram, more is typed, and an instrument draws its report, no frame may do more work of any kind (hell-diagram
// columns, report stages) than the panels on the page declare one frame may do. (How long frames take is a
// measurement: benches/typing.mjs and benches/instruments-page.mjs report it.)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, serverAndBrowser, visit, waitStep } from './helpers.mjs';

const env = serverAndBrowser();
const collected = [];
let page;

before(async () => {
  await env.ready;
  ({ page } = await visit(env, collected));
});

after(() => {
  assert.deepEqual(collected.flat(), []);
});

test('no frame draws more than its panels declare, while training, pasting, typing and an instrument reports', async () => {
  await waitStep(page, 5);
  const box = page.getByTestId('probe-input');
  // A pasted text: every column is new at once, so only the budget keeps frames short.
  const text = 'hello'.repeat(240);
  await box.fill(text);
  await page.waitForFunction((n) => window.rnnscope.probe()?.steps === n, text.length, { timeout: WAIT });
  await box.press('End');
  await box.pressSequentially('hellohello', { delay: 0 });
  await page.waitForFunction(() => window.rnnscope.probe()?.steps === 1210, null, { timeout: WAIT });
  // An instrument's report on the text shown is drawn in stages, its coloured text a few hundred characters at a time.
  await page.evaluate(() => $q('#errors').scrollIntoView());
  await page.getByTestId('errors-source').selectOption('shown');
  await page.waitForFunction(() => $qa('[data-testid="errors-text"] span[data-t]').length >= 1000, null, { timeout: WAIT });
  await page.evaluate(() => $q('#watch').scrollIntoView());
  await page.evaluate(() => window.rnnscope.drawn());
  const work = await page.evaluate(() => window.rnnscope.frameWork());
  assert.ok(work.frames > 10, `only ${work.frames} frames were drawn`);
  const counted = new Set();
  for (const { panel, most, bounds } of work.panels) {
    for (const [kind, n] of Object.entries(most)) {
      assert.ok(kind in bounds, `${panel} did ${kind} but declares no bound on it`);
      assert.ok(n <= bounds[kind], `a frame gave ${panel} ${n} ${kind}, more than the ${bounds[kind]} it declares`);
      if (n > 0) counted.add(kind);
    }
  }
  // The counts are real: both kinds of work were done and counted.
  assert.deepEqual([...counted].sort(), ['hell columns', 'hell row-group columns', 'report stages'], JSON.stringify(work));
});
