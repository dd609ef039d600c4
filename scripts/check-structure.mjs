// Checks the shape of the tree that no linter checks: every relative import in www/ resolves to a file; no import
// circle among the page's modules (www/) or among the core's files (src/: a file that uses items of another file,
// which uses items of it); and no source file in src/ or www/ longer than MAX_LINES (a file that long holds more
// than one concern: split it along the architecture). Prints what is wrong and exits 1, or prints one line.
//
//   node scripts/check-structure.mjs

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_LINES = 500;

/** Files under `dir` (relative to the repository) whose names end with `ext`. */
function files(dir, ext) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(ext)) out.push(p);
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

const rel = (p) => relative(ROOT, p);

/** The circles of a graph (`Map<node, Set<node>>`), each as a path that starts and ends at the same node. */
export function circles(graph) {
  const found = [];
  const state = new Map(); // node → 'open' while on the path, 'done' after
  const path = [];
  const visit = (n) => {
    state.set(n, 'open');
    path.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') found.push([...path.slice(path.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    path.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return found;
}

/** The page's modules: each file's relative imports (static and dynamic with a literal specifier). */
function jsGraph(problems) {
  const graph = new Map();
  for (const file of files('www', '.js')) {
    // Comments out (JSDoc types name modules with import('…') too).
    const src = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const deps = new Set();
    const specs = [
      ...src.matchAll(/^\s*(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/gm),
      ...src.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
      ...src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((m) => m[1]);
    for (const spec of specs) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec.split('?')[0]);
      if (!existsSync(target)) problems.push(`${rel(file)} imports ${spec}, which is not there`);
      else deps.add(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** The module path (`a::b`) of a Rust file under src/. */
function rustModule(file) {
  const parts = relative(join(ROOT, 'src'), file).replace(/\.rs$/, '').split('/');
  if (parts[parts.length - 1] === 'mod' || (parts.length === 1 && (parts[0] === 'lib' || parts[0] === 'main'))) parts.pop();
  return parts.join('::');
}

/**
 * The core's files: which files each file takes items from through `use` (crate::, super::, self:: paths), a
 * file's own `mod` declarations and `pub use` re-exports aside.
 */
function rustGraph() {
  const all = files('src', '.rs');
  const byModule = new Map(all.map((f) => [rustModule(f), f]));
  const graph = new Map();
  for (const file of all) {
    const here = rustModule(file).split('::').filter(Boolean);
    const isModRoot = /(^|\/)(mod|lib|main)\.rs$/.test(file);
    const deps = new Set();
    const src = readFileSync(file, 'utf8')
      .replace(/\/\/.*$/gm, '')
      .replace(/#\[cfg\(test\)\][\s\S]*$/m, ''); // a file's own tests may use anything
    for (const m of src.matchAll(/^\s*use\s+((?:crate|super|self)(?:::[A-Za-z0-9_]+)*)(?:::\{([^;]*)\})?[^;]*;/gm)) {
      if (/^\s*pub(\([^)]*\))?\s+use/.test(m[0])) continue;
      const heads = m[2] ? m[2].split(',').map((x) => `${m[1]}::${x.trim().split('::')[0]}`) : [m[1]];
      for (const head of heads) {
        const segs = head.split('::');
        let base = isModRoot ? [...here] : here.slice(0, -1);
        if (segs[0] === 'crate') base = [];
        else if (segs[0] === 'super') base = isModRoot ? here.slice(0, -1) : here.slice(0, -2);
        else if (segs[0] === 'self') base = isModRoot ? [...here] : [...here];
        const rest = segs.slice(1).filter((s) => s !== 'super' && s !== 'self');
        // The deepest module file the path names.
        let target = null;
        for (let k = rest.length; k >= 0; k--) {
          const f = byModule.get([...base, ...rest.slice(0, k)].join('::'));
          if (f) {
            target = f;
            break;
          }
        }
        if (target && target !== file) deps.add(target);
      }
    }
    graph.set(file, deps);
  }
  return graph;
}

function main() {
  const problems = [];
  for (const file of [...files('src', '.rs'), ...files('www', '.js')]) {
    const n = readFileSync(file, 'utf8').split('\n').length - 1;
    if (n > MAX_LINES) problems.push(`${rel(file)} has ${n} lines (at most ${MAX_LINES}): split it along the architecture`);
  }
  for (const [name, graph] of [['www', jsGraph(problems)], ['src', rustGraph()]]) {
    for (const c of circles(graph)) problems.push(`import circle in ${name}/: ${c.map(rel).join(' → ')}`);
  }
  if (problems.length) {
    for (const p of problems) console.error(p);
    process.exit(1);
  }
  console.log(`check-structure: every file at most ${MAX_LINES} lines, every import in www/ found, no import circle in www/ or src/`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
