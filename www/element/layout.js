// What each view of <rnn-scope> is made of: its panels, top to bottom, and the controls it shows (the `view` and
// `controls` attributes), and how each panel is made.

import { StatusPanel, MessagesPanel, RestorePanel } from '../panels/status.js';
import { WatchPanel } from '../panels/watch.js';
import { TrainPanel } from '../panels/train.js';
import { TextPanel, ModelPanel } from '../panels/setup.js';
import { InsidePanel } from '../panels/inside.js';
import { SamplePanel } from '../panels/sample.js';
import { ComparePanel } from '../panels/compare.js';
import { KeepPanel } from '../panels/keep.js';
import { FigurePanel } from '../panels/figure.js';
import { FinderPanel } from '../panels/finder.js';
import { ClampsPanel } from '../panels/clamps.js';
import { SaturationPanel } from '../panels/saturation.js';
import { ConnectivityPanel } from '../panels/connectivity.js';
import { ErrorsPanel } from '../panels/errors.js';

/** Each view: its panels, top to bottom, and the controls it shows unless the `controls` attribute says otherwise. */
export const VIEWS = {
  full: {
    panels: ['status', 'messages', 'restore', 'watch', 'train', 'text', 'model', 'inside', 'sample', 'finder', 'clamps', 'connectivity', 'saturation', 'errors', 'compare', 'keep'],
    controls: ['status'],
  },
  figure: { panels: ['status', 'messages', 'figure', 'probe'], controls: ['status', 'play', 'step', 'reset', 'probe'] },
  diagram: { panels: ['status', 'messages', 'watch'], controls: ['status', 'play', 'step', 'reset', 'probe'] },
  heatmap: { panels: ['status', 'messages', 'probe', 'inside'], controls: ['status', 'play', 'reset', 'probe'] },
  sample: { panels: ['status', 'messages', 'sample'], controls: ['status', 'play', 'reset'] },
  train: { panels: ['messages', 'train'], controls: [] },
  compare: { panels: ['messages', 'compare'], controls: [] },
  cells: { panels: ['status', 'messages', 'probe', 'finder', 'inside'], controls: ['status', 'play', 'reset', 'probe'] },
  ablation: { panels: ['status', 'messages', 'watch', 'clamps', 'sample'], controls: ['status', 'play', 'step', 'reset', 'probe'] },
  connectivity: { panels: ['status', 'messages', 'probe', 'connectivity'], controls: ['status', 'play', 'reset', 'probe'] },
  saturation: { panels: ['status', 'messages', 'saturation'], controls: ['status', 'play', 'reset'] },
  errors: { panels: ['status', 'messages', 'errors'], controls: ['status', 'play', 'reset'] },
};
export const CONTROLS = ['status', 'play', 'step', 'reset', 'probe'];

export const PANELS = {
  status: (scope, root, host, o) => new StatusPanel(scope, root, host, o),
  messages: (scope, root, host, o) => new MessagesPanel(scope, root, host, o),
  restore: (scope, root, host, o) => new RestorePanel(scope, root, host, o),
  watch: (scope, root, host, o) => new WatchPanel(scope, root, host, { ...o, input: o.view === 'full' || o.controls.has('probe') }),
  probe: (scope, root, host, o) => new WatchPanel(scope, root, host, { ...o, diagram: false, input: o.controls.has('probe') }),
  train: (scope, root, host, o) => new TrainPanel(scope, root, host, o),
  text: (scope, root, host, o) => new TextPanel(scope, root, host, o),
  model: (scope, root, host, o) => new ModelPanel(scope, root, host, o),
  inside: (scope, root, host, o) => new InsidePanel(scope, root, host, o),
  sample: (scope, root, host, o) => new SamplePanel(scope, root, host, o),
  compare: (scope, root, host, o) => new ComparePanel(scope, root, host, o),
  keep: (scope, root, host, o) => new KeepPanel(scope, root, host, o),
  figure: (scope, root, host, o) => new FigurePanel(scope, root, host, o),
  finder: (scope, root, host, o) => new FinderPanel(scope, root, host, o),
  clamps: (scope, root, host, o) => new ClampsPanel(scope, root, host, o),
  connectivity: (scope, root, host, o) => new ConnectivityPanel(scope, root, host, o),
  saturation: (scope, root, host, o) => new SaturationPanel(scope, root, host, o),
  errors: (scope, root, host, o) => new ErrorsPanel(scope, root, host, o),
};

/**
 * The view named by a `view` attribute, and the controls a `controls` attribute asks for: `{view, controls: Set,
 * problems: {view, controls}}` where a problem is a sentence naming a bad value (null when fine); a bad value falls
 * back to the default.
 */
export function viewAndControls(rawView, rawControls) {
  const raw = rawView ?? 'diagram';
  const view = VIEWS[raw] ? raw : 'diagram';
  const viewProblem = VIEWS[raw] ? null : `view="${raw}" is not a view; use one of ${Object.keys(VIEWS).join(', ')}. Showing the diagram.`;
  let controls = VIEWS[view].controls;
  let problem = null;
  if (rawControls !== null && rawControls !== undefined) {
    const tokens = rawControls.split(/[\s,]+/).filter(Boolean);
    if (tokens.length === 1 && tokens[0] === 'none') controls = [];
    else if (tokens.length === 1 && tokens[0] === 'all') controls = CONTROLS;
    else {
      const bad = tokens.filter((t) => !CONTROLS.includes(t));
      if (bad.length) problem = `controls="${rawControls}": ${bad.map((b) => `“${b}”`).join(', ')} is not a control; use none, all, or any of ${CONTROLS.join(', ')}.`;
      controls = tokens.filter((t) => CONTROLS.includes(t));
    }
  }
  return { view, controls: new Set(controls), problems: { view: viewProblem, controls: problem } };
}
