// The one DOM helper every view shares: an element with a class. Text goes in through textContent only, never
// markup.

/**
 * A new `tag` element with class `cls` (if any).
 * @param {string} tag
 * @param {string} [cls]
 * @returns {HTMLElement}
 */
export function el(tag, cls) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  return e;
}
