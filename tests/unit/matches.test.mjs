// The cell finder's patterns matched in the page (www/engine/matches.js): the same character ranges the native
// `regex` crate gives for the cases tests/analysis.rs checks there, characters counted as the model counts them,
// and a bad pattern refused with its name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRanges, withMatches } from '../../www/engine/matches.js';

/** The on/off feature the core builds from the ranges. */
function feature(text, pattern) {
  const on = new Array(Array.from(text).length).fill(0);
  for (const [from, to] of matchRanges(text, pattern)) on.fill(1, from, to);
  return on;
}

test('line-anchored patterns match at every line, as grep reads them (the values tests/analysis.rs expects natively)', () => {
  const text = 'a\n  b\n\tc d\ne';
  assert.deepEqual(feature(text, '^[ \t]+'), [0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(feature(text, '[a-z]$'), [1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1]);
});

test('ranges count characters, not UTF-16 units: an emoji is one character', () => {
  assert.deepEqual(matchRanges('😀ab😀b', 'b+'), [[2, 3], [4, 5]]);
  assert.deepEqual(matchRanges('日本語', '本'), [[1, 2]]);
  assert.deepEqual(matchRanges('a😀😀a', '😀+'), [[1, 3]]);
});

test('empty matches cover nothing; matches are leftmost-first and do not overlap', () => {
  assert.deepEqual(matchRanges('abc', 'x*'), []);
  assert.deepEqual(matchRanges('aaaa', 'aa'), [[0, 2], [2, 4]]);
  assert.deepEqual(matchRanges('abab', 'a|ab'), [[0, 1], [2, 3]]);
});

test('a bad or over-long pattern is refused with its name; the request keeps its other fields', () => {
  assert.throws(() => matchRanges('abc', '(unclosed'), /invalid regular expression "\(unclosed"/);
  assert.throws(() => matchRanges('abc', 'a'.repeat(1001)), /longer than 1000 bytes/);
  const req = { kind: 'cells', text: 'a1b22', top: 3, regex: ['[0-9]+'] };
  assert.deepEqual(withMatches(req), { kind: 'cells', text: 'a1b22', top: 3, regex: [], matched: [{ pattern: '[0-9]+', ranges: [[1, 2], [3, 5]] }] });
  const other = { kind: 'saturation', text: 'ab' };
  assert.equal(withMatches(other), other);
});
