// Connectivity, after Distill's "Memorization in RNNs": point at (or move the keyboard focus to) a character, and
// every earlier character is shaded by how much the model's score for the character that really comes next depends
// on it: the norm of the gradient of that score with respect to the earlier one-hot input, one backward pass.

import { InstrumentPanel } from './instrument.js';
import { ColoredText } from '../views/textcolor.js';
import { charName, fmt } from '../views/format.js';
import { Parts } from '../scope/parts.js';

/** How many characters back the gradient goes. */
const WINDOW = 400;

export class ConnectivityPanel extends InstrumentPanel {
  static html = `
    <section id="connectivity" class="panel wide" aria-labelledby="connectivity-h" part="connectivity">
      <h2 id="connectivity-h">What a prediction depends on</h2>
      <p class="howto">Point at a character of the text shown above (or focus the text and use the arrow keys): the
        characters before it are shaded by how strongly the model’s guess of the next character depends on each of them
        (the size of the gradient of that guess’s score with respect to the character, up to ${WINDOW} characters
        back). Darker means the model is looking there; the character predicted is underlined.</p>
      <p id="connectivity-status" class="hint" role="status" data-testid="connectivity-status"></p>
      <div id="connectivity-text" class="textcolor-box" data-testid="connectivity-text"></div>
    </section>`;

  static parts = [...InstrumentPanel.parts, [Parts.SHADING, 'renderText']];

  get id() {
    return 'connectivity';
  }

  get auto() {
    return this.position >= 0;
  }

  wire() {
    super.wire();
    this.position = -1;
    this.textColor = new ColoredText(this.$('connectivity-text'));
    this.textColor.onActive = (t) => {
      if (t === this.position) return;
      this.position = t;
      this.run();
    };
  }

  /** The text shown, with the last answer's shading where it still fits. */
  renderText() {
    const chars = Array.from(this.scope.st.probe ?? '');
    if (this.report && this.reportText !== this.scope.st.probe) this.report = null;
    const values = new Float32Array(chars.length).fill(NaN);
    let max = 1e-6;
    if (this.report) {
      const r = this.report;
      r.norms.forEach((v, k) => {
        values[r.from + k] = v;
        max = Math.max(max, v);
      });
    }
    this.textColor.render(chars, values, {
      scale: 'blues',
      min: 0,
      max,
      label: this.report
        ? `gradient norm of the score of ${charName(this.report.target)} (p = ${fmt(this.report.prob, 3)}) after character ${this.report.position}`
        : 'point at a character to see what its prediction depends on',
      format: (v) => fmt(v, 4),
    });
    // The character whose prediction it is, and the character predicted.
    const at = this.report?.position ?? -1;
    this.textColor.items.forEach((it, t) => {
      it.el.classList.toggle('is-position', t === at);
      it.el.classList.toggle('is-target', t === at + 1 && at >= 0);
    });
  }

  request(text) {
    const n = Array.from(text).length;
    if (this.position < 0) {
      this.setStatus('Point at a character of the text.', 'ok');
      return null;
    }
    if (this.position >= n - 1) {
      this.setStatus('The last character has no next character to predict; point at an earlier one.', 'ok');
      return null;
    }
    return { kind: 'connectivity', text, position: this.position, window: WINDOW };
  }

  text() {
    return this.scope.st.probe ?? '';
  }

  show() {
    this.renderText();
  }
}
