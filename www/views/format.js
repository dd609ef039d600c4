// Text and number formatting shared by the views. Pure functions, no DOM.

/** Visible stand-ins for characters that would otherwise be invisible or break the layout. */
const VISIBLE = new Map([
  [' ', '␣'],
  ['\n', '↵'],
  ['\t', '⇥'],
  ['\r', '␍'],
]);

/** Spoken names for the same characters (aria-labels, tooltips). */
const SPOKEN = new Map([
  [' ', 'space'],
  ['\n', 'newline'],
  ['\t', 'tab'],
  ['\r', 'carriage return'],
]);

/**
 * The glyph to draw for one character: ' ' → '␣', '\n' → '↵', '\t' → '⇥', '\r' → '␍', other control
 * characters → their Unicode "control picture" (U+2400 block) or '·'; an empty/undefined value → '∅'.
 * @param {string|undefined|null} ch one character (one code point)
 * @returns {string}
 */
export function displayChar(ch) {
  if (ch == null || ch === '') return '∅';
  const v = VISIBLE.get(ch);
  if (v !== undefined) return v;
  const code = ch.codePointAt(0);
  if (code < 0x20) return String.fromCodePoint(0x2400 + code);
  if (code === 0x7f) return '␡';
  if (code >= 0x80 && code < 0xa0) return '·';
  return ch;
}

/**
 * A description of a character for screen readers and tooltips: `space`, `newline`, `"a"`, `"'"`.
 * @param {string|undefined|null} ch
 * @returns {string}
 */
export function charName(ch) {
  if (ch == null || ch === '') return 'none';
  const s = SPOKEN.get(ch);
  if (s !== undefined) return s;
  const code = ch.codePointAt(0);
  if (code < 0x20 || code === 0x7f) return 'U+' + code.toString(16).toUpperCase().padStart(4, '0');
  return '"' + ch + '"';
}

/**
 * A number with a fixed number of decimals; NaN/undefined → '–', ±Infinity → '∞'/'−∞', never prints "-0.000".
 * A real minus sign (U+2212) is used so columns of numbers align.
 * @param {number} v
 * @param {number} [digits=3]
 * @returns {string}
 */
export function fmt(v, digits = 3) {
  if (v == null || Number.isNaN(v)) return '–';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  let s = v.toFixed(digits);
  if (/^-0\.?0*$/.test(s)) s = s.slice(1);
  return s.replace(/^-/, '−');
}

/**
 * A probability in a compact form for small cells: 2 decimals without the leading zero
 * ('.93', '.05'), '1.0' for ≥ 0.995, '<.01' for tiny but non-zero values, '0' for exactly zero, '–' for NaN.
 * @param {number} p in 0..1
 * @returns {string}
 */
export function fmtProbShort(p) {
  if (p == null || Number.isNaN(p)) return '–';
  if (p >= 0.995) return '1.0';
  if (p <= 0) return '0';
  if (p < 0.005) return '<.01';
  return p.toFixed(2).slice(1);
}

/**
 * A probability with enough precision for a tooltip: '0.9312', '3.2e-5'.
 * @param {number} p
 * @returns {string}
 */
export function fmtProb(p) {
  if (p == null || Number.isNaN(p)) return '–';
  if (p !== 0 && p < 1e-3) return p.toExponential(1);
  return p.toFixed(4);
}

/**
 * A value with a sensible number of significant digits for axes and readouts:
 * 12345 → '12,345', 1.23456 → '1.235', 0.000123 → '1.23e-4'.
 * @param {number} v
 * @returns {string}
 */
export function fmtAuto(v) {
  if (v == null || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  let s;
  if (a === 0) s = '0';
  else if (a >= 1e6 || a < 1e-3) s = v.toExponential(2);
  else if (a >= 1000) s = Math.round(v).toLocaleString('en-US');
  else if (a >= 100) s = v.toFixed(1);
  else if (a >= 10) s = v.toFixed(2);
  else s = v.toFixed(3);
  return s.replace(/^-/, '−'); // the sign only: an exponent's hyphen stays
}

/**
 * A tick label for an axis with step `step` between ticks: just enough decimals to tell ticks apart.
 * @param {number} v
 * @param {number} step
 * @returns {string}
 */
export function fmtTick(v, step) {
  if (Math.abs(v) >= 1e5) return compactInt(v);
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return fmt(v, decimals);
}

/**
 * An integer in compact form: 950 → '950', 12000 → '12k', 1500000 → '1.5M'.
 * @param {number} v
 * @returns {string}
 */
export function compactInt(v) {
  const a = Math.abs(v);
  const sign = v < 0 ? '−' : '';
  const n = Math.round(a);
  if (n < 1e4) return sign + n.toString();
  // The unit is chosen after rounding, so 999,999 is "1M", not "1000k".
  const k = trimZeros((a / 1e3).toFixed(a >= 1e5 ? 0 : 1));
  if (Number(k) < 1000) return sign + k + 'k';
  return sign + trimZeros((a / 1e6).toFixed(1)) + 'M';
}

function trimZeros(s) {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
