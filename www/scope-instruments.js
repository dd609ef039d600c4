// The Scope's instruments (scope.js installs these methods on Scope.prototype): which text an instrument reads,
// running one in the engine, and the units held (clamped) while probing and sampling.

import { Cmd } from './protocol.js';

/** Most characters of the training text an instrument reads: a few passes over it stay well under a second. */
export const ANALYSIS_CHARS = 5000;

/** @this {import('./scope.js').Scope} */
export class InstrumentMethods {
  /**
   * The text an instrument reads: `'shown'`, the text in the diagram (the probe text); `'training'`, up to
   * ANALYSIS_CHARS characters of the held-out end of the training text (its start when nothing is held out).
   */
  analysisText(source) {
    if (source === 'shown' || !this.text) return this.st.probe;
    const cache = this.analysisCache;
    const fraction = this.model?.config?.valFraction ?? this.st.valFraction ?? 0;
    if (cache && cache.text === this.text && cache.fraction === fraction) return cache.value;
    const chars = Array.from(this.text);
    const held = Math.floor(chars.length * fraction);
    const from = held > 0 ? chars.length - held : 0;
    const value = chars.slice(from, from + ANALYSIS_CHARS).join('');
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
