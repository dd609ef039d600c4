// The attributes of <rnn-scope>: which are settings (scope/state.js names) and which are the element's own, how a
// value is read (a bad one is named, and the default used), and their reflection to properties.

import * as S from '../scope/state.js';

/** Attributes that are settings of the model or the view (state.js names), with their attribute spelling. */
export const SETTING_ATTRS = {
  corpus: 'corpus',
  probe: 'probe',
  cell: 'cell',
  nonlinearity: 'nonlinearity',
  'hidden-size': 'hidden',
  layers: 'layers',
  'seq-len': 'seqLen',
  batch: 'batch',
  optimizer: 'optimizer',
  'weight-decay': 'weightDecay',
  dropout: 'dropout',
  schedule: 'schedule',
  warmup: 'warmup',
  'schedule-steps': 'scheduleSteps',
  'min-lr': 'minLr',
  gamma: 'gamma',
  lr: 'lr',
  seed: 'seed',
  temperature: 'temperature',
  workers: 'workers',
};
export const OTHER_ATTRS = ['view', 'model', 'text-src', 'base', 'autoplay', 'loading', 'controls', 'height', 'autosave', 'url-state'];

/** Every attribute the element observes. */
export const OBSERVED_ATTRIBUTES = Object.freeze([...Object.keys(SETTING_ATTRS), ...OTHER_ATTRS]);

/** `height`: a number of CSS pixels or a CSS length. */
export function parseHeight(raw) {
  const s = String(raw).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return `${s}px`;
  if (/^\d+(\.\d+)?(px|em|rem|vh|%)$/.test(s)) return s;
  return null;
}

/** The attribute spelling of a state.js setting. */
export function attrOf(key) {
  return Object.entries(SETTING_ATTRS).find(([, k]) => k === key)?.[0] ?? key;
}

/**
 * The settings the attributes of `el` give (state.js names), and the problem with each attribute (a sentence, or
 * null when it is fine or absent): a value that is not allowed is named and the default used.
 * @param {Element} el
 * @returns {{settings: object, problems: Map<string, string|null>}}
 */
export function readSettings(el) {
  const settings = {};
  const problems = new Map();
  for (const [attr, key] of Object.entries(SETTING_ATTRS)) {
    const raw = el.getAttribute(attr);
    if (raw === null) {
      problems.set(attr, null);
      continue;
    }
    const r = S.validate(key, raw);
    if (r.ok) {
      settings[key] = r.value;
      problems.set(attr, null);
    } else {
      const p = S.prop(key);
      const allowed = p.type === 'enum' ? `one of ${p.options.join(', ')}` : p.type === 'string' ? `at most ${p.maxLength} characters` : `a number from ${p.min} to ${p.max}`;
      problems.set(attr, `${attr}="${raw}" is not allowed: ${attr} must be ${allowed}. Using ${JSON.stringify(p.def)}.`);
    }
  }
  if (settings.corpus === undefined && !el.hasAttribute('corpus') && !el.hasAttribute('model') && !el.textContent.trim()) settings.corpus = 'hello';
  return { settings, problems };
}

/** The property of an attribute: `seq-len` → `seqLen`. */
export function propertyOf(attr) {
  return attr.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

/**
 * Reflect the attributes to properties of `cls` (`hidden-size` → `hiddenSize`, as PyTorch's `hidden_size`). `probe`
 * is the method (the attribute is the text shown at first); none of them is a property HTMLElement has.
 */
export function reflectAttributes(cls) {
  for (const attr of [...Object.keys(SETTING_ATTRS).filter((a) => a !== 'probe'), 'view', 'model', 'text-src', 'base', 'loading', 'controls', 'autosave']) {
    const prop = propertyOf(attr);
    if (prop in HTMLElement.prototype) throw new Error(`rnn-scope: the attribute ${attr} would shadow HTMLElement's ${prop}`);
    Object.defineProperty(cls.prototype, prop, {
      configurable: true,
      get() {
        return this.getAttribute(attr);
      },
      set(v) {
        if (v === null || v === undefined) this.removeAttribute(attr);
        else this.setAttribute(attr, String(v));
      },
    });
  }
}
