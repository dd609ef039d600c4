// What every panel of an rnnscope element shares: its markup, made from a static template of ours (never from
// data: user text and model output reach the DOM only through textContent), and lookups inside the element's own
// shadow root, so two elements on one page never see each other's parts.

/**
 * A panel: one region of an element (the diagram, the training controls, …) drawn from one Scope.
 * Subclasses set `static html` and `static parts` (what they draw, in order: `[name, draw method]`), and may
 * override `wire()`.
 */
export class Panel {
  /**
   * @param {import('../scope.js').Scope} scope
   * @param {ShadowRoot} root the element's shadow root (for lookups by id, which are scoped to it)
   * @param {HTMLElement} host where to put the panel's markup
   * @param {object} [options]
   */
  constructor(scope, root, host, options = {}) {
    this.scope = scope;
    this.root = root;
    this.options = options;
    const tpl = document.createElement('template');
    tpl.innerHTML = /** @type {any} */ (this.constructor).html;
    this.el = /** @type {HTMLElement} */ (tpl.content.firstElementChild);
    host.append(tpl.content);
  }

  /** The element with this id inside the element's shadow root. */
  $(id) {
    return /** @type {any} */ (this.root.getElementById(id));
  }

  /** The focused element inside the shadow root, if any. */
  focused(el) {
    return this.root.activeElement === el;
  }

  /** Ask the element to redraw `parts` on the next frame. */
  dirty(...parts) {
    this.scope.changed(...parts);
  }

  wire() {}

  destroy() {}
}

/** Show the scope's messages in `box` (one item per key, created once, text by textContent). */
export function renderMessages(scope, box) {
  const have = new Map(Array.from(box.children, (c) => [c.dataset.key, c]));
  for (const [key, item] of have) if (!scope.messages.has(key)) item.remove();
  for (const [key, m] of scope.messages) {
    let item = have.get(key);
    if (!item) {
      item = document.createElement('div');
      item.className = 'msg';
      item.dataset.key = key;
      item.dataset.testid = 'message';
      const p = document.createElement('p');
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'quiet close';
      close.textContent = '×';
      close.setAttribute('aria-label', 'Dismiss message');
      close.addEventListener('click', () => scope.unsay(key));
      item.append(p, close);
      box.append(item);
    }
    item.dataset.kind = m.kind;
    if (item.firstChild.textContent !== m.text) item.firstChild.textContent = m.text;
  }
}
