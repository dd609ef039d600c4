// The Python package for Jupyter (python/, an anywidget widget) in a real JupyterLab, and in Notebook 7: a virtual
// environment under target/ gets JupyterLab, Notebook and anywidget from PyPI and the wheel scripts/build-python.sh
// builds; JupyterLab starts on 127.0.0.1 with its default settings (a token; only what would reach the network turned
// off: the news feed, the update check, the extension manager's PyPI look-ups) on a temporary folder holding a copy of
// examples/rnnscope.ipynb; Chromium opens the notebook and runs its cells one by one, as a reader would
// (Ctrl+Enter), and reads what the cells print and what the page shows.
//
// The first run installs the environment (about half a minute with a warm pip cache); later runs reuse it, and
// reinstall only the wheel when its bytes changed (the wheel is reproducible).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, WAIT, besidesExpected, launch, openPage, screenshotPath } from './helpers.mjs';
import { pythonEnvironment } from './python-env.mjs';
import { PROPS } from '../../www/scope/state.js';
import { OBSERVED_ATTRIBUTES, SETTING_ATTRS } from '../../www/element/attributes.js';
import { CONTROLS, VIEWS } from '../../www/element/layout.js';
import { MAX_TEXT_CHARS } from '../../www/scope/text.js';

const run = promisify(execFile);

/** What the environment holds, pinned so a run today is a run tomorrow. */
const PINS = ['jupyterlab==4.6.6', 'notebook==7.6.5', 'anywidget==0.11.0'];
const VENV = join(ROOT, 'target', 'jupyter-venv');
const PY = join(VENV, 'bin', 'python');
const NOTEBOOK = join(ROOT, 'examples', 'rnnscope.ipynb');
/** The shipped Shakespeare model, as models/manifest.json describes it. */
const BARD = JSON.parse(readFileSync(join(ROOT, 'models', 'manifest.json'), 'utf8')).models.find((m) => m.file === 'shakespeare-lstm.safetensors');

/**
 * Errors of Notebook 7 itself that a test of the widget has to live with: matched exactly, each as many times as it
 * comes (once per page), so any other fails the test. JupyterLab's page has none.
 */
const NOTEBOOK7_MESSAGES = [
  // Notebook 7.6.5's keyboard-shortcuts plugin reads the settings schema of a plugin its page does not have
  // (notebook_core.js, `t.plugins[i].schema`); it is thrown while any notebook loads, one of `1+1` alone too.
  ["uncaught error: Cannot read properties of undefined (reading 'schema')", 1],
];

let dir;
let jupyter;
let notebook7;
let browser;
/** @type {string[][]} every page's problems, for the last test */
const collected = [];

/** The notebook's code cells: index among all cells → source, so a test names a cell by what it runs. */
const CELLS = JSON.parse(readFileSync(NOTEBOOK, 'utf8')).cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
/** The index of the one cell whose source includes `text`. */
function cellOf(text) {
  const found = CELLS.flatMap((src, i) => (src.includes(text) ? [i] : []));
  assert.equal(found.length, 1, `one cell of examples/rnnscope.ipynb should hold ${JSON.stringify(text)}; found ${found.length}`);
  return found[0];
}

/** The virtual environment with PINS (python-env.mjs). */
async function environment() {
  // JupyterLab runs a .js file of its own with node; under the repo's package.json ("type": "module") node would
  // read it as an ES module and fail. This one says the environment's files are CommonJS, as they are.
  await pythonEnvironment('jupyter-venv', PINS, { prepare: (venv) => writeFileSync(join(venv, 'package.json'), '{ "type": "commonjs" }\n') });
}

/** The wheel, built fresh from www/ and pkg/ (a second or two), installed when its bytes changed. */
async function wheel() {
  await run('bash', [join(ROOT, 'scripts', 'build-python.sh')], { cwd: ROOT, maxBuffer: 16 << 20 });
  const out = join(ROOT, 'dist', 'python');
  const [name] = readdirSync(out).filter((f) => f.endsWith('.whl'));
  const file = join(out, name);
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  const marker = join(VENV, '.wheel');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === sha) return;
  await run(PY, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--force-reinstall', file], { maxBuffer: 16 << 20 });
  writeFileSync(marker, sha);
}

/**
 * JupyterLab (`app` 'jupyterlab') or Notebook 7 ('notebook') on 127.0.0.1, a free port, its settings and state in
 * `dir` (none of the machine's own), a token, and `flags`. Resolves once it says where it listens.
 */
async function startJupyter(app, flags = []) {
  const token = randomBytes(16).toString('hex');
  const env = { ...process.env };
  for (const [k, sub] of Object.entries({
    JUPYTER_CONFIG_DIR: 'config',
    JUPYTER_DATA_DIR: 'data',
    JUPYTER_RUNTIME_DIR: 'runtime',
    JUPYTERLAB_SETTINGS_DIR: 'settings',
    JUPYTERLAB_WORKSPACES_DIR: 'workspaces',
    IPYTHONDIR: 'ipython',
  })) {
    env[k] = join(dir, sub);
    mkdirSync(env[k], { recursive: true });
  }
  // The reader's own settings: asked once whether to fetch Jupyter's news, they said no (a page that asks shows a
  // toast over the notebook; one that fetches reaches the network).
  const answered = join(env.JUPYTERLAB_SETTINGS_DIR, '@jupyterlab', 'apputils-extension');
  mkdirSync(answered, { recursive: true });
  writeFileSync(join(answered, 'notification.jupyterlab-settings'), '{ "fetchNews": "false", "checkForUpdates": false }\n');
  const args = [
    '-m', app, '--no-browser',
    '--ServerApp.ip=127.0.0.1', '--ServerApp.port=0', `--ServerApp.root_dir=${join(dir, 'notes')}`,
    `--IdentityProvider.token=${token}`,
    ...flags,
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ];
  const child = spawn(PY, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${app} did not start in 60 s:\n${log}`)), 60_000);
    const read = (d) => {
      log += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+)\/(lab|tree)\?token=/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`${app} exited with ${code}:\n${log}`)));
  });
  return {
    url,
    token,
    log: () => log,
    /** Shut down through the API (kernels too), then make sure the whole process group is gone. */
    async stop() {
      if (child.exitCode !== null) return;
      const gone = once(child, 'exit');
      try {
        await fetch(`${url}/api/shutdown`, { method: 'POST', headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(10_000) });
      } catch {
        // it is being stopped anyway
      }
      const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
      try {
        process.kill(-child.pid, 'SIGKILL'); // a kernel left behind
      } catch {
        // none
      }
    },
  };
}

before(async () => {
  await environment();
  await wheel();
  dir = mkdtempSync(join(tmpdir(), 'rnnscope-jupyter-'));
  mkdirSync(join(dir, 'notes'));
  copyFileSync(NOTEBOOK, join(dir, 'notes', 'rnnscope.ipynb'));
  copyFileSync(NOTEBOOK, join(dir, 'notes', 'notebook7.ipynb'));
  // JupyterLab's defaults, but for what would fetch from the network: its news feed, its update check, and the
  // extension manager's look-ups on PyPI.
  jupyter = await startJupyter('jupyterlab', [
    '--LabApp.news_url=None',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
    '--LabApp.extension_manager=readonly',
  ]);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await jupyter?.stop();
  await notebook7?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// Driving a notebook as a reader does

/** A notebook page: `run(i)` runs cell i with Ctrl+Enter and answers its output's text once it has finished. */
async function openNotebook(server, path) {
  const p = await openPage(browser, server.url, { width: 1280, height: 1000 });
  await p.page.goto(`${server.url}${path}?token=${server.token}`);
  // The notebook shown (JupyterLab keeps other tabs' notebooks in the page, hidden).
  const panel = p.page.locator('.jp-NotebookPanel:visible');
  const cells = panel.locator('.jp-Notebook .jp-Cell');
  await cells.nth(CELLS.length - 1).waitFor({ timeout: WAIT });
  // The kernel is up when the notebook's toolbar says so.
  await panel.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor({ timeout: WAIT });
  let count = 0;
  const cell = (i) => cells.nth(i);
  /** Run cell `i` and answer the text of its outputs once its prompt shows this run's number. */
  const runCell = async (i) => {
    count += 1;
    const c = cell(i);
    await c.locator('.jp-InputArea-editor').click();
    await p.page.keyboard.press('Control+Enter');
    await c.locator('.jp-InputPrompt', { hasText: `[${count}]` }).waitFor({ timeout: WAIT });
    const errors = await c.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').allTextContents();
    assert.deepEqual(errors, [], `cell ${i} failed:\n${CELLS[i]}`);
    return (await c.locator('.jp-OutputArea-output').allTextContents()).join('\n');
  };
  /** Run cell `i` again until its output matches `re` (what the page sends arrives between cells); the match. */
  const runUntil = async (i, re) => {
    const deadline = Date.now() + WAIT;
    for (;;) {
      const out = await runCell(i);
      const m = re.exec(out);
      if (m) return m;
      if (Date.now() > deadline) assert.fail(`cell ${i} never printed ${re}; last:\n${out}`);
    }
  };
  return { ...p, cell, runCell, runUntil };
}

/** What the page shows of the rnn-scope in cell `i`'s output (the element's read-only hooks, and its layout). */
function shown(nb, i) {
  return nb.cell(i).locator('rnn-scope').evaluate((el) => {
    const h = el.hooks;
    const info = h.info();
    const box = el.getBoundingClientRect();
    const root = el.shadowRoot;
    return {
      width: box.width,
      height: box.height,
      step: h.step(),
      running: h.running(),
      info: info && { cell: info.cell, hidden: info.hidden, layers: info.layers, vocab: info.vocab.length, step: info.step },
      figureCols: root.querySelectorAll('[data-testid="figure-col"]').length,
      inputs: Array.from(root.querySelectorAll('[data-testid="hell-col"]'), (e) => e.dataset.char),
      where: root.querySelector('[data-testid="workers"]')?.textContent.trim() ?? null,
    };
  });
}

/** Wait until `check(shown(nb, i))` is true; answers what was shown then. */
async function waitShown(nb, i, check, what) {
  // Looked at, as a reader would: an element draws (and trains) only while it is on screen.
  await nb.cell(i).locator('rnn-scope').scrollIntoViewIfNeeded({ timeout: WAIT });
  const deadline = Date.now() + WAIT;
  let last;
  for (;;) {
    last = await shown(nb, i);
    if (check(last)) return last;
    if (Date.now() > deadline) assert.fail(`cell ${i}'s widget never showed ${what}; last: ${JSON.stringify(last)}`);
    await nb.page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
  }
}

// ---------------------------------------------------------------------------------------------------------------

test("the Python widget's settings are the element's, with the same limits", async () => {
  const { stdout } = await run('python3', [join(ROOT, 'python', 'src', 'rnnscope', '_settings.py')]);
  const py = JSON.parse(stdout);
  const byName = new Map(PROPS.map((p) => [p.name, p]));
  for (const [name, { attribute, kind, limits }] of Object.entries(py.settings)) {
    const key = SETTING_ATTRS[attribute];
    if (!key) continue; // the element's own attributes, below
    const p = byName.get(key);
    assert.equal(name, attribute.replace(/-/g, '_'), `${name} is the attribute ${attribute} in snake_case`);
    if (p.type === 'enum') assert.deepEqual([kind, limits], ['enum', p.options], name);
    else if (p.type === 'int' || p.type === 'float') assert.deepEqual([kind, limits], [p.type, [p.min, p.max]], name);
    else if (name === 'corpus') assert.deepEqual([kind, limits], ['enum', py.corpora], name);
    else assert.deepEqual([kind, limits], ['str', p.maxLength], name);
  }
  assert.deepEqual(py.views, Object.keys(VIEWS));
  assert.deepEqual(py.controls, CONTROLS);
  const names = /pub const NAMES: \[&str; \d+\] = \[([^\]]*)\]/.exec(readFileSync(join(ROOT, 'src', 'corpus.rs'), 'utf8'))[1];
  assert.deepEqual(py.corpora, Array.from(names.matchAll(/"([^"]+)"/g), (m) => m[1]));
  assert.equal(py.maxTextChars, MAX_TEXT_CHARS);
  // Every attribute is a setting, except those that name URLs of the host (a notebook's model comes as bytes, its
  // text as `text`: nothing may depend on the Jupyter server) and the full page's own (which widget.js leaves out).
  const unsent = ['model', 'text-src', 'base', 'autosave', 'url-state'];
  assert.deepEqual(
    [...Object.values(py.settings).map((s) => s.attribute), ...unsent].sort(),
    [...OBSERVED_ATTRIBUTES].sort(),
  );
});

test("the Python package's own tests pass, against the installed wheel", async () => {
  const { stderr } = await run(PY, ['-m', 'unittest', 'discover', '-s', join(ROOT, 'python', 'tests')], { cwd: dir });
  assert.match(stderr, /\nOK\n?$/, stderr);
});

test('JupyterLab: the notebook runs; the widget renders, trains, reports back, takes models as bytes and settings from Python', async () => {
  const nb = await openNotebook(jupyter, '/lab/tree/rnnscope.ipynb');
  collected.push(nb.problems);
  assert.match(await nb.runCell(cellOf('import rnnscope')), /'0\.1\.0'/);

  // The figure of a 3-unit RNN learning "hello": at a real size, with the figure's five columns, training.
  const hello = cellOf('hello = rnnscope.RnnScope(');
  await nb.runCell(hello);
  const fig = await waitShown(nb, hello, (s) => s.figureCols === 5 && s.step > 0, 'the figure, training');
  assert.ok(fig.width > 400 && fig.height > 200, `the widget is ${fig.width}×${fig.height}`);
  assert.deepEqual(fig.info && [fig.info.cell, fig.info.hidden, fig.info.vocab], ['rnn', 3, 4]);

  // The step, read from Python.
  const [, step, loss] = await nb.runUntil(cellOf('print(f"step {hello.step}'), /^step ([1-9]\d*), loss (\d+\.\d+)/m);
  assert.ok(Number(step) > 0 && Number(loss) > 0, `step ${step}, loss ${loss}`);

  // The Shakespeare model from the package, sent as bytes: it loads (the page's model is its LSTM of 65 characters,
  // the manifest's shape), paused (no text of its own), and Python reads back what it is.
  assert.match(await nb.runCell(cellOf('[m["file"] for m')), /'shakespeare-lstm\.safetensors'/);
  const bard = cellOf('bard = rnnscope.RnnScope.pretrained(');
  await nb.runCell(bard);
  const loaded = await waitShown(nb, bard, (s) => s.info?.vocab === 65 && s.inputs.join('') === 'Wherefore art thou', 'the Shakespeare model probing its text');
  assert.deepEqual(loaded.info, { cell: 'lstm', hidden: BARD.hidden, layers: BARD.layers, vocab: 65, step: BARD.steps });
  assert.equal(loaded.running, false);
  await nb.runUntil(cellOf("print(bard.info and"), new RegExp(`^lstm ${BARD.layers}x${BARD.hidden}, 65 characters$`, 'm'));

  // A trait set from Python redraws the diagram with those characters.
  await nb.runCell(cellOf('bard.probe = "Romeo"'));
  const romeo = await waitShown(nb, bard, (s) => s.inputs.join('') === 'Romeo', 'the characters of “Romeo”');
  assert.equal(romeo.inputs.length, 5);
  const [guesses] = await nb.runUntil(cellOf("print(\"after 'Romeo':"), /^after 'Romeo': \[\[.+\]\]$/m);
  assert.equal(guesses.match(/, [01](\.\d+)?\]/g).length, 5, guesses); // five [char, p] pairs
  assert.match(await nb.runCell(cellOf("print(\"after 'Romeo':")), /temperature must be a number from 0 to 3, not 5/);

  // Paused from Python, the page exports; the bytes come back at the step it paused on, and load as a model again.
  await nb.runCell(cellOf('hello.autoplay = False'));
  const paused = await waitShown(nb, hello, (s) => !s.running, 'training paused');
  const [, at, now, size] = await nb.runUntil(cellOf('data = hello.export_model()'), /^exported at step (\d+) \(the widget is at step (\d+)\): (\d+) bytes$/m);
  assert.deepEqual([Number(at), Number(now)], [paused.step, paused.step]);
  assert.ok(Number(size) > 500, `${size} bytes`);
  const again = cellOf('again = rnnscope.RnnScope(model=data');
  await nb.runCell(again);
  const reloaded = await waitShown(nb, again, (s) => s.info?.step === paused.step, `the exported model (step ${paused.step})`);
  assert.deepEqual([reloaded.info.cell, reloaded.info.hidden, reloaded.info.vocab], ['rnn', 3, 4]);

  // The screenshot: the hello figure in the notebook.
  await nb.cell(hello).scrollIntoViewIfNeeded();
  await nb.cell(hello - 1).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await nb.page.screenshot({ path: screenshotPath('jupyterlab.png') });
  await nb.context.close();
});

test('Notebook 7: the same widget renders and trains, and Python reads its step', async () => {
  notebook7 = await startJupyter('notebook');
  const nb = await openNotebook(notebook7, '/notebooks/notebook7.ipynb');
  await nb.runCell(cellOf('import rnnscope'));
  const hello = cellOf('hello = rnnscope.RnnScope(');
  await nb.runCell(hello);
  const fig = await waitShown(nb, hello, (s) => s.figureCols === 5 && s.step > 0, 'the figure, training');
  assert.ok(fig.width > 400 && fig.height > 200, `the widget is ${fig.width}×${fig.height}`);
  await nb.runUntil(cellOf('print(f"step {hello.step}'), /^step [1-9]\d*, loss \d+\.\d+/m);
  await nb.context.close();
  collected.push(besidesExpected(nb.problems, NOTEBOOK7_MESSAGES));
});

test('no console error, uncaught error or request off the Jupyter server in any page', () => {
  assert.deepEqual(collected.flat(), [], `JupyterLab's log:\n${jupyter.log().slice(-4000)}`);
});
