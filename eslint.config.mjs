// ESLint for the JavaScript: the page and element (browser modules), the worker, and the Node scripts, tests and
// benches. Only rules that find bugs (undefined names, syntax, unused variables, unreachable code), not style.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/**', 'pkg/**', 'target/**', 'node_modules/**', 'python/src/rnnscope/static/**' /* scripts/build-python.sh's copy of dist/rnnscope.js */] },
  js.configs.recommended,
  {
    files: ['www/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['scripts/**/*.mjs', 'tests/**/*.mjs', 'benches/**/*.mjs', 'eslint.config.mjs'],
    // Browser tests run some functions in the page, where the test helpers define $q and $qa.
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node, ...globals.browser, $q: 'readonly', $qa: 'readonly' } },
  },
  { rules: { 'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }] } },
];
