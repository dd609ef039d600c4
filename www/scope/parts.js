// The names of what a scope tells its views changed (its `change` event's `detail.parts`): each panel draws some of
// them (`static parts`), the frame loop (element/frames.js) draws what was marked, and nothing else names them.

export const Parts = Object.freeze({
  /** Training state, step, loss, speed; the run buttons. */
  STATUS: 'status',
  /** The values shown in inputs and selects (settings, the text box, corpora). */
  CONTROLS: 'controls',
  /** The loss chart. */
  CHART: 'chart',
  /** A new probe result: redraws every part in PROBE_PARTS. */
  PROBE: 'probe',
  /** The next-character guesses at the chosen position. */
  GUESSES: 'guesses',
  /** The hell diagram's columns. */
  HELL: 'hell',
  /** The heatmap and the coloured text. */
  INSIDE: 'inside',
  /** The post's figure and its weights. */
  FIGURE: 'figure',
  /** The connectivity panel's shaded text. */
  SHADING: 'shading',
  /** The sample being streamed. */
  SAMPLE: 'sample',
  /** The short samples taken while training. */
  AUTOSAMPLES: 'autosamples',
  /** The RNN/LSTM/GRU comparison. */
  COMPARE: 'compare',
  /** The messages to the visitor. */
  MESSAGES: 'messages',
  /** The offer to restore an autosaved model. */
  RESTORE: 'restore',
  /** What the autosave did last. */
  AUTOSAVE: 'autosave',
  /** The instruments: a new model or text to analyse. */
  INSTRUMENTS: 'instruments',
  /** The units held (clamped). */
  CLAMPS: 'clamps',
  /** An instrument's report waiting to be drawn. */
  REPORT: 'report',
});

/** A new probe result redraws these. */
export const PROBE_PARTS = Object.freeze([Parts.GUESSES, Parts.HELL, Parts.INSIDE, Parts.FIGURE, Parts.SHADING]);

/** Every part, for a first full draw. */
export const ALL_PARTS = Object.freeze(Object.values(Parts).filter((p) => p !== Parts.PROBE && p !== Parts.REPORT));
