// "Type and watch": the text to look at, the hell diagram (one column per character) and the next-character
// guesses. With `diagram: false` only the text box (the heatmap view's input).

import { Panel, Work } from './panel.js';
import { HellDiagram } from '../views/hell.js';
import { displayChar, charName, fmtProb } from '../views/format.js';
import { Parts } from '../scope/parts.js';

/** Column texts the hell diagram brings up to date per frame (its layout and paint dominate a frame's cost). */
const HELL_COLUMNS_PER_FRAME = 8;
/**
 * Columns of each row group's pixels the diagram draws per frame: a fresh probe of every column (new weights) of a
 * long text is drawn over several frames, the newest (those in view) first.
 */
const HELL_GROUP_COLUMNS_PER_FRAME = 512;

export class WatchPanel extends Panel {
  static html = `
    <section id="watch" class="panel wide" aria-labelledby="watch-h" part="diagram">
      <h2 id="watch-h">Type and watch</h2>
      <p class="howto" id="howto">
        Each column is one character you typed. Underneath, the model’s five best guesses for the <em>next</em>
        character, with their probabilities — blue when it gave the character that really came next a high
        probability, orange when that character surprised it. The rows above show the hidden units (blue −1 … white
        0 … orange +1). Hover or focus a cell for its number. The model keeps training while you type, so its guesses
        sharpen as you watch.
      </p>
      <div class="row" id="probe-row">
        <label for="probe-text" class="grow">Text to look at
          <textarea id="probe-text" rows="1" autocomplete="off" spellcheck="false" maxlength="5000" data-testid="probe-input">hello</textarea>
        </label>
      </div>
      <div id="hell" class="hell-box" data-testid="hell"></div>
      <div class="predict" aria-live="polite" id="predict">
        <h3 class="small">Next-character guesses <span class="muted" id="predict-where"></span></h3>
        <ol id="predict-list" class="predict-list" data-testid="predictions"></ol>
        <label class="inline" for="predict-pos">Position
          <input id="predict-pos" type="range" min="0" max="0" value="0" step="1">
        </label>
      </div>
    </section>`;

  /** The most work of each kind a frame gives this panel (element/frames.js counts it). */
  static work = { [Work.HELL_COLUMNS]: HELL_COLUMNS_PER_FRAME, [Work.HELL_GROUP_COLUMNS]: HELL_GROUP_COLUMNS_PER_FRAME };

  static parts = [
    [Parts.CONTROLS, 'renderInput'],
    [Parts.GUESSES, 'renderGuesses'],
    [Parts.HELL, 'renderHell'],
  ];

  wire() {
    const { diagram = true, howto = true, input = true } = this.options;
    if (!diagram) {
      for (const id of ['watch-h', 'howto', 'hell', 'predict']) this.$(id).hidden = true;
      this.el.classList.add('bare');
    } else {
      this.hell = new HellDiagram(this.$('hell'), { maxUnits: 16, topK: 5 });
      this.hell.onStale = () => this.dirty(Parts.HELL);
    }
    if (!howto) this.$('howto').hidden = true;
    this.$('probe-row').hidden = !input;
    const probe = /** @type {HTMLTextAreaElement} */ (this.$('probe-text'));
    probe.addEventListener('input', () => this.scope.set('probe', probe.value));
    const pos = /** @type {HTMLInputElement} */ (this.$('predict-pos'));
    pos.addEventListener('input', () => this.scope.probe.choose(Number(pos.value)));
  }

  renderInput() {
    const probe = /** @type {HTMLTextAreaElement} */ (this.$('probe-text'));
    const want = this.scope.st.probe;
    // A focused box is the visitor's (they may be typing), unless the page itself changed its text.
    if ((!this.focused(probe) || this.scope.probe.replaced) && probe.value !== want) probe.value = want;
    this.scope.probe.replaced = false;
  }

  renderHell(drawAll) {
    if (!this.hell) return true;
    const d = this.scope.probe.data;
    if (!d) {
      this.hell.clear();
      return true;
    }
    const done = this.hell.render(d, drawAll ? {} : { maxColumns: HELL_COLUMNS_PER_FRAME, maxGroupColumns: HELL_GROUP_COLUMNS_PER_FRAME });
    this.spend(Work.HELL_COLUMNS, this.hell.columnsDrawn);
    this.spend(Work.HELL_GROUP_COLUMNS, this.hell.groupColumnsDrawn);
    return done;
  }

  /** The top-5 next-character guesses at the chosen position, as text. */
  renderGuesses() {
    if (!this.hell) return;
    const d = this.scope.probe.data;
    const list = this.$('predict-list');
    const where = this.$('predict-where');
    if (!d || d.steps === 0) {
      list.replaceChildren();
      where.textContent = '';
      delete list.dataset.prefix;
      return;
    }
    const chosen = this.scope.probe.pos;
    const pos = /** @type {HTMLInputElement} */ (this.$('predict-pos'));
    pos.max = String(Math.max(0, d.steps - 1));
    if (chosen < 0 || chosen >= d.steps) pos.value = String(Math.max(0, d.steps - 1));
    const t = chosen < 0 || chosen >= d.steps ? d.steps - 1 : chosen;
    const V = d.vocab.length;
    const order = [];
    for (let v = 0; v < V; v++) order.push(v);
    order.sort((a, b) => d.probs[t * V + b] - d.probs[t * V + a]);
    const top = order.slice(0, Math.min(5, V));
    const prefix = d.chars.slice(0, t + 1).join('');
    where.textContent = `after “${Array.from(prefix.slice(-24)).map(displayChar).join('')}”`;
    list.dataset.pos = String(t);
    list.dataset.prefix = prefix;
    while (list.children.length < top.length) {
      const li = document.createElement('li');
      const ch = document.createElement('span');
      ch.className = 'g-ch';
      const bar = document.createElement('span');
      bar.className = 'g-bar';
      const p = document.createElement('span');
      p.className = 'g-p';
      li.append(ch, bar, p);
      list.append(li);
    }
    while (list.children.length > top.length) list.lastElementChild.remove();
    top.forEach((v, i) => {
      const li = /** @type {HTMLElement} */ (list.children[i]);
      const p = d.probs[t * V + v];
      const c = d.vocab[v];
      li.dataset.char = c;
      li.dataset.prob = String(p);
      li.dataset.testid = 'prediction';
      li.setAttribute('aria-label', `${charName(c)}: ${fmtProb(p)}`);
      li.children[0].textContent = displayChar(c);
      /** @type {HTMLElement} */ (li.children[1]).style.setProperty('--p', String(Math.max(0, Math.min(1, p))));
      li.children[2].textContent = fmtProb(p);
    });
  }
}
