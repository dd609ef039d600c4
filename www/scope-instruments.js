// The Scope's instruments (scope.js installs these methods on Scope.prototype): which text an instrument reads,
// running one in the engine, and the units held (clamped) while probing and sampling.

import { Cmd } from './protocol.js';

/** Most characters of the training text an instrument reads: a few passes over it stay well under a second. */
export const ANALYSIS_CHARS = 5000;

/** @this {import('./scope.js').Scope} */
export class InstrumentMethods {
  /**
   * The text an instrument reads: `'shown'`, the text in the diagram (the probe text); `'training'`, up to `limit`
   * (at most ANALYSIS_CHARS) characters of the held-out end of the training text (its start when nothing is held
   * out).
   */
  analysisText(source, limit = ANALYSIS_CHARS) {
    if (source === 'shown' || !this.text) return this.st.probe;
    const n = Math.max(1, Math.min(ANALYSIS_CHARS, limit | 0));
    const whole = this.heldOutText();
    return n >= whole.length ? whole : Array.from(whole).slice(0, n).join('');
  }

  /** Up to ANALYSIS_CHARS characters of the held-out end of the training text (kept until the text changes). */
  heldOutText() {
    const cache = this.analysisCache;
    const fraction = this.model?.config?.valFraction ?? this.st.valFraction ?? 0;
    if (cache && cache.text === this.text && cache.fraction === fraction) return cache.value;
    // Counted in UTF-16 units, not characters, to avoid splitting a megabyte of text into characters on the main
    // thread: the same part as the trainer's held-out one for any text without characters beyond U+FFFF.
    const t = this.text;
    const held = Math.floor(t.length * fraction);
    let from = held > 0 ? t.length - held : 0;
    if (from > 0 && from < t.length && /[\uDC00-\uDFFF]/.test(t[from])) from++; // not inside a surrogate pair
    const value = Array.from(t.slice(from, from + 2 * ANALYSIS_CHARS)).slice(0, ANALYSIS_CHARS).join('');
    this.analysisCache = { text: this.text, fraction, value };
    return value;
  }

  /**
   * Run one instrument (`{kind, text, …}`, see protocol.js `Cmd.ANALYSE`) on the current model. Resolves with
   * `{report, step}`; rejects with the engine's reason (a bad text, a unit that does not exist, …).
   */
  async analyse(request) {
    if (!this.model) throw new Error('no model yet');
    const r = await this.client.request({ type: Cmd.ANALYSE, request });
    return { report: r.report, step: r.step };
  }

  /**
   * Hold units while probing and sampling: `[{layer, tensor: 'h'|'c', unit, value}]` (value 0 ablates); `[]`
   * releases them. The diagram and the heatmap are probed afresh. Rejects (keeping the old clamps) when the model
   * has no such unit.
   */
  async setClamps(clamps) {
    const list = clamps.map((c) => ({ layer: c.layer | 0, tensor: c.tensor, unit: c.unit | 0, value: Number(c.value) || 0 }));
    const generation = this.modelGeneration;
    await this.client.request({ type: Cmd.SET_CLAMPS, clamps: list });
    if (generation !== this.modelGeneration) return;
    this.clamps = list;
    this.requestProbe(true);
    this.changed('clamps', 'probe');
    this.emit('clamps', { clamps: list.map((c) => ({ ...c })) });
  }

  /** Show unit `unit` of `tensor` ('h', 'c' or 'gate:K') in `layer` in the heatmap and colour the text by it. */
  pickUnit(layer, tensor, unit) {
    this.unit = unit;
    this.unitPick = { layer, tensor, unit, seq: (this.unitPick?.seq ?? 0) + 1 };
    this.changed('inside', 'controls');
  }
}
