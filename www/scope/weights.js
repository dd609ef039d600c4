// A scope's copy of its model's weights, for the figure view: fetched from the engine on demand (once per model,
// after an edit, now and then while training), and the one edit a visitor makes at a time.

import { Cmd } from '../engine/protocol.js';
import { Parts } from './parts.js';

export class Weights {
  /** @param {import('./scope.js').Scope} scope */
  constructor(scope) {
    this.scope = scope;
    /** @type {{generation: number, step: number, tensors: Record<string, {shape: number[], data: Float32Array}>}|null} */
    this.current = null;
  }

  /** The model's parameters by name, fetched once per model or edit. */
  async fetch() {
    const s = this.scope;
    const generation = s.modelGeneration;
    const r = await s.client.request({ type: Cmd.WEIGHTS });
    if (generation !== s.modelGeneration) return null;
    const tensors = {};
    for (const t of r.tensors) tensors[t.name] = { shape: t.shape, data: t.data };
    this.current = { generation, step: r.step, tensors };
    s.changed(Parts.FIGURE);
    return this.current;
  }

  /** Set one weight; every number downstream is probed again. Throws (and says) why a value is refused. */
  async set(name, index, value) {
    const s = this.scope;
    try {
      await s.client.request({ type: Cmd.SET_WEIGHT, name, index, value });
    } catch (err) {
      s.say(`That weight was not changed: ${err.message}`, 'error', 'weight');
      throw err;
    }
    s.unsay('weight');
    await this.fetch();
    s.probe.weightsChanged();
  }

  /** A new model: its weights are fetched when wanted. */
  newModel() {
    this.current = null;
  }
}
