// A scope's instruments: which text an instrument reads, running one in the engine, the units held (clamped) while
// probing and sampling, and the unit picked to colour the text by.

import { Cmd } from '../engine/protocol.js';
import { analyseAside } from './analysis-pool.js';
import { Parts } from './parts.js';

/** Most characters of the training text an instrument reads: a few passes over it stay well under a second. */
export const ANALYSIS_CHARS = 5000;

export class Instruments {
  /** @param {import('./scope.js').Scope} scope */
  constructor(scope) {
    this.scope = scope;
    /** @type {{layer: number, tensor: 'h'|'c', unit: number, value: number}[]} units held while probing and sampling */
    this.clamps = [];
    /** The unit the text is coloured by (-1: none). */
    this.unit = -1;
    /** @type {{layer: number, tensor: string, unit: number, seq: number}|null} a unit an instrument asked to show */
    this.unitPick = null;
    /** @type {{text: string, fraction: number, value: string}|null} the held-out text of the last training text */
    this.heldOut = null;
  }

  /**
   * The text an instrument reads: `'shown'`, the text in the diagram (the probe text); `'training'`, up to `limit`
   * (at most ANALYSIS_CHARS) characters of the held-out end of the training text (its start when nothing is held
   * out).
   */
  text(source, limit = ANALYSIS_CHARS) {
    const s = this.scope;
    if (source === 'shown' || !s.text.value) return s.st.probe;
    const n = Math.max(1, Math.min(ANALYSIS_CHARS, limit | 0));
    const whole = this.heldOutText();
    return n >= whole.length ? whole : Array.from(whole).slice(0, n).join('');
  }

  /** Up to ANALYSIS_CHARS characters of the held-out end of the training text (kept until the text changes). */
  heldOutText() {
    const s = this.scope;
    const t = s.text.value;
    const fraction = s.model?.config?.valFraction ?? s.st.valFraction ?? 0;
    const cache = this.heldOut;
    if (cache && cache.text === t && cache.fraction === fraction) return cache.value;
    // Counted in UTF-16 units, not characters, to avoid splitting a megabyte of text into characters on the main
    // thread: the same part as the trainer's held-out one for any text without characters beyond U+FFFF.
    const held = Math.floor(t.length * fraction);
    let from = held > 0 ? t.length - held : 0;
    if (from > 0 && from < t.length && /[\uDC00-\uDFFF]/.test(t[from])) from++; // not inside a surrogate pair
    const value = Array.from(t.slice(from, from + 2 * ANALYSIS_CHARS)).slice(0, ANALYSIS_CHARS).join('');
    this.heldOut = { text: t, fraction, value };
    return value;
  }

  /**
   * Run one instrument (`{kind, text, …}`, see protocol.js `Cmd.ANALYSE`) on the current model, on an analysis
   * worker where one can start (analysis-pool.js), else on the scope's own engine. Resolves with `{report, step}`;
   * rejects with the engine's reason (a bad text, a unit that does not exist, …).
   */
  async analyse(request) {
    const s = this.scope;
    if (!s.model) throw new Error('no model yet');
    const aside = await analyseAside(s, request);
    if (aside) return aside;
    const r = await s.client.request({ type: Cmd.ANALYSE, request });
    return { report: r.report, step: r.step };
  }

  /**
   * Hold units while probing and sampling: `[{layer, tensor: 'h'|'c', unit, value}]` (value 0 ablates); `[]`
   * releases them. The diagram and the heatmap are probed afresh. Rejects (keeping the old clamps) when the model
   * has no such unit.
   */
  async setClamps(clamps) {
    const s = this.scope;
    const list = clamps.map((c) => ({ layer: c.layer | 0, tensor: c.tensor, unit: c.unit | 0, value: Number(c.value) || 0 }));
    const generation = s.modelGeneration;
    await s.client.request({ type: Cmd.SET_CLAMPS, clamps: list });
    if (generation !== s.modelGeneration) return;
    this.clamps = list;
    s.probe.weightsChanged();
    s.changed(Parts.CLAMPS, Parts.PROBE);
  }

  /** Colour the text by unit `unit` of the tensor the heatmap shows (-1: by the loss). */
  chooseUnit(unit) {
    this.unit = unit;
    this.scope.changed(Parts.INSIDE, Parts.CONTROLS);
  }

  /** Show unit `unit` of `tensor` ('h', 'c' or 'gate:K') in `layer` in the heatmap and colour the text by it. */
  pickUnit(layer, tensor, unit) {
    this.unit = unit;
    this.unitPick = { layer, tensor, unit, seq: (this.unitPick?.seq ?? 0) + 1 };
    this.scope.changed(Parts.INSIDE, Parts.CONTROLS);
  }

  /** A new model has no clamps and no unit picked. */
  newModel() {
    this.unit = -1;
    this.unitPick = null;
    this.clamps = [];
  }
}
