// Small DOM helpers of the figure view (views/figure.js and its weight tables, views/figure-weights.js): elements,
// buttons whose accessible name starts with their visible word, and constant math lines. Text goes in through
// textContent only.

import { el } from './dom.js';

export { el };

/**
 * A button. `text` is a string, or [before, main, after, end]: `before`/`end` shown but not spoken (arrows),
 * `main` shown and spoken, `after` spoken only, so the accessible name starts with the visible word.
 */
export function button(text, cls, testid, label) {
  const b = el('button', cls);
  b.type = 'button';
  b.dataset.testid = testid;
  if (typeof text === 'string') b.textContent = text;
  else {
    const [before, main, after = '', end = ''] = text;
    const deco = (t) => { const e = el('span', ''); e.textContent = t; e.setAttribute('aria-hidden', 'true'); return e; };
    if (before) b.append(deco(before));
    b.append(main);
    if (after) b.append(hiddenText(after));
    if (end) b.append(deco(end));
  }
  if (label) b.setAttribute('aria-label', label);
  return b;
}

export function hiddenText(text) {
  const e = el('span', 'rs-visually-hidden');
  e.textContent = text;
  return e;
}

/**
 * A line of math from a constant string: `W_hh` → W<sub>hh</sub>, `h_{t−1}` → h<sub>t−1</sub>, every piece through
 * textContent.
 */
export function math(text) {
  const e = el('span', 'rs-figure-math');
  const re = /\b([A-Za-z])_(\{[^}]*\}|[A-Za-z0-9]+)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) e.append(text.slice(last, m.index));
    const v = el('var', '');
    v.textContent = m[1];
    const sub = el('sub', '');
    sub.textContent = m[2].replace(/^\{|\}$/g, '');
    e.append(v, sub);
    last = m.index + m[0].length;
  }
  if (last < text.length) e.append(text.slice(last));
  return e;
}
