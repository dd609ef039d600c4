// What every panel of an rnnscope element shares: its markup, made from a static template of ours (never from
// data: user text and model output reach the DOM only through textContent), and lookups inside the element's own
// shadow root, so two elements on one page never see each other's parts.

/**
 * A panel: one region of an element (the diagram, the training controls, …) drawn from one Scope.
 * Subclasses set `static html` and `static parts` (what they draw, in order: `[name, draw method]`), and may
 * override `wire()`.
 */
/** The kinds of work a frame's drawing is bounded in (each panel declares its most per frame: `static work`). */
export const Work = Object.freeze({
  /** Hell-diagram columns made or brought up to date. */
  HELL_COLUMNS: 'hell columns',
  /** Columns of pixels of one of the hell diagram's row groups drawn (the most of any group). */
  HELL_GROUP_COLUMNS: 'hell row-group columns',
  /** Stages of an instrument's report (each draws a bounded piece: a plot, or a few hundred characters). */
  REPORT_STAGES: 'report stages',
});

export class Panel {
  /**
   * @param {import('../scope/scope.js').Scope} scope
   * @param {ShadowRoot} root the element's shadow root (for lookups by id, which are scoped to it)
   * @param {HTMLElement} host where to put the panel's markup
   * @param {object} [options]
   */
  constructor(scope, root, host, options = {}) {
    this.scope = scope;
    this.root = root;
    this.options = options;
    /** @type {import('../element/frames.js').FrameLoop|null} the loop that draws this panel (it sets itself) */
    this.frames = null;
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

  /** Count `n` units of work of `kind` (Work) done in this frame's drawing. */
  spend(kind, n) {
    this.frames?.spend(this, kind, n);
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

/** Wire a Train/Pause button, a Step button (Shift: 10 steps) and a Reset button to a scope. */
export function wireRunButtons(scope, run, step, reset) {
  // The button does what it says: a click between a state change and the next frame acts on what was shown.
  run?.addEventListener('click', () => (run.dataset.action === 'pause' ? scope.pause() : scope.start()));
  step?.addEventListener('click', (e) => scope.stepOnce(e.shiftKey ? 10 : 1));
  reset?.addEventListener('click', async () => {
    try {
      await scope.buildModel({ start: scope.running || scope.waitingForSlot });
    } catch (err) {
      scope.say(`Could not reset: ${err.message}`, 'error', 'build');
    }
  });
}

/** Train/Pause and Step as the scope stands: off without a model, and (with a title saying why) without a text. */
export function renderRunButtons(scope, run, step, reset = null) {
  const busy = scope.running || scope.waitingForSlot;
  const why = scope.text.untrainableReason();
  if (run) {
    run.textContent = busy ? 'Pause' : scope.step > 0 ? 'Resume' : 'Train';
    run.dataset.action = busy ? 'pause' : 'start';
    run.setAttribute('aria-pressed', String(busy));
    run.disabled = !scope.model || (Boolean(why) && !busy);
  }
  if (step) step.disabled = !scope.model || Boolean(why);
  if (reset) reset.disabled = !scope.model || Boolean(why);
  for (const b of [run, step, reset]) {
    if (!b) continue;
    if (why) b.title = why;
    else b.removeAttribute('title');
  }
}
