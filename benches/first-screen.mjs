// What the example lesson costs a reader before its first screen is ready, in Debian's headless Chromium at
// 1280 × 800: every request the page makes until the elements in view have their first model (the lazy ones below
// stay unloaded), counted, with the gzipped size of each response body (what a static host that compresses
// sends). Once with the folder (`rnn-scope.js` and its modules), once with the single file (`rnnscope.js`, the
// same lesson with its one script tag changed). Also the gzipped size of each build of the core.
//
//   bash scripts/build-dist.sh && node benches/first-screen.mjs      (it serves dist/, as the tests do)

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, openPage, ROOT, startServer } from '../tests/browser/helpers.mjs';

const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

console.log(`CPU: ${cpus()[0].model}`);
for (const f of ['rnnscope_bg.wasm', 'rnnscope_relaxed_bg.wasm']) {
  const buf = readFileSync(join(ROOT, 'dist', 'pkg', f));
  console.log(`${f}: ${kb(buf.length)} raw, ${kb(gz(buf))} gzipped`);
}

const server = await startServer();
const browser = await launch();
try {
  const lesson = readFileSync(join(ROOT, 'dist', 'examples', 'course-notes.html'), 'utf8');
  const variants = {
    folder: lesson,
    'single file': lesson.replace('src="../rnn-scope.js"', 'src="../rnnscope.js"'),
  };
  console.log('| lesson, first screen | requests | gzipped |');
  console.log('| --- | --- | --- |');
  for (const [name, html] of Object.entries(variants)) {
    if (name !== 'folder' && html === lesson) throw new Error('the lesson no longer has the script tag this bench rewrites');
    const { page, context } = await openPage(browser, server.origin, { width: 1280, height: 800 });
    const url = `${server.url}examples/lesson-bench.html`;
    await context.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    const bodies = [];
    page.on('response', (r) => bodies.push(r.body().then((b) => gz(b), () => 0)));
    await page.goto(url);
    // Ready: every element whose box starts in the first screen has a model.
    await page.waitForFunction(() => {
      const first = [...document.querySelectorAll('rnn-scope')].filter((e) => e.getBoundingClientRect().top < innerHeight);
      return first.length > 0 && first.every((e) => e.hooks?.ready());
    }, null, { timeout: 120_000 });
    const sizes = await Promise.all(bodies);
    console.log(`| ${name} | ${sizes.length} | ${kb(sizes.reduce((a, b) => a + b, 0))} |`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
