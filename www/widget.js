// An anywidget-style entry (`export default { render({ model, el }) }`), so MyST / Jupyter Book 2 pages can show an
// <rnn-scope> with their {anywidget} directive, and Jupyter can through anywidget. The widget's model holds the
// element's attributes by name (`view`, `model`, `corpus`, `probe`, `hidden-size` or `hidden_size`, `seq-len` or
// `seq_len`, …); a change to one of them changes the attribute.

import './rnn-scope.js';

const ATTRIBUTES = customElements.get('rnn-scope').observedAttributes.filter((a) => a !== 'url-state' && a !== 'autosave');

/** The widget model's value for an attribute, under its own name or with underscores. */
function valueOf(model, attr) {
  const v = model.get(attr) ?? model.get(attr.replace(/-/g, '_'));
  return v === undefined || v === null ? null : String(v);
}

export default {
  render({ model, el }) {
    const scope = document.createElement('rnn-scope');
    const sync = () => {
      for (const attr of ATTRIBUTES) {
        const v = valueOf(model, attr);
        if (v === null) scope.removeAttribute(attr);
        else if (scope.getAttribute(attr) !== v) scope.setAttribute(attr, v);
      }
    };
    sync();
    const text = model.get('text');
    if (typeof text === 'string') scope.textContent = text;
    el.append(scope);
    const off = ATTRIBUTES.flatMap((attr) => [attr, attr.replace(/-/g, '_')]).map((name) => {
      const handler = () => sync();
      model.on(`change:${name}`, handler);
      return () => model.off(`change:${name}`, handler);
    });
    return () => {
      for (const f of off) f();
      scope.remove();
    };
  },
};
