// The cell finder's patterns, matched with the browser's own RegExp: the wasm core carries no regular-expression
// engine (it would be most of its size), so the engine turns a `cells` request's `regex` patterns into the
// character ranges inside their matches (`matched`), which the core reads as on/off features.
//
// A pattern is read as grep reads a line-anchored one: multi-line (`^` and `$` at every line's start and end),
// Unicode mode (a character outside the BMP is one character, as the model counts it). Matches are JavaScript's:
// leftmost-first and non-overlapping, as the native CLI's `regex` crate finds them; `\w`, `\d` and `\b` are ASCII
// here, Unicode there. Empty matches cover nothing.

import { MAX_PATTERN_BYTES } from '../core-numbers.js';

/**
 * The `[from, to)` character ranges of `text` inside the matches of `pattern`. Throws an Error whose message
 * names the pattern and says what is wrong with it.
 * @param {string} text
 * @param {string} pattern
 * @returns {[number, number][]}
 */
export function matchRanges(text, pattern) {
  if (new TextEncoder().encode(pattern).length > MAX_PATTERN_BYTES) {
    throw new Error(`the regular expression is longer than ${MAX_PATTERN_BYTES} bytes`);
  }
  let re;
  try {
    re = new RegExp(pattern, 'gmu');
  } catch (e) {
    throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${e.message}`, { cause: e });
  }
  // UTF-16 index → character index, filled as far as the matches reach.
  const ranges = [];
  let unit = 0;
  let char = 0;
  const charAt = (target) => {
    while (unit < target) {
      unit += text.codePointAt(unit) > 0xffff ? 2 : 1;
      char += 1;
    }
    return char;
  };
  for (const m of text.matchAll(re)) {
    if (m[0].length === 0) continue;
    const from = charAt(m.index);
    ranges.push([from, charAt(m.index + m[0].length)]);
  }
  return ranges;
}

/** A request as the core takes it: a `cells` request's `regex` patterns matched here and sent as `matched`. */
export function withMatches(request) {
  if (request?.kind !== 'cells' || !Array.isArray(request.regex) || request.regex.length === 0) return request;
  const text = String(request.text ?? '');
  const matched = request.regex.map((p) => ({ pattern: String(p), ranges: matchRanges(text, String(p)) }));
  return { ...request, regex: [], matched: [...(request.matched ?? []), ...matched] };
}
