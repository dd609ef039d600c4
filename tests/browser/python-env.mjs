// Python virtual environments for the browser tests of the tools course authors publish with (JupyterLab, MkDocs):
// each under target/ (cargo's folder, never tracked), made once with pinned packages from PyPI, and made again only
// when the pins change.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers.mjs';

const run = promisify(execFile);

/**
 * The environment target/NAME with the packages `pins` (e.g. `['mkdocs==1.6.1']`); answers the paths of its
 * folder and its python. `prepare(dir)` runs on a new environment before the install.
 * @param {string} name
 * @param {string[]} pins
 * @param {{prepare?: (dir: string) => void}} [opts]
 */
export async function pythonEnvironment(name, pins, { prepare } = {}) {
  const dir = join(ROOT, 'target', name);
  const python = join(dir, 'bin', 'python');
  const marker = join(dir, '.pins');
  if (existsSync(python) && existsSync(marker) && readFileSync(marker, 'utf8') === pins.join(' ')) return { dir, python };
  rmSync(dir, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', dir]);
  prepare?.(dir);
  await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...pins], { timeout: 15 * 60_000, maxBuffer: 64 << 20 });
  writeFileSync(marker, pins.join(' '));
  return { dir, python };
}
