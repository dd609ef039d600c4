// Colour scales, precomputed once into 256-entry lookup tables (RGBA bytes for ImageData, CSS strings for DOM).
// All scales are colour-blind safe: they vary in lightness as well as hue and avoid red/green pairs.
//
//   sequential  viridis, for 0..1 data (sigmoid gates, probabilities on canvases)
//   diverging   blue – near-white – orange (ColorBrewer RdBu/PuOr family), for −1..1 data (tanh activations)
//   confidence  orange (bad, p≈0) – white – blue (good, p≈1), for "how sure was the model of the right answer"
//   blues       white – blue, a quiet single-hue scale for many small probability cells
//
// Every view also prints the number; colour is never the only carrier of a value.

import { fmt } from './format.js';

/** Okabe–Ito colours for series of lines and dots, distinguishable with the common colour-vision deficiencies. */
export const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#F0E442'];

/** The loss charts' series: training and validation loss, and each cell in a comparison. */
export const SERIES_STYLE = {
  training: { color: SERIES_COLORS[0] },
  validation: { color: SERIES_COLORS[5], dashed: true },
  rnn: { color: SERIES_COLORS[1] },
  lstm: { color: SERIES_COLORS[0] },
  gru: { color: SERIES_COLORS[2] },
};

/** Number of entries per lookup table. */
export const LUT_SIZE = 256;

/** @typedef {'sequential'|'diverging'|'confidence'|'blues'} ScaleName */

/** Colour stops [position 0..1, r, g, b]. */
const STOPS = {
  sequential: [
    [0.0, 68, 1, 84], [0.125, 72, 40, 120], [0.25, 62, 73, 137], [0.375, 49, 104, 142], [0.5, 38, 130, 142],
    [0.625, 31, 158, 137], [0.75, 53, 183, 121], [0.875, 110, 206, 88], [0.9375, 181, 222, 43], [1.0, 253, 231, 37],
  ],
  diverging: [
    [0.0, 5, 48, 97], [0.1, 33, 102, 172], [0.2, 67, 147, 195], [0.3, 146, 197, 222], [0.4, 209, 229, 240],
    [0.5, 247, 247, 247], [0.6, 254, 224, 182], [0.7, 253, 184, 99], [0.8, 224, 130, 20], [0.9, 179, 88, 6],
    [1.0, 127, 59, 8],
  ],
  confidence: [
    [0.0, 179, 88, 6], [0.15, 224, 130, 20], [0.3, 253, 184, 99], [0.5, 247, 247, 247], [0.7, 146, 197, 222],
    [0.85, 67, 147, 195], [1.0, 33, 102, 172],
  ],
  blues: [
    [0.0, 255, 255, 255], [0.25, 222, 235, 247], [0.5, 158, 202, 225], [0.75, 66, 146, 198], [1.0, 8, 69, 148],
  ],
};

/** RGB used for NaN / missing values. */
export const NAN_RGB = [224, 224, 224];

/**
 * @typedef {{rgba: Uint8ClampedArray, css: string[], ink: string[], nanCss: string}} Lut
 * rgba: LUT_SIZE*4 bytes ready to copy into ImageData; css: 'rgb(r,g,b)' per entry;
 * ink: '#fff' or '#000' per entry, whichever contrasts more with that background (WCAG ratio; the worse of the
 * two best cases is 4.58:1, above the 4.5:1 that small text needs).
 */

/** @type {Record<string, Lut>} */
const LUTS = {};
for (const name of Object.keys(STOPS)) LUTS[name] = buildLut(STOPS[name]);

function buildLut(stops) {
  const rgba = new Uint8ClampedArray(LUT_SIZE * 4);
  const css = new Array(LUT_SIZE);
  const ink = new Array(LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) {
    const x = i / (LUT_SIZE - 1);
    let k = 0;
    while (k < stops.length - 2 && x > stops[k + 1][0]) k++;
    const [x0, r0, g0, b0] = stops[k];
    const [x1, r1, g1, b1] = stops[k + 1];
    const f = Math.min(1, Math.max(0, (x - x0) / (x1 - x0)));
    const r = Math.round(r0 + (r1 - r0) * f);
    const g = Math.round(g0 + (g1 - g0) * f);
    const b = Math.round(b0 + (b1 - b0) * f);
    rgba[i * 4] = r; rgba[i * 4 + 1] = g; rgba[i * 4 + 2] = b; rgba[i * 4 + 3] = 255;
    css[i] = `rgb(${r},${g},${b})`;
    // Contrast with white is 1.05 / (L + 0.05), with black (L + 0.05) / 0.05: black wins above L ≈ 0.179.
    const L = relativeLuminance(r, g, b);
    ink[i] = (L + 0.05) / 0.05 > 1.05 / (L + 0.05) ? '#000' : '#fff';
  }
  return { rgba, css, ink, nanCss: `rgb(${NAN_RGB.join(',')})` };
}

function relativeLuminance(r, g, b) {
  const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * The lookup table of a scale (shared, do not modify).
 * @param {ScaleName} scale
 * @returns {Lut}
 */
export function lut(scale) {
  const l = LUTS[scale];
  if (!l) throw new Error(`unknown colour scale "${scale}"`);
  return l;
}

/**
 * The LUT index of a value (0..LUT_SIZE-1, clamped), or -1 for NaN.
 * @param {number} value
 * @param {number} min value mapped to the first entry
 * @param {number} max value mapped to the last entry
 * @returns {number}
 */
export function lutIndex(value, min, max) {
  if (value !== value) return -1; // NaN
  const t = (value - min) / (max - min || 1);
  if (t <= 0) return 0;
  if (t >= 1) return LUT_SIZE - 1;
  return (t * (LUT_SIZE - 1) + 0.5) | 0;
}

/**
 * The colour of a value as [r, g, b] (NaN → light grey).
 * @param {number} value
 * @param {ScaleName} scale
 * @param {number} min
 * @param {number} max
 * @returns {[number, number, number]}
 */
export function colorFor(value, scale, min, max) {
  const i = lutIndex(value, min, max);
  if (i < 0) return /** @type {[number,number,number]} */ (NAN_RGB.slice());
  const a = lut(scale).rgba;
  return [a[i * 4], a[i * 4 + 1], a[i * 4 + 2]];
}

/**
 * The colour of a value as a CSS string 'rgb(r,g,b)' (precomputed, no allocation).
 * @param {number} value
 * @param {ScaleName} scale
 * @param {number} min
 * @param {number} max
 * @returns {string}
 */
export function cssColor(value, scale, min, max) {
  const l = lut(scale);
  const i = lutIndex(value, min, max);
  return i < 0 ? l.nanCss : l.css[i];
}

/**
 * A text colour ('#000' or '#fff') that reads well on top of `cssColor(value, …)`.
 * @param {number} value
 * @param {ScaleName} scale
 * @param {number} min
 * @param {number} max
 * @returns {string}
 */
export function inkColor(value, scale, min, max) {
  const i = lutIndex(value, min, max);
  return i < 0 ? '#111' : lut(scale).ink[i];
}

/**
 * Draw a colour bar with its min / mid / max numbers and a label into `container` (replacing an earlier legend
 * drawn into the same container). The bar is a 256×1 ImageData stretched by CSS.
 * @param {HTMLElement} container
 * @param {ScaleName} scale
 * @param {number} min
 * @param {number} max
 * @param {string} [label]
 * @returns {HTMLElement} the legend element
 */
export function legend(container, scale, min, max, label = '') {
  const old = container.querySelector(':scope > .rs-legend');
  if (old) old.remove();
  const root = document.createElement('div');
  root.className = 'rs-legend';
  root.setAttribute('role', 'img');
  root.setAttribute('aria-label', `${label ? label + ': ' : ''}colour scale from ${fmt(min, 2)} to ${fmt(max, 2)}`);
  if (label) {
    const lab = document.createElement('span');
    lab.className = 'rs-legend-label';
    lab.textContent = label;
    root.append(lab);
  }
  const lo = document.createElement('span');
  lo.className = 'rs-legend-num';
  lo.textContent = fmt(min, 2);
  const canvas = document.createElement('canvas');
  canvas.className = 'rs-legend-bar';
  canvas.width = LUT_SIZE;
  canvas.height = 1;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(LUT_SIZE, 1);
  img.data.set(lut(scale).rgba);
  ctx.putImageData(img, 0, 0);
  const hi = document.createElement('span');
  hi.className = 'rs-legend-num';
  hi.textContent = fmt(max, 2);
  root.append(lo, canvas, hi);
  container.append(root);
  return root;
}
