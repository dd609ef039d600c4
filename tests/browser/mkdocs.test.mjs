// The element in a real MkDocs site, as the README tells a course author to make one: MkDocs 1.6.1 from PyPI in a
// virtual environment under target/; the built folder copied to docs/rnnscope; the README's `mkdocs.yml` lines and
// its two elements (read from the README's "snippet" blocks, so the README says what is tested) on the root page and
// on two nested pages; built with the default theme and with readthedocs; served as static files by Python's own
// http.server (no CSP, as GitHub Pages and most static hosts serve them). In Chromium, on every page: both elements
// render at a real size and get their models, typing into the diagram changes it and not the figure, the figure
// trains when asked, nothing is requested off the origin and no console error comes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, besidesExpected, launch, openPage, readmeElementsShown, readmeSnippet, screenshotPath, startProcess, until } from './helpers.mjs';
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

let dir;
let browser;
const servers = {};

/** Python's static server on 127.0.0.1 and a free port, serving `root`; resolves with its origin and stop(). */
async function serve(python, root) {
  const server = await startProcess(python, ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], {
    listening: /Serving HTTP on 127\.0\.0\.1 port (\d+)/,
  });
  return { origin: `http://127.0.0.1:${server.match[1]}`, stop: server.stop };
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
        const { figure, diagram } = await readmeElementsShown(page);

        // The figure, a fresh model, trains at once while on screen; paused, it holds still while the diagram is
        // typed into.
        await figure.scrollIntoViewIfNeeded();
        await until(figure, ([e]) => e.hooks.step() > 0);
        await figure.getByRole('button', { name: 'Pause' }).click();
        await until(figure, ([e]) => !e.hooks.running());
        const shown = (e) => [e.hooks.probe().chars.join(''), e.hooks.step(), e.hooks.state().probe];
        const before = await figure.evaluate(shown);
        await diagram.scrollIntoViewIfNeeded();
        const input = diagram.getByLabel('Text to look at');
        await input.fill('');
        await input.pressSequentially('Romeo');
        await until(diagram, ([e]) => e.hooks.probe()?.chars.join('') === 'Romeo');
        assert.deepEqual(await figure.evaluate(shown), before, 'the figure changed when the diagram was typed into');
        // And goes on when asked.
        await figure.scrollIntoViewIfNeeded();
        await figure.getByRole('button', { name: 'Resume' }).click();
        await until(figure, ([e, step]) => e.hooks.running() && e.hooks.step() > step, before[1]);
        if (theme === 'mkdocs' && path === 'lesson/') await page.screenshot({ path: screenshotPath('mkdocs.png') });
        assert.deepEqual(besidesExpected(problems, THEME_PROBLEMS), []);
      } finally {
        await p.context.close();
      }
    });
  }
}
