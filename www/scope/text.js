// Plain functions about texts: counting characters as the model does (Unicode scalar values, not UTF-16 units),
// why a text cannot be trained on, and which characters a model does not know.

import { charName } from '../views/format.js';

const NUMBER_FORMAT = new Intl.NumberFormat('en-US');
/** 12345 → '12,345' */
export const num = (n) => NUMBER_FORMAT.format(n);

export const MAX_TEXT_CHARS = 20_000_000;

/**
 * Characters and distinct characters of `text`, in one pass.
 * @param {string} text
 * @returns {{chars: number, distinct: number}}
 */
export function textStats(text) {
  const seen = new Set();
  let chars = 0;
  for (const c of text) {
    chars++;
    seen.add(c);
  }
  return { chars, distinct: seen.size };
}

/** Why `text` (with its `stats`) cannot be trained on (a sentence), or null when it can. */
export function textProblem(text, stats = textStats(text)) {
  if (text.length === 0) return 'The text is empty. Paste or type some text first — nothing was changed.';
  if (text.trim().length === 0) return 'The text is only whitespace; give it something to learn. Nothing was changed.';
  if (stats.chars < 2) return 'The text needs at least two characters. Nothing was changed.';
  if (text.length > MAX_TEXT_CHARS) return `The text has ${num(text.length)} characters; the limit here is ${num(MAX_TEXT_CHARS)}. Nothing was changed.`;
  return null;
}

/** The distinct characters of `text` that are not in `vocab`, in order of appearance. */
export function missingChars(text, vocab) {
  const known = new Set(vocab);
  const out = new Set();
  for (const c of text) if (!known.has(c)) out.add(c);
  return Array.from(out);
}

/**
 * A training text made only of the model's own characters (its vocabulary, repeated), just long enough for the
 * sequence length, batch and validation share of `st`: what a loaded model is paired with when the visitor's text
 * uses characters it does not know.
 */
export function standInText(vocab, st) {
  const need = Math.ceil((st.batch * (st.seqLen + 1) + 1) / (1 - st.valFraction)) + 1;
  return vocab.join('').repeat(Math.max(2, Math.ceil(need / vocab.length)));
}

/** Up to `max` characters, readable (named when invisible), for messages. */
export function charList(chars, max = 12) {
  const shown = chars.slice(0, max).map(charName).join(', ');
  return chars.length > max ? `${shown} and ${chars.length - max} more` : shown;
}

/** The printable characters of a vocabulary (at most `max`), as a text to look at. */
export function printable(vocab, max = 200) {
  return vocab.filter((c) => c.codePointAt(0) >= 0x20 && c !== '\u007f').slice(0, max).join('');
}
