// The element in a real MkDocs site, as the README tells a course author to make one: MkDocs 1.6.1 from PyPI in a
// virtual environment under target/; the built folder copied to docs/rnnscope; the README's `mkdocs.yml` lines and
// its two elements (read from the README's "snippet" blocks, so the README says what is tested) on the root page and
// on two nested pages; built with the default theme and with readthedocs; served as static files by Python's own
// http.server (no CSP, as GitHub Pages and most static hosts serve them). In Chromium, on every page: both elements
// render at a real size and get their models, typing into the diagram changes it and not the figure, the figure
// trains when asked, nothing is requested off the origin and no console error comes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, WAIT, besidesExpected, launch, openPage, readmeSnippet, screenshotPath } from './helpers.mjs';
import { pythonEnvironment } from './python-env.mjs';

const run = promisify(execFile);
const PINS = ['mkdocs==1.6.1'];
const THEMES = ['mkdocs', 'readthedocs'];
/**
 * What the themes themselves do that this machine, with no internet, reports: both load highlight.js from cdnjs
 * (their `highlightjs` option; a site without code blocks can turn it off). Matched exactly, once each per page;
 * anything else, from rnnscope or not, fails the test.
 */
const HIGHLIGHT_JS = 'https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.8.0';
const THEME_PROBLEMS = [
  [`request off the origin: ${HIGHLIGHT_JS}/styles/github.min.css`, 1],
  [`request off the origin: ${HIGHLIGHT_JS}/highlight.min.js`, 1],
  ['console error: Failed to load resource: net::ERR_NAME_NOT_RESOLVED', 2],
  ['uncaught error: hljs is not defined', 1],
];
/** Pages of the site: the root index and two nested ones (MkDocs serves docs/a/b.md at /a/b/). */
const PAGES = { 'index.md': '', 'lesson.md': 'lesson/', 'part/two.md': 'part/two/' };

/**
 * Waits until `predicate(element, arg)` holds in the page, `element` being the one `locator` finds. The predicate
 * goes to the page as its source (these pages have no CSP forbidding eval).
 */
async function until(locator, predicate, arg) {
  const element = await locator.elementHandle();
  await locator.page().waitForFunction(([e, a, src]) => (0, eval)(src)(e, a), [element, arg, String(predicate)], { timeout: WAIT });
}

let dir;
let browser;
const servers = {};

/** Python's static server on 127.0.0.1 and a free port, serving `root`; resolves with its origin. */
async function serve(python, root) {
  const child = spawn(python, ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const origin = await new Promise((resolve, reject) => {
    const read = (d) => {
      log += d;
      const m = /Serving HTTP on 127\.0\.0\.1 port (\d+)/.exec(log);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`http.server exited with ${code}:\n${log}`)));
  });
  return {
    origin,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

before(async () => {
  const { python } = await pythonEnvironment('mkdocs-venv', PINS);
  dir = mkdtempSync(join(tmpdir(), 'rnnscope-mkdocs-'));
  const docs = join(dir, 'docs');
  mkdirSync(join(docs, 'part'), { recursive: true });
  // The README's `cp -r dist my-site/rnnscope`, into MkDocs' docs/.
  cpSync(join(ROOT, 'dist'), join(docs, 'rnnscope'), { recursive: true });
  writeFileSync(join(dir, 'mkdocs.yml'), `site_name: rnnscope in MkDocs\n${readmeSnippet('mkdocs.yml')}\n`);
  const elements = readmeSnippet('elements');
  for (const [file, path] of Object.entries(PAGES)) {
    writeFileSync(join(docs, file), `# A page at /${path}\n\nSome prose before the model.\n\n${elements}\n\nAnd some after.\n`);
  }
  for (const theme of THEMES) {
    await run(python, ['-m', 'mkdocs', 'build', '--quiet', '--theme', theme, '--site-dir', join(dir, `site-${theme}`)], { cwd: dir, maxBuffer: 16 << 20 });
    servers[theme] = await serve(python, join(dir, `site-${theme}`));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) await s.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const theme of THEMES) {
  for (const path of Object.values(PAGES)) {
    test(`MkDocs, ${theme} theme, /${path}: both elements render, load, train and answer typing`, async () => {
      const { origin } = servers[theme];
      const p = await openPage(browser, origin, { width: 1200, height: 1000 });
      const { page, problems } = p;
      try {
        await page.goto(`${origin}/${path}`);
        const figure = page.locator('rnn-scope[view="figure"]');
        const diagram = page.locator('rnn-scope[view="diagram"]');
        for (const el of [figure, diagram]) {
          await el.scrollIntoViewIfNeeded();
          await until(el, (e) => e.hooks.ready());
          const box = await el.boundingBox();
          assert.ok(box && box.width >= 400 && box.height >= 200, `${await el.getAttribute('view')} is ${box?.width}×${box?.height} px`);
        }
        assert.deepEqual(await figure.evaluate((e) => ({ cell: e.hooks.info().cell, hidden: e.hooks.info().hidden })), { cell: 'rnn', hidden: 3 });
        assert.deepEqual(await diagram.evaluate((e) => ({ cell: e.hooks.info().cell, layers: e.hooks.info().layers })), { cell: 'lstm', layers: 2 });

        // The figure, a fresh model, trains at once while on screen; paused, it holds still while the diagram is
        // typed into.
        await figure.scrollIntoViewIfNeeded();
        await until(figure, (e) => e.hooks.step() > 0);
        await figure.getByRole('button', { name: 'Pause' }).click();
        await until(figure, (e) => !e.hooks.running());
        const shown = (e) => [e.hooks.probe().chars.join(''), e.hooks.step(), e.hooks.state().probe];
        const before = await figure.evaluate(shown);
        await diagram.scrollIntoViewIfNeeded();
        const input = diagram.getByLabel('Text to look at');
        await input.fill('');
        await input.pressSequentially('Romeo');
        await until(diagram, (e) => e.hooks.probe()?.chars.join('') === 'Romeo');
        assert.deepEqual(await figure.evaluate(shown), before, 'the figure changed when the diagram was typed into');
        // And goes on when asked.
        await figure.scrollIntoViewIfNeeded();
        await figure.getByRole('button', { name: 'Resume' }).click();
        await until(figure, (e, step) => e.hooks.running() && e.hooks.step() > step, before[1]);
        if (theme === 'mkdocs' && path === 'lesson/') await page.screenshot({ path: screenshotPath('mkdocs.png') });
        assert.deepEqual(besidesExpected(problems, THEME_PROBLEMS), []);
      } finally {
        await p.context.close();
      }
    });
  }
}
