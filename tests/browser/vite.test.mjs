// The npm package in a fresh Vite app, as the README tells a developer to use it: `bash scripts/build-npm.sh`'s
// tarball and Vite and TypeScript (pinned) installed from npm into an empty app; the README's `main.js` lines and its
// elements in the app's page, the models copied to public/ as the README says; TypeScript checks a file that uses
// the package's types; `vite build`, then `vite preview` serves the built app. In Chromium: both elements render,
// load, train and answer typing, nothing is requested off the origin and no console error comes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, launch, openPage, readmeElementsShown, readmeSnippet, screenshotPath, startProcess, until } from './helpers.mjs';

const run = promisify(execFile);
const PINS = ['vite@8.4.0', 'typescript@5.9.3'];

/** Uses the package's types as an app would; `tsc --noEmit` must accept it, and would refuse a wrong call. */
const TYPED = `import { RnnScopeElement, EVENTS } from 'rnnscope';
const el = document.querySelector('rnn-scope');
if (el) {
  const same: RnnScopeElement = el;
  same.hiddenSize = '8';
  void same.probe('hello').then((acts) => acts);
  void same.step(3);
  el.addEventListener('rnnscope-progress', (e) => e.detail);
}
RnnScopeElement.base = '/';
const names: readonly string[] = EVENTS;
export { names };
`;

let dir;
let browser;

/** `tsc --noEmit` of `file` in the app, strict, as a bundler resolves modules; rejects with tsc's report. */
const typecheck = (file) =>
  run(join(dir, 'node_modules', '.bin', 'tsc'), ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--module', 'esnext', '--moduleResolution', 'bundler', file], { cwd: dir });
let preview;

/** `vite preview` of the built app on 127.0.0.1; resolves with its URL and stop(). */
async function startPreview() {
  const server = await startProcess(join(dir, 'node_modules', '.bin', 'vite'), ['preview', '--host', '127.0.0.1', '--port', '0', '--strictPort'], {
    cwd: dir,
    listening: /(http:\/\/127\.0\.0\.1:\d+\/)/,
  });
  return { url: server.match[1], stop: server.stop };
}

before(async () => {
  await run('bash', [join(ROOT, 'scripts', 'build-npm.sh'), '--no-build'], { cwd: ROOT, maxBuffer: 16 << 20 });
  const [tarball] = readdirSync(join(ROOT, 'dist')).filter((f) => /^rnnscope-.*\.tgz$/.test(f));
  dir = mkdtempSync(join(tmpdir(), 'rnnscope-vite-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'a-vite-app', private: true, type: 'module' }, null, 2));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...PINS, join(ROOT, 'dist', tarball)], {
    cwd: dir,
    timeout: 10 * 60_000,
    maxBuffer: 16 << 20,
  });
  // The README: the models where the app serves its root from, the two lines of main.js, the elements in the page.
  cpSync(join(dir, 'node_modules', 'rnnscope', 'models'), join(dir, 'public', 'models'), { recursive: true });
  writeFileSync(join(dir, 'main.js'), `${readmeSnippet('main.js')}\n`);
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A Vite app</title>\n<script type="module" src="/main.js"></script></head>\n<body><h1>A Vite app</h1>\n${readmeSnippet('elements')}\n</body></html>\n`,
  );
  writeFileSync(join(dir, 'typed.ts'), TYPED);
  await typecheck('typed.ts');
  await run(join(dir, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: dir, maxBuffer: 16 << 20 });
  preview = await startPreview();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await preview?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('TypeScript refuses a wrong use of the package types', async () => {
  writeFileSync(join(dir, 'wrong.ts'), "import 'rnnscope';\nconst el = document.querySelector('rnn-scope');\nif (el) void el.probe(42);\n");
  await assert.rejects(
    typecheck('wrong.ts'),
    (err) => /Argument of type 'number' is not assignable to parameter of type 'string'/.test(err.stdout),
  );
});

test('the Vite build of an app that installed the tarball: both elements render, load, train and answer typing', async () => {
  const p = await openPage(browser, new URL(preview.url).origin, { width: 1200, height: 1000 });
  const { page, problems } = p;
  try {
    await page.goto(preview.url);
    const { figure, diagram } = await readmeElementsShown(page);
    const input = diagram.getByLabel('Text to look at');
    await input.fill('');
    await input.pressSequentially('Romeo');
    await until(diagram, ([e]) => e.hooks.probe()?.chars.join('') === 'Romeo');
    await figure.scrollIntoViewIfNeeded();
    await until(figure, ([e]) => e.hooks.running() && e.hooks.step() > 20);
    assert.equal(await figure.evaluate((e) => e.hooks.engineMode()), 'worker', 'the single file started its worker from the code it carries');
    await page.screenshot({ path: screenshotPath('vite.png') });
    assert.deepEqual(problems, []);
  } finally {
    await p.context.close();
  }
});
